import {
  evidenceId,
  shapeFingerprint,
  validateEvidence,
  type Evidence,
  type GateResult,
  type GateVerdict,
} from '@signal-factory/core';
import type { DatasetContext, WindowBounds } from '../runtime/signal-engine';

// Realistic Evidence v1 fixtures for the contract and drift engine tests. Every builder output is
// checked with core's `validateEvidence`, so a fixture can never drift from the Evidence v1 schema.

export const URN = 'urn:dp:orders:created';
export const TOPIC = 'orders.created';
export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
export const WINDOW_MS = 5 * 60_000;

export function windowAt(index: number): WindowBounds {
  return { start: T0 + index * WINDOW_MS, end: T0 + (index + 1) * WINDOW_MS };
}

export function datasetContext(overrides: Partial<DatasetContext> = {}): DatasetContext {
  return {
    urn: URN,
    tier: 1,
    owner: 'team-orders',
    producerService: 'orders-svc',
    slo: {
      freshnessMaxDelayMs: 15 * 60_000,
      freshnessWarnFraction: 0.8,
      complianceMin: 0.95,
    },
    defaultsApplied: [],
    ...overrides,
  };
}

/** The order record the baseline producer writes. */
export function orderRecord(i: number): Record<string, unknown> {
  return {
    order_id: `o-${i}`,
    customer_id: `c-${i % 17}`,
    amount: 10 + (i % 50) / 4,
    currency: i % 3 === 0 ? 'USD' : 'EUR',
    items: [{ sku: `sku-${i % 7}`, qty: 1 + (i % 3) }],
    created_at: new Date(T0 + i * 1000).toISOString(),
  };
}

export interface EvidenceSpec {
  /** Sequence number: offset and default event time (T0 + i seconds). */
  i: number;
  /** Event time, epoch ms. Default T0 + i s. */
  time?: number;
  result?: 'PASS' | 'WARN' | 'FAIL';
  /** G4 contract codes (FAIL when non-empty, unless `contractResult` says otherwise). */
  contractCodes?: string[];
  contractResult?: GateResult;
  /** G3 result and codes. Default PASS, no codes. */
  schemaResult?: GateResult;
  schemaCodes?: string[];
  /** G2 WARN (fallback identity) instead of PASS. */
  identityWarn?: boolean;
  /** G5 PII failure codes. */
  piiCodes?: string[];
  service?: string;
  /** `null` for no version. Default 1.4.2. */
  version?: string | null;
  weight?: number;
  /** The record value; its shape fingerprint becomes `schema_fingerprint`. Default `orderRecord(i)`. */
  record?: Record<string, unknown>;
  /** Keep the record as the evidence's sample. Default true. */
  withSample?: boolean;
  /** Override the fingerprint (e.g. none). */
  fingerprint?: string | null;
  urn?: string | null;
  enforcement?: 'observe' | 'enforce' | 'bypassed';
}

/** Builds one valid Evidence v1 document in the shape the sidecar writes. */
export function evidence(spec: EvidenceSpec): Evidence {
  const record = spec.record ?? orderRecord(spec.i);
  const urn = spec.urn === undefined ? URN : spec.urn;
  const contractCodes = spec.contractCodes ?? [];
  const contractResult: GateResult =
    spec.contractResult ?? (contractCodes.length > 0 ? 'FAIL' : 'PASS');
  const schemaCodes = spec.schemaCodes ?? [];
  const schemaResult: GateResult =
    spec.schemaResult ?? (schemaCodes.includes('SCHEMA_DRIFT') ? 'WARN' : 'PASS');
  const piiCodes = spec.piiCodes ?? [];
  const gates: GateVerdict[] = [
    { gate: 'G1', name: 'resolution', result: 'PASS', reason_codes: [] },
    spec.identityWarn === true
      ? { gate: 'G2', name: 'identity', result: 'WARN', reason_codes: ['IDENTITY_UNVERIFIED'] }
      : { gate: 'G2', name: 'identity', result: 'PASS', reason_codes: [] },
    {
      gate: 'G3',
      name: 'schema',
      result: schemaResult,
      reason_codes: schemaCodes,
      duration_us: 2.7,
    },
    { gate: 'G4', name: 'contract', result: contractResult, reason_codes: contractCodes },
    {
      gate: 'G5',
      name: 'pii',
      result: piiCodes.length > 0 ? 'FAIL' : 'PASS',
      reason_codes: piiCodes,
    },
  ];
  let result: 'PASS' | 'WARN' | 'FAIL' = 'PASS';
  for (const g of gates) {
    if (g.result === 'FAIL') result = 'FAIL';
    else if (g.result === 'WARN' && result === 'PASS') result = 'WARN';
  }
  const time = spec.time ?? T0 + spec.i * 1000;
  const version = spec.version === undefined ? '1.4.2' : spec.version;
  const doc: Evidence = {
    schema_version: 'evidence/v1',
    evidence_id: evidenceId({
      datasetUrn: urn,
      topic: TOPIC,
      partition: spec.i % 4,
      offset: String(spec.i),
    }),
    dataset_urn: urn,
    topic: TOPIC,
    partition: spec.i % 4,
    offset: String(spec.i),
    producer: {
      service: spec.service ?? 'orders-svc',
      ...(version === null ? {} : { version }),
      identity_confidence: spec.identityWarn === true ? 'MEDIUM' : 'HIGH',
      identity_method: spec.identityWarn === true ? 'fallback_map' : 'header',
    },
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    event_time: new Date(time).toISOString(),
    produce_time: new Date(time + 20).toISOString(),
    processing_time: new Date(time + 25).toISOString(),
    contract: { id: 'orders-created', version: '2.1.0' },
    gates,
    result: spec.result ?? result,
    reason_codes: gates.flatMap((g) => g.reason_codes),
    pii_findings: [],
    sample_weight: spec.weight ?? 1,
    enforcement: spec.enforcement ?? 'observe',
    source: 'sidecar',
  };
  const fingerprint = spec.fingerprint === undefined ? shapeFingerprint(record) : spec.fingerprint;
  if (fingerprint !== null) doc.schema_fingerprint = fingerprint;
  if (spec.withSample !== false) doc.sample = record;
  return validateEvidence(doc);
}
