import type { JsonValue, RecordPointer } from '@signal-factory/core';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';
import type { DatasetContext, EngineStep, SignalEngine, Verdict } from '../runtime/signal-engine';
import { parseTime } from '../runtime/window-math';

/** Per-dataset state of the freshness engine (plain JSON). */
export interface FreshnessState {
  [key: string]: JsonValue;
  /** Newest event time seen (epoch ms), `null` before the first on-time evidence. */
  last_event_at: number | null;
  /** Pointer to the newest evidence, reported as `last_good`. */
  last: { [key: string]: JsonValue } | null;
  /**
   * For a known dataset that has sent nothing yet: when this engine started watching it (epoch
   * ms); `null` otherwise (and absent in state written before this field existed).
   */
  watching_since: number | null;
  /**
   * Newest arrival (evidence `processing_time`, epoch ms) of any evidence, late or not, to tell a
   * producer that lags (records keep arriving with old event times) from one that stopped.
   * Absent in state written before this field existed.
   */
  last_arrival_at: number | null;
}

export interface FreshnessEngineOptions {
  /** Overrides every dataset's `freshnessWarnFraction` (0 < f ≤ 1). Default: the dataset's SLO (0.8 unless set). */
  warnFraction?: number;
  /** Engine version in `engine`. Default `0.1.0`. */
  version?: string;
  /** Consumer-group suffix. Default `freshness`. */
  group?: string;
}

/** Human duration: `17m 3s`, `2h 5m`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return sec > 0 ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

/**
 * A known dataset that has sent nothing since it was first watched: silent until the warn point
 * (it may simply not have started yet), then WARNING, then CRITICAL past the SLO.
 */
function judgeNeverSeen(
  state: FreshnessState,
  now: number,
  maxDelay: number,
  warnAfter: number,
): Verdict | undefined {
  const since = state.watching_since;
  if (typeof since !== 'number') return undefined;
  const silent = Math.max(0, now - since);
  if (silent <= warnAfter) return undefined;
  const sinceTime = new Date(since).toISOString();
  return {
    state: silent > maxDelay ? 'CRITICAL' : 'WARNING',
    reason:
      silent > maxDelay
        ? `No data at all for ${formatDuration(silent)}: nothing received since monitoring started at ${sinceTime}; freshness SLO ${formatDuration(maxDelay)} exceeded.`
        : `No data yet after ${formatDuration(silent)} of monitoring (since ${sinceTime}), approaching the freshness SLO of ${formatDuration(maxDelay)}.`,
    metrics: {
      age_seconds: Math.round(silent / 1000),
      max_delay_seconds: Math.round(maxDelay / 1000),
      warn_after_seconds: Math.round(warnAfter / 1000),
      watching_since: sinceTime,
    },
    expected: { max: Math.round(maxDelay / 1000), unit: 'seconds' },
  };
}

/**
 * FRESHNESS: the newest event time per dataset against `freshness_max_delay`, judged on every
 * processing-time tick (so a dataset that stops sending is caught without any evidence):
 * CRITICAL past the delay, WARNING past `warnFraction` of it, OK otherwise (recovers by itself).
 */
export function createFreshnessEngine(
  options: FreshnessEngineOptions = {},
): SignalEngine<FreshnessState> {
  const problems: OptionProblem[] = [];
  checkNumber(problems, 'warnFraction', options.warnFraction, {
    min: 0,
    max: 1,
    exclusiveMin: true,
  });
  if (options.version !== undefined && typeof options.version !== 'string')
    problems.push({ path: 'version', message: 'must be a string' });
  if (options.group !== undefined && (typeof options.group !== 'string' || options.group === ''))
    problems.push({ path: 'group', message: 'must be a non-empty string' });
  if (problems.length > 0) throw optionsError('createFreshnessEngine', problems);

  const judge = (
    state: FreshnessState,
    now: number,
    dataset: DatasetContext,
  ): Verdict | undefined => {
    const maxDelay = dataset.slo.freshnessMaxDelayMs;
    const fraction = options.warnFraction ?? dataset.slo.freshnessWarnFraction;
    const warnAfter = maxDelay * fraction;
    if (state.last_event_at === null) return judgeNeverSeen(state, now, maxDelay, warnAfter);
    const age = Math.max(0, now - state.last_event_at);
    const lastTime = new Date(state.last_event_at).toISOString();
    const arrival = typeof state.last_arrival_at === 'number' ? state.last_arrival_at : undefined;
    // records still arriving, but with old event times: the producer (or its relay) lags
    const lagging = arrival !== undefined && now - arrival < age / 2;
    const stale = lagging
      ? `Data is ${formatDuration(age)} behind: records keep arriving (newest ${formatDuration(Math.max(0, now - arrival))} ago) but the newest event is ${lastTime}`
      : `No new data for ${formatDuration(age)}: newest event ${lastTime}`;
    const verdict: Verdict = {
      state: age > maxDelay ? 'CRITICAL' : age > warnAfter ? 'WARNING' : 'OK',
      reason:
        age > maxDelay
          ? `${stale}, freshness SLO ${formatDuration(maxDelay)} exceeded.`
          : age > warnAfter
            ? `Data is ${formatDuration(age)} old, approaching the freshness SLO of ${formatDuration(maxDelay)}.`
            : `Data is fresh: newest event ${formatDuration(age)} old (SLO ${formatDuration(maxDelay)}).`,
      metrics: {
        age_seconds: Math.round(age / 1000),
        max_delay_seconds: Math.round(maxDelay / 1000),
        warn_after_seconds: Math.round(warnAfter / 1000),
        last_event_time: lastTime,
        ...(arrival === undefined ? {} : { last_arrival_time: new Date(arrival).toISOString() }),
      },
      expected: { max: Math.round(maxDelay / 1000), unit: 'seconds' },
    };
    if (state.last !== null) verdict.last_good = state.last as unknown as RecordPointer;
    return verdict;
  };

  return {
    type: 'FRESHNESS',
    id: `freshness@${options.version ?? '0.1.0'}`,
    group: options.group ?? 'freshness',
    watchesUnseen: true,
    // Late evidence (older than the last closed window) still carries its event time: a dataset
    // whose every record arrives 10 minutes late is 10 minutes stale, not silent.
    lateEvidence: 'arrival',
    initialState: () => ({
      last_event_at: null,
      last: null,
      watching_since: null,
      last_arrival_at: null,
    }),
    observe(state, evidence) {
      const time = parseTime(evidence.event_time);
      const arrived = parseTime(evidence.processing_time);
      const arrival =
        Number.isNaN(arrived) ||
        (typeof state.last_arrival_at === 'number' && arrived <= state.last_arrival_at)
          ? (state.last_arrival_at ?? null)
          : arrived;
      if (Number.isNaN(time) || (state.last_event_at !== null && time <= state.last_event_at))
        return arrival === (state.last_arrival_at ?? null)
          ? state
          : { ...state, last_arrival_at: arrival };
      const last: { [key: string]: JsonValue } = {
        time: evidence.event_time,
        evidence_id: evidence.evidence_id,
        topic: evidence.topic,
      };
      if (evidence.partition !== undefined) last.partition = evidence.partition;
      if (evidence.offset !== undefined) last.offset = evidence.offset;
      if (evidence.schema_fingerprint !== undefined) last.fingerprint = evidence.schema_fingerprint;
      return { last_event_at: time, last, watching_since: null, last_arrival_at: arrival };
    },
    closeWindow(state): EngineStep<FreshnessState> {
      return { state };
    },
    tick(state, now, dataset) {
      // a watched dataset without evidence: remember when watching started (state change, persisted)
      const current =
        state.last_event_at === null && typeof state.watching_since !== 'number'
          ? { ...state, watching_since: now }
          : state;
      const verdict = judge(current, now, dataset);
      return verdict === undefined ? { state: current } : { state: current, verdict };
    },
  };
}
