import type {
  Evidence,
  JsonValue,
  RecordPointer,
  SignalExpectation,
  SignalState,
  SignalType,
} from '@signal-factory/core';

/**
 * The seam between the runtime and one engine type. The runtime owns the consumer group, event-time
 * windows, the watermark, the processing-time clock, persistence and signal emission; an engine owns
 * only its per-dataset state and its verdicts. Engine state must be plain JSON so the runtime can
 * persist it through the StateStore port with a conditional write and resume after a restart.
 *
 * Additive changes are welcome; changing a member means changing every engine.
 */
export interface SignalEngine<S extends JsonValue = JsonValue> {
  /** Signal type this engine emits. */
  readonly type: SignalType;
  /** `name@version`, copied into every signal's `engine` field. */
  readonly id: string;
  /** Consumer-group suffix: the group is `signal_engines.<group>`. */
  readonly group: string;
  /**
   * Evidence older than the dataset's last closed window (late beyond grace) is always counted as
   * late. `drop` (default): it is not observed. `arrival`: it is also observed in the open window
   * of its arrival (`processing_time`, at least the first open window, at most now) — for engines
   * that measure what arrives, like volume, so a producer's backlog flushing late is not absence.
   */
  readonly lateEvidence?: 'drop' | 'arrival';
  /**
   * `true`: the runtime also holds state for known datasets (`DatasetProvider.known()`) that have
   * sent no evidence yet, created with `initialState` and judged by `tick`, so absence from the
   * start is judged too (freshness). Default false: state starts with a dataset's first evidence.
   */
  readonly watchesUnseen?: boolean;

  /** Fresh state for a dataset seen for the first time. */
  initialState(dataset: DatasetContext): S;

  /**
   * One evidence document that falls in `window` (already past schema validation and skew
   * clamping). The document is shared with the other engines of the process: read it, never mutate it.
   */
  observe(
    state: S,
    evidence: Evidence,
    weight: number,
    window: WindowBounds,
    dataset: DatasetContext,
  ): S;

  /**
   * The watermark passed `window.end + grace`: judge it. Called exactly once per dataset and window,
   * also for windows in which no evidence arrived (counts are then zero), so absence is judged.
   */
  closeWindow(state: S, window: WindowBounds, dataset: DatasetContext, now: number): EngineStep<S>;

  /** Processing-time tick (default every 10 s of the injected clock), for checks that need no window. */
  tick?(state: S, now: number, dataset: DatasetContext): EngineStep<S>;
}

export interface EngineStep<S> {
  state: S;
  /** The engine's current opinion; the runtime emits a Signal only on a state change or heartbeat. */
  verdict?: Verdict;
}

/** Everything of a Signal v1 that the engine decides; the runtime fills ids, times and history. */
export interface Verdict {
  state: SignalState;
  reason: string;
  metrics: Record<string, number | string>;
  expected?: SignalExpectation;
  first_bad?: RecordPointer;
  last_good?: RecordPointer;
  failure_signature_ids?: string[];
  producer?: { service: string; version?: string };
  window?: WindowBounds;
  /** Engine settings that fell back to defaults (e.g. `volume.baseline`), added to the dataset's `defaultsApplied`. */
  defaultsApplied?: string[];
}

/** Epoch milliseconds, start inclusive, end exclusive. */
export interface WindowBounds {
  start: number;
  end: number;
}

/** What the runtime knows about a dataset: registry entry, contract SLOs, and which defaults applied. */
export interface DatasetContext {
  urn: string;
  /** 1 (most critical) … 3. */
  tier: 1 | 2 | 3;
  owner?: string;
  producerService?: string;
  slo: DatasetSlo;
  /** Names of SLO settings that fell back to defaults, copied into `Signal.defaults_applied`. */
  defaultsApplied: string[];
}

export interface DatasetSlo {
  /** Milliseconds; default 15 min. */
  freshnessMaxDelayMs: number;
  /** Fraction of freshnessMaxDelayMs at which FRESHNESS turns WARNING; default 0.8. */
  freshnessWarnFraction: number;
  volumeMinPerHour?: number;
  volumeMaxPerHour?: number;
  volumeMinPerWindow?: number;
  volumeMaxPerWindow?: number;
  /** Weighted PASS / total below this is CRITICAL; default 0.95. */
  complianceMin: number;
}
