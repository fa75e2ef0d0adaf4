import type { SignalState } from '@signal-factory/core';
import type { StoredPointer } from '../contract/evidence-fields';

/**
 * How a new shape relates to the baseline:
 * - `additive`: only new fields (or the contract still accepts the records) — never CRITICAL;
 * - `breaking`: a required field is gone or a field changed type (contract codes MISSING_FIELD,
 *   TYPE_MISMATCH, NULL_VIOLATION new to the dataset, or, without a contract, a field present in
 *   every baseline shape is gone / has a new non-null type) — CRITICAL;
 * - `unknown`: not enough facts (no contract and no usable sample), or a field only became
 *   nullable — WARNING.
 */
export type DriftKind = 'additive' | 'breaking' | 'unknown';

/** Counters of one drifted fingerprint (per window and cumulative). */
export interface DriftCounters {
  /** Evidence documents. */
  n: number;
  /** Weighted records. */
  w: number;
  /** Evidence flagged `SCHEMA_DRIFT` by gate G3. */
  flagged: number;
  /** Evidence on which gate G4 ran (PASS or FAIL): a contract judged the shape. */
  checked: number;
  /** Evidence with structural contract codes (MISSING_FIELD / TYPE_MISMATCH / NULL_VIOLATION) the baseline does not have. */
  breaking: number;
  /** Evidence with UNKNOWN_FIELD codes the baseline does not have. */
  unknownField: number;
}

/** Shape difference of a drifted fingerprint against the baseline, from a record sample. */
export interface ShapeDelta {
  /** `path:type` entries the baseline never had (at most 20 kept). */
  added: string[];
  /** Paths present in every baseline shape but absent here (at most 20 kept). */
  removed: string[];
  /** `path:type` entries whose type is new for an existing path (at most 20 kept). */
  retyped: string[];
  /** All retyped entries are `null` (a field became nullable). */
  nullOnly: boolean;
}

/** A fingerprint not in the baseline. */
export interface DriftCandidate extends DriftCounters {
  firstSeen: number;
  lastSeen: number;
  /** First record with this shape. */
  firstBad: StoredPointer;
  /** Latest baseline-shaped record seen before `firstBad` was observed. */
  lastGood?: StoredPointer;
  producer: { service: string; version?: string };
  /** Up to 10 of its new structural contract codes. */
  breakingCodes: string[];
  /** Up to 10 of its new UNKNOWN_FIELD codes. */
  unknownFieldCodes: string[];
  /**
   * Up to 5 failure signature ids of its records that failed with new structural codes (the ids
   * the contract engine gives the same records), so a breaking drift signal names its cause.
   * Absent in state written before this field existed.
   */
  signatures?: string[];
  delta?: ShapeDelta;
  /** Samples tried for a shape delta (their fingerprint must match) since the baseline shape changed. */
  sampleTries: number;
  /** `shapeVersion` of the baseline the delta was computed against. */
  deltaVersion?: number;
  kind: DriftKind;
}

/** Aggregates of one open window. */
export interface DriftWindowAgg {
  evidence: number;
  weight: number;
  /** Weighted records with a baseline shape. */
  baselineWeight: number;
  /** Evidence without a usable `schema_fingerprint`. */
  noFingerprint: number;
  /** Drifted fingerprint → counters in this window. */
  fingerprints: Record<string, DriftCounters>;
}

/** Per-dataset state of the schema drift engine. Plain JSON. */
export interface DriftEngineState {
  v: 1;
  /** True until the baseline is learned (see `learnMinRecords`, `learnMaxWindows`). */
  learning: boolean;
  /** Weighted baseline records seen while learning. */
  learnedWeight: number;
  /** Start of the first window with evidence (epoch ms): learning is measured in event time from here. */
  learnFrom?: number;
  /** Window length seen by the engine, ms. */
  learnWindowMs?: number;
  /** Accepted fingerprint → epoch ms accepted. */
  baseline: Record<string, number>;
  /** Registered (expected) fingerprints from `expectedFingerprints`, refreshed at each window close. */
  expected?: Record<string, number>;
  /** Union of baseline shapes: field path → bit set of JSON types. */
  shape: Record<string, number>;
  /** Paths present in every baseline shape merged so far. */
  required: string[];
  /** Baseline fingerprints whose shape is merged. */
  shaped: Record<string, number>;
  /** Incremented whenever the baseline shape changes (candidate deltas are then recomputed). */
  shapeVersion: number;
  /** The baseline shape grew past `maxShapePaths` and is no longer used. */
  shapeOverflow: boolean;
  /** Structural / UNKNOWN_FIELD contract codes seen on baseline-shaped records (they are not drift). */
  baselineCodes: string[];
  candidates: Record<string, DriftCandidate>;
  /** Latest record with a baseline shape. */
  lastGood?: StoredPointer;
  open: Record<string, DriftWindowAgg>;
  current: SignalState;
  skipped: number;
  skippedTotal: number;
}
