/** Result of one gate. */
export type GateResult = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';
/** Overall verdict of a record (a record is never "skipped" as a whole). */
export type EvidenceResult = 'PASS' | 'WARN' | 'FAIL';
/** Gate ids, in pipeline order. */
export type GateId = 'G1' | 'G2' | 'G3' | 'G4' | 'G5';
/** Gate names matching the ids: G1 resolution … G5 pii. */
export type GateName = 'resolution' | 'identity' | 'schema' | 'contract' | 'pii';
/** How sure gate G2 is about who produced the record. */
export type IdentityConfidence = 'HIGH' | 'MEDIUM' | 'LOW';
/** How G2 identified the producer: the `x-obs-producer-service` header, the topic fallback map, or not at all. */
export type IdentityMethod = 'header' | 'fallback_map' | 'none';
/** Policy the record went through: observe (forward all), enforce (FAIL → quarantine) or bypassed (SDK fail-open). */
export type EnforcementMode = 'observe' | 'enforce' | 'bypassed';
/** Who wrote the evidence. */
export type EvidenceSource = 'sidecar' | 'tap' | 'replay' | 'sdk';

/** Gate ids with their names, in order. */
export const GATES: ReadonlyArray<{ gate: GateId; name: GateName }> = [
  { gate: 'G1', name: 'resolution' },
  { gate: 'G2', name: 'identity' },
  { gate: 'G3', name: 'schema' },
  { gate: 'G4', name: 'contract' },
  { gate: 'G5', name: 'pii' },
];

/** The producer of a record as gate G2 saw it. */
export interface EvidenceProducer {
  /** Service name, or `"unknown"` when G2 found none. */
  service: string;
  /** Service version from `x-obs-producer-version`. */
  version?: string;
  identity_confidence: IdentityConfidence;
  identity_method: IdentityMethod;
}

/** One gate's verdict. */
export interface GateVerdict {
  gate: GateId;
  name: GateName;
  result: GateResult;
  /** `CODE[:qualifier][:path]` strings (see `REASON_CODES`). */
  reason_codes: string[];
  /** Time the gate took, in microseconds. */
  duration_us?: number;
}

/** A suspected PII finding: type and field path, never the value. */
export interface PiiFinding {
  /** PII type, e.g. `ssn`, `email`, `credit_card`. */
  type: string;
  /** Field path, e.g. `customer.notes`. */
  path: string;
}

/** Evidence v1: one verdict about one record. Wire format: this object as snake_case JSON. */
export interface Evidence {
  schema_version: 'evidence/v1';
  /** Deterministic id from `evidenceId()`, `ev_` and 32 hex digits. */
  evidence_id: string;
  /** Dataset URN; `null` when G1 could not resolve the topic. */
  dataset_urn: string | null;
  topic: string;
  partition?: number;
  /** Kafka offset as a decimal string. */
  offset?: string;
  /** `sha256:<hex>` of the record key (never the key itself). */
  record_key_hash?: string;
  producer: EvidenceProducer;
  /** W3C trace id (32 hex digits). */
  trace_id?: string;
  /** W3C span id (16 hex digits). */
  span_id?: string;
  /** Business time of the record, RFC 3339. */
  event_time: string;
  /** Time the producer sent it, RFC 3339. */
  produce_time?: string;
  /** Time the gates judged it, RFC 3339. */
  processing_time: string;
  /** `sha256:<hex>` structural shape fingerprint. */
  schema_fingerprint?: string;
  /** Contract the record was validated against. */
  contract?: { id: string; version: string };
  /** Per-gate verdicts, in gate order; gates that did not run may be absent. */
  gates: GateVerdict[];
  result: EvidenceResult;
  /** All reason codes of the record (union of the gates'). */
  reason_codes: string[];
  pii_findings: PiiFinding[];
  /**
   * Aggregate data-quality rules of the record's contract this record counts against
   * (`nullValues:email`, `invalidValues:currency`, `duplicateValues:order_id`, …); only when there
   * is at least one.
   */
  dq?: string[];
  /** PII-redacted copy of the record value, when the sampling policy kept one. */
  sample?: Record<string, unknown>;
  /** How many records this evidence stands for (>= 1). */
  sample_weight: number;
  enforcement: EnforcementMode;
  source: EvidenceSource;
}
