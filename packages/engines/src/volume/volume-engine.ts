import type { JsonValue } from '@signal-factory/core';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';
import type {
  DatasetContext,
  EngineStep,
  SignalEngine,
  Verdict,
  WindowBounds,
} from '../runtime/signal-engine';
import { parseTime } from '../runtime/window-math';
import { HOURS_PER_WEEK, hourOfWeek, hourOfWeekLabel } from './hour-of-week';

/**
 * Per-dataset state of the volume engine (plain JSON, bounded: about 1.5 KB whatever the traffic).
 * The weekly baseline is one EWMA per hour of the week of the weighted count per window, updated
 * as each window closes (incremental, never recomputed).
 */
export interface VolumeState {
  [key: string]: JsonValue;
  /** Open windows, flat: [start (epoch ms), weighted count, evidence count, start, …] (usually one or two). */
  open: number[];
  /** First event time seen; the window holding it is partial and neither judged nor learned. */
  first_event_at: number | null;
  /** Windows closed since the first event. */
  closed: number;
  /** EWMA of recent windows (used until the hour-of-week bucket has data). */
  recent: number | null;
  /**
   * Slow EWMA of the same windows (the level of the last hours): traffic coming back to it after
   * a disturbance the recent level followed (a flapping producer, a campaign) is not a change.
   * Null or absent (older state) until the first window.
   */
  long: number | null;
  /** EWMA of |count − expected| / expected over normal windows. */
  rel_dev: number;
  /** EWMA of the evidence sample weight (noise of sampled counts). */
  weight: number;
  /** Weighted counts of the last hour of windows (per-hour static limits). */
  hour: number[];
  /** Per hour of week (0 = Mon 00:00 UTC): EWMA of the weighted count per window; −1 = not seen yet. */
  b: number[];
  /** Consecutive anomalous windows. */
  anomalies: number;
  /**
   * The anomaly of the last window and its level (`VOLUME_DROP:CRITICAL`), so a drop that edges
   * back inside the band without recovering keeps its state; absent in older state.
   */
  last: string | null;
  /** The weekly baseline was seeded (trusted before a week of history). */
  seeded: boolean;
  /**
   * The hour being learned: [hour of week, sum of its learned windows, their number]. Its mean
   * goes into the bucket once, when the hour is over, so one odd hour moves a bucket by
   * `bucketAlpha` (not by 12 updates of it); null or absent (older state) before the first.
   */
  wk: number[] | null;
  /** Consecutive windows that were a drop against the weekly baseline; null or absent in older state. */
  wk_drop: number | null;
}

export interface VolumeEngineOptions {
  /** Engine version in `engine`. Default `0.1.0`. */
  version?: string;
  /** Consumer-group suffix. Default `volume`. */
  group?: string;
  /** Weight of this week's hour in its hour-of-week bucket (0–1); the hour's windows count once, as their mean. Default 0.2. */
  bucketAlpha?: number;
  /** Weight of a new window in the recent level (0–1). Default 0.3. */
  recentAlpha?: number;
  /** Weight of a new window in the slow level of the last hours (0–1). Default 0.05 (~100 min). */
  longAlpha?: number;
  /** Weight of a new window in the relative deviation (0–1). Default 0.05. */
  deviationAlpha?: number;
  /** Starting relative deviation before any is learned (learned quickly: a running mean over the first windows). Default 0.1. */
  initialRelativeDeviation?: number;
  /** Tolerance in learned mean relative deviations (5 ≈ 4 σ). Default 5. */
  tolerance?: number;
  /** Tolerance in Poisson standard deviations of the sampled count (√(expected × mean weight)) during the first hour. Default 4. */
  noiseSigmas?: number;
  /** The same after the first hour, when the learned deviation already holds the real noise. Default 2. */
  learnedNoiseSigmas?: number;
  /** Magnitude guard: a change smaller than this many records per window never fires. Default 10. */
  minAbsoluteChange?: number;
  /** Magnitude guard: a change smaller than this fraction of the expected count never fires. Default 0.2. */
  minRelativeChange?: number;
  /**
   * A drop to at most (1 − this) × expected is CRITICAL, a smaller one WARNING. Default 0.4: a
   * halved stream is an incident with room for noise (a threshold at exactly half would make
   * "half the traffic" a coin toss between WARNING and CRITICAL).
   */
  criticalDropRatio?: number;
  /** A spike to at least this × expected is CRITICAL, a smaller one WARNING. Default 2.5 (tripled is CRITICAL, doubled WARNING, both with room for noise). */
  criticalSpikeRatio?: number;
  /** Windows learned before the recent level is trusted. Default 3. */
  warmupWindows?: number;
  /**
   * Anomalous windows are not learned (an outage or a burst must not become the baseline) until
   * the anomaly has lasted this many windows: then it is a new level and learned. Default 6 (30 min).
   */
  relearnAfterWindows?: number;
  /** Same for CRITICAL drops (to at most (1 − criticalDropRatio) × expected), which must stay visible for the whole outage. Default 288 (a day). */
  acceptDropAfterWindows?: number;
  /**
   * Seeds the weekly baseline of a dataset seen for the first time: expected weighted count per
   * window for each of the 168 hours of the week (0 = Monday 00:00 UTC; negative = unknown).
   */
  baselineSeed?: (urn: string) => ReadonlyArray<number> | undefined;
}

type Resolved = Required<Omit<VolumeEngineOptions, 'baselineSeed' | 'version' | 'group'>>;

const DEFAULTS: Resolved = {
  bucketAlpha: 0.2,
  recentAlpha: 0.3,
  longAlpha: 0.05,
  deviationAlpha: 0.05,
  initialRelativeDeviation: 0.1,
  tolerance: 5,
  noiseSigmas: 4,
  learnedNoiseSigmas: 2,
  minAbsoluteChange: 10,
  minRelativeChange: 0.2,
  criticalDropRatio: 0.4,
  criticalSpikeRatio: 2.5,
  warmupWindows: 3,
  relearnAfterWindows: 6,
  acceptDropAfterWindows: 288,
};

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const SEVERITY = { OK: 0, WARNING: 1, CRITICAL: 2 } as const;

const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

function validate(options: VolumeEngineOptions): void {
  const p: OptionProblem[] = [];
  const unit = { min: 0, max: 1, exclusiveMin: true };
  checkNumber(p, 'bucketAlpha', options.bucketAlpha, unit);
  checkNumber(p, 'recentAlpha', options.recentAlpha, unit);
  checkNumber(p, 'longAlpha', options.longAlpha, unit);
  checkNumber(p, 'deviationAlpha', options.deviationAlpha, unit);
  checkNumber(p, 'initialRelativeDeviation', options.initialRelativeDeviation, { min: 0 });
  checkNumber(p, 'tolerance', options.tolerance, { min: 0 });
  checkNumber(p, 'noiseSigmas', options.noiseSigmas, { min: 0 });
  checkNumber(p, 'learnedNoiseSigmas', options.learnedNoiseSigmas, { min: 0 });
  checkNumber(p, 'minAbsoluteChange', options.minAbsoluteChange, { min: 0 });
  checkNumber(p, 'minRelativeChange', options.minRelativeChange, { min: 0 });
  checkNumber(p, 'criticalDropRatio', options.criticalDropRatio, unit);
  checkNumber(p, 'criticalSpikeRatio', options.criticalSpikeRatio, { min: 1, exclusiveMin: true });
  checkNumber(p, 'warmupWindows', options.warmupWindows, { min: 1, integer: true });
  checkNumber(p, 'relearnAfterWindows', options.relearnAfterWindows, { min: 0, integer: true });
  checkNumber(p, 'acceptDropAfterWindows', options.acceptDropAfterWindows, {
    min: 0,
    integer: true,
  });
  if (options.baselineSeed !== undefined && typeof options.baselineSeed !== 'function')
    p.push({ path: 'baselineSeed', message: 'must be a function' });
  if (options.version !== undefined && typeof options.version !== 'string')
    p.push({ path: 'version', message: 'must be a string' });
  if (options.group !== undefined && (typeof options.group !== 'string' || options.group === ''))
    p.push({ path: 'group', message: 'must be a non-empty string' });
  if (p.length > 0) throw optionsError('createVolumeEngine', p);
}

interface Expectation {
  mean: number;
  source: 'hour_of_week' | 'recent' | 'long';
  baselineWindow: string;
}

/**
 * VOLUME: weighted record counts per window against static limits (per window, per trailing hour)
 * and a learned weekly baseline; VOLUME_DROP / VOLUME_SPIKE (in `metrics.anomaly`) only past both
 * a statistical tolerance and magnitude guards, so small datasets do not page on tiny changes.
 */
export function createVolumeEngine(options: VolumeEngineOptions = {}): SignalEngine<VolumeState> {
  validate(options);
  const o: Resolved = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options))
    if (v !== undefined && k in DEFAULTS) (o as unknown as Record<string, unknown>)[k] = v;

  /**
   * What the window is judged against: the hour-of-week bucket once a week of history (or a seed)
   * backs it, and the recent level once warmed up. A window is anomalous only when it is outside
   * every available expectation, so a dip the weekly baseline has seen, or a gradual trend the
   * recent level follows, never fires.
   */
  const expectations = (state: VolumeState, window: WindowBounds): Expectation[] => {
    const out: Expectation[] = [];
    const bucket = hourOfWeek(window.start);
    const b = state.b[bucket] ?? -1;
    const history = state.first_event_at === null ? 0 : window.start - state.first_event_at;
    if (b >= 0 && (state.seeded || history >= WEEK - HOUR))
      out.push({
        mean: b,
        source: 'hour_of_week',
        baselineWindow: `7d hour-of-week ${hourOfWeekLabel(bucket)}`,
      });
    if (state.recent !== null && state.closed > o.warmupWindows)
      out.push({ mean: state.recent, source: 'recent', baselineWindow: 'recent windows (EWMA)' });
    const long = state.long ?? null;
    if (long !== null && state.closed > o.warmupWindows)
      out.push({ mean: long, source: 'long', baselineWindow: 'last hours (slow EWMA)' });
    return out;
  };

  const evaluate = (state: VolumeState, m: number, count: number) => {
    const spread = Math.max(
      o.tolerance * state.rel_dev * m,
      (state.closed > 12 ? o.learnedNoiseSigmas : o.noiseSigmas) *
        Math.sqrt(Math.max(m, 1) * Math.max(state.weight, 1)),
      o.minAbsoluteChange,
      o.minRelativeChange * m,
    );
    const lower = Math.max(0, m - spread);
    const upper = m + spread;
    let anomaly: 'NONE' | 'VOLUME_DROP' | 'VOLUME_SPIKE' = 'NONE';
    let level: Verdict['state'] = 'OK';
    if (count < lower && m - count >= o.minAbsoluteChange) {
      anomaly = 'VOLUME_DROP';
      level = count <= (1 - o.criticalDropRatio) * m ? 'CRITICAL' : 'WARNING';
    } else if (count > upper && count - m >= o.minAbsoluteChange) {
      anomaly = 'VOLUME_SPIKE';
      // A few records more on a trickle of single digits is a big ratio and no news: CRITICAL
      // also needs the excess well past the noise band.
      level =
        count >= o.criticalSpikeRatio * m && count - m >= 1.5 * spread ? 'CRITICAL' : 'WARNING';
    }
    return { lower, upper, anomaly, level };
  };

  const judgeStatic = (
    count: number,
    hourSum: number | undefined,
    hourFraction: number,
    slo: DatasetContext['slo'],
  ):
    | { state: Verdict['state']; reason: string; anomaly: string; min?: number; max?: number }
    | undefined => {
    if (slo.volumeMinPerWindow !== undefined && count < slo.volumeMinPerWindow)
      return {
        state: 'CRITICAL',
        anomaly: 'VOLUME_DROP',
        reason: `VOLUME_DROP: ${round(count)} records in the window, below the minimum of ${slo.volumeMinPerWindow} per window.`,
        min: slo.volumeMinPerWindow,
      };
    if (slo.volumeMaxPerWindow !== undefined && count > slo.volumeMaxPerWindow)
      return {
        state: 'CRITICAL',
        anomaly: 'VOLUME_SPIKE',
        reason: `VOLUME_SPIKE: ${round(count)} records in the window, above the maximum of ${slo.volumeMaxPerWindow} per window.`,
        max: slo.volumeMaxPerWindow,
      };
    // Per-hour limits apply to the trailing hour, pro-rated while less than an hour is known.
    const span =
      hourFraction >= 1 ? 'the last hour' : `the last ${Math.round(hourFraction * 60)} minutes`;
    const minHour =
      slo.volumeMinPerHour === undefined ? undefined : round(slo.volumeMinPerHour * hourFraction);
    const maxHour =
      slo.volumeMaxPerHour === undefined ? undefined : round(slo.volumeMaxPerHour * hourFraction);
    if (hourSum !== undefined && minHour !== undefined && hourSum < minHour)
      return {
        state: 'CRITICAL',
        anomaly: 'VOLUME_DROP',
        reason: `VOLUME_DROP: ${round(hourSum)} records in ${span}, below the minimum of ${slo.volumeMinPerHour} per hour.`,
        min: minHour,
      };
    if (hourSum !== undefined && maxHour !== undefined && hourSum > maxHour)
      return {
        state: 'CRITICAL',
        anomaly: 'VOLUME_SPIKE',
        reason: `VOLUME_SPIKE: ${round(hourSum)} records in ${span}, above the maximum of ${slo.volumeMaxPerHour} per hour.`,
        max: maxHour,
      };
    return undefined;
  };

  return {
    type: 'VOLUME',
    id: `volume@${options.version ?? '0.1.0'}`,
    group: options.group ?? 'volume',
    // Volume measures what arrives: a backlog flushed beyond the grace period is late, not absent.
    lateEvidence: 'arrival',

    initialState(dataset) {
      const b = new Array<number>(HOURS_PER_WEEK).fill(-1);
      const seed = options.baselineSeed?.(dataset.urn);
      if (seed !== undefined)
        for (let i = 0; i < HOURS_PER_WEEK; i++) {
          const v = seed[i];
          if (typeof v === 'number' && Number.isFinite(v) && v >= 0) b[i] = v;
        }
      return {
        open: [],
        first_event_at: null,
        closed: 0,
        recent: null,
        long: null,
        rel_dev: o.initialRelativeDeviation,
        weight: 1,
        hour: [],
        b,
        anomalies: 0,
        last: null,
        seeded: seed !== undefined,
        wk: null,
        wk_drop: null,
      };
    },

    observe(state, evidence, weight, window) {
      const open = state.open;
      let i = 0;
      while (i < open.length && open[i] !== window.start) i += 3;
      if (i >= open.length) open.push(window.start, 0, 0);
      open[i + 1]! += weight;
      open[i + 2]! += 1;
      state.weight += 0.01 * (weight - state.weight);
      if (state.first_event_at === null) {
        const t = parseTime(evidence.event_time);
        state.first_event_at = Number.isNaN(t) ? window.start : t;
      }
      return state;
    },

    closeWindow(state, window, dataset): EngineStep<VolumeState> {
      let count = 0;
      let evidenceCount = 0;
      const rest: number[] = [];
      for (let i = 0; i + 2 < state.open.length; i += 3) {
        const start = state.open[i]!;
        if (start === window.start) {
          count = state.open[i + 1]!;
          evidenceCount = state.open[i + 2]!;
        } else if (start > window.start) rest.push(start, state.open[i + 1]!, state.open[i + 2]!);
      }
      state.open = rest;
      if (state.first_event_at === null || state.first_event_at >= window.end) return { state };
      const partial = state.first_event_at > window.start + (window.end - window.start) * 0.1;
      state.closed += 1;
      if (partial && state.closed === 1)
        return {
          state,
          verdict: {
            state: 'OK',
            reason: 'Learning the volume baseline: the first window is partial and not judged.',
            metrics: {
              record_count: round(count),
              evidence_count: evidenceCount,
              anomaly: 'NONE',
              baseline_source: 'none',
              baseline_window: 'none (learning)',
            },
            defaultsApplied: staticDefaults(dataset),
          },
        };

      const windowsPerHour = Math.max(1, Math.round(3_600_000 / (window.end - window.start)));
      state.hour.push(count);
      while (state.hour.length > windowsPerHour) state.hour.shift();
      const hourSum =
        state.hour.length >= Math.min(3, windowsPerHour)
          ? state.hour.reduce((a, n) => a + n, 0)
          : undefined;
      const hourFraction = state.hour.length / windowsPerHour;

      const candidates = expectations(state, window);
      const staticBreach = judgeStatic(count, hourSum, hourFraction, dataset.slo);
      let verdict: Verdict;
      let anomalous = false;
      const metrics: Record<string, number | string> = {
        record_count: round(count),
        evidence_count: evidenceCount,
      };
      if (hourSum !== undefined) metrics.hour_count = round(hourSum);
      const recent = candidates.find((c) => c.source === 'recent');
      if (recent !== undefined) metrics.recent_mean = round(recent.mean);

      type Judged = { e: Expectation; r: ReturnType<typeof evaluate> };
      let chosen: Judged | undefined;
      let weekly: Judged | undefined;
      for (const e of candidates) {
        const r = evaluate(state, e.mean, count);
        if (e.source === 'hour_of_week') weekly = { e, r };
        // The level of the last hours only excuses (traffic back to it); it never grades a
        // change, which the recent level or last week's hour measure better (it still holds the
        // afternoon during the evening decline, so a tripled evening would read as doubled).
        if (e.source === 'long' && r.level !== 'OK') continue;
        if (chosen === undefined || SEVERITY[r.level] < SEVERITY[chosen.r.level]) chosen = { e, r };
      }
      // A drop against the weekly baseline is not excused by the recent level: a slow leak drags
      // the recent level down with it, window by window, and is never outside it; a lost third
      // of the traffic would look normal again after relearnAfterWindows. It is accepted as a
      // lasting new level only after acceptDropAfterWindows (a spike is a new normal sooner).
      const weeklyDrop = weekly?.r.anomaly === 'VOLUME_DROP' ? (state.wk_drop ?? 0) + 1 : 0;
      state.wk_drop = weeklyDrop;
      if (weekly !== undefined && weeklyDrop > 0 && weeklyDrop <= o.acceptDropAfterWindows)
        chosen = weekly;
      // Hysteresis: a drop (spike) that comes back inside the band but not near the expected
      // level goes on — one window at the band's edge must not resolve an outage (and be learned).
      const held = typeof state.last === 'string' ? state.last.split(':') : [];
      if (chosen !== undefined && chosen.r.anomaly === 'NONE' && held.length === 2) {
        const m = chosen.e.mean;
        const guard = Math.max(o.minAbsoluteChange, o.minRelativeChange * m);
        const still =
          held[0] === 'VOLUME_DROP'
            ? count < m - guard
            : held[0] === 'VOLUME_SPIKE' && count > m + guard;
        if (still)
          chosen.r = {
            ...chosen.r,
            anomaly: held[0] as 'VOLUME_DROP' | 'VOLUME_SPIKE',
            level: held[1] === 'CRITICAL' ? 'CRITICAL' : 'WARNING',
          };
      }
      if (chosen !== undefined) {
        const { e, r } = chosen;
        const m = e.mean;
        anomalous = r.anomaly !== 'NONE';
        Object.assign(metrics, {
          expected_mean: round(m),
          expected_min: round(r.lower),
          expected_max: round(r.upper),
          change_ratio: round(m > 0 ? count / m : count > 0 ? 1e9 : 1, 4),
          anomaly: r.anomaly,
          baseline_source: e.source,
          baseline_window: e.baselineWindow,
        });
        const minutes = Math.round((window.end - window.start) / 60_000);
        const range = `expected ${round(r.lower)}–${round(r.upper)} (${e.baselineWindow})`;
        verdict = {
          state: r.level,
          reason:
            r.anomaly === 'NONE'
              ? `Volume normal: ${round(count)} records in ${minutes} minutes, ${range}.`
              : `${r.anomaly}: ${round(count)} records in ${minutes} minutes, ${range}.`,
          metrics,
          expected: { min: round(r.lower), max: round(r.upper), value: round(m), unit: 'records' },
        };
      } else {
        Object.assign(metrics, {
          anomaly: 'NONE',
          baseline_source: 'none',
          baseline_window: `none (learning, ${Math.min(state.closed, o.warmupWindows)}/${o.warmupWindows} windows)`,
        });
        verdict = {
          state: 'OK',
          reason: `Learning the volume baseline: ${round(count)} records.`,
          metrics,
        };
      }
      if (staticBreach !== undefined) {
        anomalous = true;
        metrics.anomaly = staticBreach.anomaly;
        metrics.baseline_source = 'static';
        const range: { min?: number; max?: number } = {};
        if (staticBreach.min !== undefined) range.min = staticBreach.min;
        if (staticBreach.max !== undefined) range.max = staticBreach.max;
        verdict = {
          state: 'CRITICAL',
          reason: staticBreach.reason,
          metrics,
          expected: { ...range, unit: 'records' },
        };
      }
      verdict.defaultsApplied = staticDefaults(dataset);

      // Learn; an anomaly only once it has lasted long enough to be the new normal.
      state.anomalies = anomalous ? state.anomalies + 1 : 0;
      if (anomalous && staticBreach === undefined && chosen !== undefined)
        state.last = `${String(metrics.anomaly)}:${verdict.state}`;
      else state.last = null;
      const criticalDrop =
        anomalous && verdict.state === 'CRITICAL' && metrics.anomaly === 'VOLUME_DROP';
      const factor = !anomalous
        ? 1
        : state.anomalies > (criticalDrop ? o.acceptDropAfterWindows : o.relearnAfterWindows)
          ? 1
          : 0;
      if (chosen !== undefined && !anomalous) {
        // The noise is what is left against the closest expectation: measured against a stale
        // one it would widen the band by the very change it should catch.
        let dev = Number.POSITIVE_INFINITY;
        for (const c of candidates)
          dev = Math.min(dev, Math.abs(count - c.mean) / Math.max(c.mean, 1));
        // A running mean over the first windows, then an EWMA.
        const alpha = Math.max(o.deviationAlpha, 1 / Math.max(state.closed, 1));
        state.rel_dev += alpha * (Math.min(dev, 1) - state.rel_dev);
      }
      const long = state.long ?? null;
      state.long = round(long === null ? count : long + o.longAlpha * factor * (count - long), 3);
      state.recent =
        state.recent === null
          ? count
          : state.recent + o.recentAlpha * factor * (count - state.recent);
      const bucket = hourOfWeek(window.start);
      let wk = state.wk ?? [];
      if (wk.length === 3 && wk[0] !== bucket) {
        foldHour(state, wk, o.bucketAlpha);
        wk = [];
      }
      if (wk.length !== 3) wk = [bucket, 0, 0];
      // An hour seen for the first time founds its bucket even from anomalous windows: the recent
      // level still guards the next week (a window must be outside every expectation to fire).
      if (factor === 1 || (state.b[bucket] ?? -1) < 0) {
        wk[1] = round(wk[1]! + count, 3);
        wk[2]! += 1;
      }
      state.wk = wk;
      state.recent = round(state.recent, 3);
      state.rel_dev = round(state.rel_dev, 5);
      state.weight = round(state.weight, 3);
      return { state, verdict };
    },
  };
}

/** Puts a finished hour's mean window count into its hour-of-week bucket. */
function foldHour(state: VolumeState, wk: number[], alpha: number): void {
  const [bucket, sum, n] = wk as [number, number, number];
  if (n === 0) return;
  const mean = sum / n;
  const b = state.b[bucket] ?? -1;
  state.b[bucket] = round(b < 0 ? mean : b + alpha * (mean - b), 3);
}

function staticDefaults(dataset: DatasetContext): string[] {
  const s = dataset.slo;
  return s.volumeMinPerWindow === undefined &&
    s.volumeMaxPerWindow === undefined &&
    s.volumeMinPerHour === undefined &&
    s.volumeMaxPerHour === undefined
    ? ['volume_limits']
    : [];
}
