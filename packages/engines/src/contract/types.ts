import type { SignalState } from '@signal-factory/core';
import type { StoredPointer } from './evidence-fields';

/**
 * Weighted record counts. `passed + warned + failed === total` (up to floating point): WARN
 * records are counted apart so the caller decides whether they comply (by default they do).
 */
export interface ComplianceCounts {
  /** Weighted records. */
  total: number;
  passed: number;
  warned: number;
  failed: number;
}

/** Counts of one producer (service + version) in a window. */
export interface ProducerAgg extends ComplianceCounts {
  service: string;
  version?: string;
  /** Earliest failing record of this producer. */
  firstBad?: StoredPointer;
}

/** Aggregates of one open (or pooled) event-time window. Plain JSON. */
export interface ContractWindowAgg extends ComplianceCounts {
  /** Evidence documents (unweighted). */
  evidence: number;
  /** Failing evidence documents (unweighted). */
  failedEvidence: number;
  /** Producer key (`service@version`) → counts; capped, overflow under `~other`. */
  producers: Record<string, ProducerAgg>;
  /** Reason code of failing gates → weighted failing records; capped, overflow under `~other`. */
  reasons: Record<string, number>;
  /** Failure signature id → weighted failing records in this window. */
  signatures: Record<string, number>;
  /** Earliest failing record. */
  firstBad?: StoredPointer;
  /** Latest compliant record that is earlier than `firstBad`. */
  lastGoodBeforeBad?: StoredPointer;
  /** Latest compliant record. */
  lastGood?: StoredPointer;
  /**
   * Weighted FAIL records whose only failures are UNKNOWN_FIELD (additive: every declared field is
   * fine) outside enforce mode; counted under `warned` (see `additiveFailures`).
   */
  additive?: number;
  /** Weighted records on which gate G4 ran (PASS or FAIL): a contract judged them. */
  checked?: number;
  /** Windows merged into this aggregate (1 unless pooled). */
  windows: number;
  /** Start of the earliest merged window, epoch ms. */
  since: number;
}

/** A failure signature as remembered by the engine for a dataset. */
export interface SignatureEntry {
  failedGates: string[];
  /** Reason codes (at most 20 kept here; the id covers all of them). */
  reasonCodes: string[];
  /** Epoch ms (event time) first seen. */
  firstSeen: number;
  /** Epoch ms (event time) last seen. */
  lastSeen: number;
  /** Weighted failing records since first seen. */
  count: number;
  /** Producer of the first failing record. */
  producer: { service: string; version?: string };
  /**
   * The current episode when it is not the first: the signature came back after a quiet gap or
   * from another producer version. `n` counts episodes (2 = the first recurrence).
   */
  episode?: { n: number; start: number; producer: { service: string; version?: string } };
  /** Producer versions seen failing with this signature (at most 10, newest last). */
  versions?: string[];
  /** Episode number last handed to the sink (absent: 1 or never). */
  submittedEpisode?: number;
  /** Processing time (epoch ms) the entry was last handed to the signature sink; absent: never. */
  submittedAt?: number;
  /** `count` at that hand-over. */
  submittedCount?: number;
}

/** Per-dataset state of the contract engine. Plain JSON, persisted by the runtime. */
export interface ContractEngineState {
  v: 1;
  /** Window start (epoch ms, decimal string) → aggregate of the open window. */
  open: Record<string, ContractWindowAgg>;
  /** Small windows pooled until `minRecords` is reached. */
  pool?: ContractWindowAgg;
  /** The state of the latest verdict. */
  current: SignalState;
  /** The bad episode in progress (from the first non-OK verdict until OK again). */
  episode?: { firstBad?: StoredPointer; lastGood?: StoredPointer; since: number };
  /** Latest compliant record of any closed window. */
  lastGood?: StoredPointer;
  /** Failure signatures seen for the dataset (bounded, least recently seen evicted). */
  signatures: Record<string, SignatureEntry>;
  /** Evidence skipped as malformed since the last closed window. */
  skipped: number;
  /** Evidence skipped as malformed, all time. */
  skippedTotal: number;
}
