/** Signal types, one per engine family. */
export type SignalType = 'FRESHNESS' | 'VOLUME' | 'CONTRACT' | 'SCHEMA_DRIFT' | 'DQ' | 'ANOMALY';
/** Health state of a dataset for one signal type. */
export type SignalState = 'OK' | 'WARNING' | 'CRITICAL';

/** Where a good or bad record sits. */
export interface RecordPointer {
  /** Event time of the record, RFC 3339. */
  time: string;
  evidence_id?: string;
  /** `sha256:<hex>` shape fingerprint of the record. */
  fingerprint?: string;
  topic?: string;
  partition?: number;
  /** Kafka offset as a decimal string. */
  offset?: string;
}

/** What the engine expected. */
export interface SignalExpectation {
  min?: number;
  max?: number;
  value?: number | string;
  values?: Array<number | string>;
  /** Unit of min/max/value, e.g. `records`, `seconds`. */
  unit?: string;
}

/** Signal v1: an engine's verdict for one dataset and one window. */
export interface Signal {
  schema_version: 'signal/v1';
  signal_id: string;
  dataset_urn: string;
  signal_type: SignalType;
  state: SignalState;
  previous_state?: SignalState;
  /** Event-time window, RFC 3339 bounds (start inclusive, end exclusive). */
  window?: { start: string; end: string };
  /** Named measurements; keys are snake_case. */
  metrics: Record<string, number | string>;
  expected?: SignalExpectation;
  first_bad?: RecordPointer;
  last_good?: RecordPointer;
  /** `sha256:<hex>` failure signature ids behind the state. */
  failure_signature_ids: string[];
  producer?: { service: string; version?: string };
  /** One human sentence explaining the state. */
  reason: string;
  /** Engine name and version, e.g. `volume@1.2.0`. */
  engine: string;
  /** When the engine emitted the signal, RFC 3339. */
  emitted_at: string;
  /** Settings that fell back to defaults. */
  defaults_applied: string[];
}
