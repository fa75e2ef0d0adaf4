/** Counters of one engine's consumer group in this process (monotonic since start). */
export interface EngineGroupMetrics {
  /** Consumer group id, e.g. `signal_engines.volume`. */
  groupId: string;
  /** Signal type of the engine. */
  type: string;
  /** Evidence records received from the bus. */
  consumed: number;
  /** Records handed to the engine (valid, resolved, not late, not duplicate). */
  observed: number;
  /** Sum of the sample weights of observed records. */
  observedWeight: number;
  /** Records failing Evidence v1 (or not JSON). */
  invalid: number;
  /** Invalid records published to the dead-letter topic. */
  deadLettered: number;
  /** Evidence without a dataset URN (unresolved topic), skipped. */
  unresolved: number;
  /** Redelivered records skipped because their offset was already applied. */
  duplicates: number;
  /** Evidence older than the dataset's last closed window (late beyond grace). */
  late: number;
  /** Evidence from the future beyond `maxFutureSkewMs`, clamped to now. */
  futureClamped: number;
  /** Windows judged. */
  windowsClosed: number;
  /** Windows skipped after a stop longer than `maxCatchUpWindows`. */
  windowsSkipped: number;
  /** Signals emitted on a state change. */
  signals: number;
  /** Heartbeat signals emitted. */
  heartbeats: number;
  /** State-store calls retried after a retriable error. */
  stateRetries: number;
  /** Conditional writes that lost to another writer (state reloaded). */
  stateConflicts: number;
  /** State-store operations that failed after all retries. */
  stateFailures: number;
  /** Exceptions thrown by the engine's functions (caught). */
  engineErrors: number;
  /** Signal sinks that threw or rejected. */
  sinkErrors: number;
  /** Signals or dead letters that could not be published to the bus. */
  publishErrors: number;
  /** Datasets adopted from an instance whose lease lapsed. */
  adopted: number;
  /** Known datasets this instance started watching before they sent any evidence. */
  watchedUnseen: number;
  /** Datasets whose state this instance holds now. */
  activeDatasets: number;
}

export interface EngineRuntimeMetrics {
  instanceId: string;
  /** Per engine group, keyed by `engine.group`. */
  engines: Record<string, EngineGroupMetrics>;
}

export function emptyGroupMetrics(groupId: string, type: string): EngineGroupMetrics {
  return {
    groupId,
    type,
    consumed: 0,
    observed: 0,
    observedWeight: 0,
    invalid: 0,
    deadLettered: 0,
    unresolved: 0,
    duplicates: 0,
    late: 0,
    futureClamped: 0,
    windowsClosed: 0,
    windowsSkipped: 0,
    signals: 0,
    heartbeats: 0,
    stateRetries: 0,
    stateConflicts: 0,
    stateFailures: 0,
    engineErrors: 0,
    sinkErrors: 0,
    publishErrors: 0,
    adopted: 0,
    watchedUnseen: 0,
    activeDatasets: 0,
  };
}
