import type { RecordPointer } from '@signal-factory/core';
import { parseTime } from '../runtime/window-math';

/**
 * Defensive readers for Evidence v1 fields. The runtime validates evidence against the schema
 * before `observe`, but engines are also fed by replays, tests and future producers, so every
 * reader tolerates a missing or oddly typed field instead of throwing on the data path.
 */

/** A record pointer plus its event time in epoch ms, as kept in engine state. */
export interface StoredPointer extends RecordPointer {
  /** Event time, epoch ms (used for ordering; stripped before it leaves the engine). */
  ms: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Event time in epoch ms; `fallback` when the field is missing or unparseable. */
export function eventTimeMs(evidence: unknown, fallback: number): number {
  const text = isObject(evidence) ? evidence.event_time : undefined;
  if (typeof text !== 'string') return fallback;
  const ms = parseTime(text);
  return Number.isFinite(ms) ? ms : fallback;
}

/** The pointer to a record: time, evidence id, fingerprint and Kafka coordinates when present. */
export function pointerOf(evidence: Record<string, unknown>, ms: number): StoredPointer {
  const pointer: StoredPointer = {
    ms,
    time:
      typeof evidence.event_time === 'string' ? evidence.event_time : new Date(ms).toISOString(),
  };
  if (typeof evidence.evidence_id === 'string') pointer.evidence_id = evidence.evidence_id;
  if (typeof evidence.schema_fingerprint === 'string')
    pointer.fingerprint = evidence.schema_fingerprint;
  if (typeof evidence.topic === 'string') pointer.topic = evidence.topic;
  if (typeof evidence.partition === 'number' && Number.isInteger(evidence.partition))
    pointer.partition = evidence.partition;
  if (typeof evidence.offset === 'string') pointer.offset = evidence.offset;
  return pointer;
}

/** A pointer as it leaves the engine (the Signal's `first_bad` / `last_good`). */
export function publicPointer(pointer: StoredPointer | undefined): RecordPointer | undefined {
  if (pointer === undefined) return undefined;
  const { ms: _ms, ...rest } = pointer;
  return rest;
}

/** The weight a piece of evidence stands for: the runtime's, else `sample_weight`, else 1. */
export function weightOf(weight: unknown, evidence: Record<string, unknown>): number {
  if (typeof weight === 'number' && Number.isFinite(weight) && weight > 0) return weight;
  const own = evidence.sample_weight;
  if (typeof own === 'number' && Number.isFinite(own) && own > 0) return own;
  return 1;
}

/** The producer as `{service, version?}`; `unknown` when absent. */
export function producerOf(evidence: Record<string, unknown>): {
  service: string;
  version?: string;
} {
  const producer = evidence.producer;
  if (!isObject(producer)) return { service: 'unknown' };
  const service =
    typeof producer.service === 'string' && producer.service !== '' ? producer.service : 'unknown';
  return typeof producer.version === 'string' && producer.version !== ''
    ? { service, version: producer.version }
    : { service };
}

/** One gate verdict, read defensively. */
export interface GateView {
  gate: string;
  result: string;
  codes: readonly string[];
}

const NO_CODES: readonly string[] = Object.freeze([]);

function stringsOf(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return NO_CODES;
  for (const item of value)
    if (typeof item !== 'string') return value.filter((v) => typeof v === 'string');
  return value as string[];
}

/** The gates of a record; malformed entries are left out. */
export function gatesOf(evidence: Record<string, unknown>): GateView[] {
  const gates = evidence.gates;
  if (!Array.isArray(gates)) return [];
  const out: GateView[] = [];
  for (const g of gates) {
    if (!isObject(g) || typeof g.gate !== 'string' || typeof g.result !== 'string') continue;
    out.push({ gate: g.gate, result: g.result, codes: stringsOf(g.reason_codes) });
  }
  return out;
}

/** The record-level reason codes. */
export function reasonCodesOf(evidence: Record<string, unknown>): readonly string[] {
  return stringsOf(evidence.reason_codes);
}

/** `Evidence.result` when it is one of PASS, WARN, FAIL; otherwise undefined. */
export function resultOf(evidence: Record<string, unknown>): 'PASS' | 'WARN' | 'FAIL' | undefined {
  const r = evidence.result;
  return r === 'PASS' || r === 'WARN' || r === 'FAIL' ? r : undefined;
}

export { isObject };

/** A ratio rounded to 4 decimals for metrics. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** A weighted count rounded to 3 decimals for metrics (sample weights may be fractional). */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `97.3%` style percentage. */
export function percent(ratio: number): string {
  // Floor so that 99.96 % is never shown as a compliant-looking 100 %.
  if (ratio >= 1) return '100%';
  if (ratio <= 0) return '0%';
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}
