import { createHash } from 'node:crypto';
import type { RecordPointer, Signal, SignalState, SignalType } from '@signal-factory/core';
import type { DatasetContext, Verdict } from './signal-engine';
import { iso } from './window-math';

export interface BuildSignalInput {
  urn: string;
  type: SignalType;
  engineId: string;
  verdict: Verdict;
  previous: SignalState | undefined;
  context: DatasetContext;
  emittedAt: number;
  seq: number;
  heartbeat: boolean;
}

function cleanPointer(p: RecordPointer | undefined): RecordPointer | undefined {
  if (p === undefined || typeof p.time !== 'string') return undefined;
  const out: RecordPointer = { time: p.time };
  if (p.evidence_id !== undefined) out.evidence_id = p.evidence_id;
  if (p.fingerprint !== undefined) out.fingerprint = p.fingerprint;
  if (p.topic !== undefined) out.topic = p.topic;
  if (p.partition !== undefined) out.partition = p.partition;
  if (p.offset !== undefined) out.offset = p.offset;
  return out;
}

/** A Signal v1 document from an engine's verdict; the id is deterministic (same input, same id). */
export function buildSignal(input: BuildSignalInput): Signal {
  const { verdict, context } = input;
  const emitted = iso(input.emittedAt);
  const id = createHash('sha256')
    .update(
      `${input.urn}\u0000${input.type}\u0000${emitted}\u0000${input.seq}\u0000${verdict.state}`,
    )
    .digest('hex')
    .slice(0, 32);
  const metrics: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(verdict.metrics ?? {})) {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) metrics[k] = v;
  }
  metrics.signal_kind = input.heartbeat ? 'heartbeat' : 'change';
  const defaults = [...context.defaultsApplied];
  for (const d of verdict.defaultsApplied ?? []) if (!defaults.includes(d)) defaults.push(d);
  const signal: Signal = {
    schema_version: 'signal/v1',
    signal_id: `sig_${id}`,
    dataset_urn: input.urn,
    signal_type: input.type,
    state: verdict.state,
    metrics,
    failure_signature_ids: [...(verdict.failure_signature_ids ?? [])],
    reason: verdict.reason,
    engine: input.engineId,
    emitted_at: emitted,
    defaults_applied: defaults,
  };
  if (input.previous !== undefined) signal.previous_state = input.previous;
  if (verdict.window !== undefined)
    signal.window = { start: iso(verdict.window.start), end: iso(verdict.window.end) };
  if (verdict.expected !== undefined) signal.expected = verdict.expected;
  const firstBad = cleanPointer(verdict.first_bad);
  if (firstBad !== undefined) signal.first_bad = firstBad;
  const lastGood = cleanPointer(verdict.last_good);
  if (lastGood !== undefined) signal.last_good = lastGood;
  const producer =
    verdict.producer ??
    (context.producerService ? { service: context.producerService } : undefined);
  if (producer !== undefined) signal.producer = producer;
  return signal;
}
