/**
 * One failure signature as the contract engine hands it over at window close: created the first
 * time it is seen, refreshed (count, last seen) at most every `signatureRefreshMs` afterwards.
 * Values are absolute (cumulative), never deltas, so delivering an update twice is harmless.
 */
export interface FailureSignatureUpdate {
  /** `sha256:<hex>` from core's `failureSignatureId`. */
  hash: string;
  /** Dataset URN (`null` for unresolved evidence). */
  datasetUrn: string | null;
  /** Gates that failed, sorted, e.g. `['G4']`. */
  failedGates: string[];
  /** Reason codes of the failing gates, sorted (at most 20). */
  reasonCodes: string[];
  /** Event time first seen, epoch ms. */
  firstSeen: number;
  /** Event time last seen, epoch ms. */
  lastSeen: number;
  /** Weighted failing records since first seen (cumulative, as known by the engine). */
  count: number;
  /** Producer of the first failing record (the INTRODUCED candidate). */
  producer: { service: string; version?: string };
  /** True the first time the engine hands this signature over. */
  isNew: boolean;
  /**
   * The signature's current episode when it is a recurrence: it came back after a quiet gap (by
   * default one window) or from a different producer version. `start` is the event time of the
   * episode's first failing record and `producer` that record's producer; the writer links
   * INTRODUCED from the deployment current at `start`. Absent while the first episode lasts.
   */
  episode?: { n: number; start: number; producer: { service: string; version?: string } };
}

/**
 * Where the contract engine sends failure signatures. `submit` is called synchronously from
 * `closeWindow` (never per record); it must return at once and never throw (a throw is caught and
 * counted by the engine). Graph writes happen later, in the sink's own time, e.g.
 * `LineageSignatureWriter`.
 */
export interface FailureSignatureSink {
  submit(updates: readonly FailureSignatureUpdate[]): void;
}
