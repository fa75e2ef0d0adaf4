import * as crypto from 'node:crypto';

import {
  HEADERS,
  evidenceId,
  tryParseTraceparent,
  type EnforcementMode,
  type Evidence,
  type EvidenceSource,
} from '@signal-factory/core';

import type { GateRun } from '../pipeline/gate-pipeline';

/** Where the record ended up (or where it was read from, for tap and replay). */
export interface RecordCoordinates {
  topic: string;
  partition?: number;
  offset?: string;
}

export interface BuildEvidenceInput {
  run: GateRun;
  /** Topic the record was produced to / read from (the source topic, not the quarantine topic). */
  topic: string;
  /** Coordinates used for the evidence id (the written record's). */
  coordinates: RecordCoordinates | undefined;
  key: string | Buffer | null | undefined;
  value: Buffer;
  headers: Readonly<Record<string, string>>;
  /** Kafka record timestamp, epoch ms. */
  timestamp: number | undefined;
  now: number;
  enforcement: EnforcementMode;
  source: EvidenceSource;
  sampleWeight: number;
  includeSample: boolean;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const REDACTED = '[REDACTED]';

// `crypto.hash` (Node >= 20.12) is a one-shot digest, cheaper than createHash for small inputs.
const oneShot = (
  crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }
).hash;

function sha256(data: string | Buffer): string {
  return `sha256:${oneShot === undefined ? crypto.createHash('sha256').update(data).digest('hex') : oneShot('sha256', data, 'hex')}`;
}

/** A copy of `value` with the given field paths (and every string inside them) replaced. */
export function redact(value: unknown, paths: ReadonlySet<string>, path = '', depth = 0): unknown {
  if (paths.has(path === '' ? '$' : path)) return REDACTED;
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, paths, `${path}[]`, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const escaped = /[.[\]\\]/.test(k) ? k.replace(/[.[\]\\]/g, (c) => `\\${c}`) : k;
      out[k] = redact(v, paths, path === '' ? escaped : `${path}.${escaped}`, depth + 1);
    }
    return out;
  }
  return value;
}

/** Builds one Evidence v1 record (see core `Evidence`). */
export function buildEvidence(input: BuildEvidenceInput): Evidence {
  const { run, headers } = input;
  const processing = new Date(input.now).toISOString();
  const produce =
    input.timestamp === undefined ? undefined : new Date(input.timestamp).toISOString();
  const headerTime = headers[HEADERS.eventTime];
  const eventTime =
    headerTime !== undefined && RFC3339.test(headerTime) && !Number.isNaN(Date.parse(headerTime))
      ? headerTime
      : (produce ?? processing);
  const trace =
    headers.traceparent === undefined ? undefined : tryParseTraceparent(headers.traceparent);
  const keyText = input.key === null || input.key === undefined ? undefined : input.key.toString();
  const coords = input.coordinates;
  const id =
    coords?.partition !== undefined && coords.offset !== undefined
      ? evidenceId({
          datasetUrn: run.datasetUrn,
          topic: coords.topic,
          partition: coords.partition,
          offset: coords.offset,
        })
      : evidenceId({
          datasetUrn: run.datasetUrn,
          producerService: run.identity.service,
          traceId: trace?.traceId,
          recordKey: trace === undefined ? (keyText ?? '') : keyText,
          eventTime,
          valueDigest: sha256(input.value),
        });
  const evidence: Evidence = {
    schema_version: 'evidence/v1',
    evidence_id: id,
    dataset_urn: run.datasetUrn,
    topic: input.topic,
    producer: {
      service: run.identity.service,
      identity_confidence: run.identity.confidence,
      identity_method: run.identity.method,
      ...(run.identity.version === undefined ? {} : { version: run.identity.version }),
    },
    event_time: eventTime,
    processing_time: processing,
    gates: run.gates,
    result: run.result,
    reason_codes: run.reasonCodes,
    pii_findings: run.piiFindings,
    sample_weight: input.sampleWeight,
    enforcement: input.enforcement,
    source: input.source,
  };
  if (coords?.partition !== undefined) evidence.partition = coords.partition;
  if (coords?.offset !== undefined) evidence.offset = coords.offset;
  if (keyText !== undefined) evidence.record_key_hash = sha256(keyText);
  if (trace !== undefined) {
    evidence.trace_id = trace.traceId;
    evidence.span_id = trace.parentId;
  }
  if (produce !== undefined) evidence.produce_time = produce;
  if (run.fingerprint !== undefined) evidence.schema_fingerprint = run.fingerprint;
  if (run.contract !== undefined) evidence.contract = run.contract;
  if (run.dq !== undefined && run.dq.length > 0) evidence.dq = run.dq;
  if (
    input.includeSample &&
    typeof run.parsed === 'object' &&
    run.parsed !== null &&
    !Array.isArray(run.parsed)
  ) {
    evidence.sample = redact(run.parsed, run.redactPaths) as Record<string, unknown>;
  }
  return evidence;
}
