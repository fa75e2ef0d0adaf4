import { describe, expect, it } from 'vitest';
import { resolveDatasetContext } from '../runtime/dataset-catalog';
import { evidence } from '../runtime/fixtures.test-data';
import type { DatasetContext, Verdict } from '../runtime/signal-engine';
import { hourOfWeek, hourOfWeekLabel } from './hour-of-week';
import { createVolumeEngine, type VolumeEngineOptions, type VolumeState } from './volume-engine';

const W = 300_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONDAY = Date.UTC(2026, 10, 23); // Monday 2026-11-23 00:00 UTC
const URN = 'urn:dp:orders:created';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Drives the engine directly: `count(start)` records per window, each as one evidence of weight `weight`. */
function play(
  windows: number,
  count: (start: number) => number,
  opts: {
    from?: number;
    engine?: VolumeEngineOptions;
    ctx?: DatasetContext;
    weight?: number;
    state?: VolumeState;
    /** Evidence kept for `records` records (default: records / weight, deterministic). */
    sampler?: (records: number) => number;
  } = {},
) {
  const engine = createVolumeEngine(opts.engine);
  const ctx = opts.ctx ?? resolveDatasetContext(URN, undefined);
  let state = opts.state ?? engine.initialState(ctx);
  const from = opts.from ?? MONDAY;
  const weight = opts.weight ?? 1;
  const verdicts: Array<{ start: number; verdict: Verdict }> = [];
  for (let i = 0; i < windows; i++) {
    const start = from + i * W;
    const window = { start, end: start + W };
    const records = count(start);
    const n = Math.max(0, opts.sampler ? opts.sampler(records) : Math.round(records / weight));
    for (let k = 0; k < n; k++)
      state = engine.observe(
        state,
        evidence(URN, start + Math.floor((k * W) / Math.max(n, 1))),
        weight,
        window,
        ctx,
      );
    const step = engine.closeWindow(state, window, ctx, window.end + 120_000);
    state = step.state;
    if (step.verdict) verdicts.push({ start, verdict: step.verdict });
  }
  return { state, verdicts, engine, ctx };
}

const bad = (vs: Array<{ verdict: Verdict }>) => vs.filter((v) => v.verdict.state !== 'OK');

describe('hour of week', () => {
  it('indexes hours from Monday 00:00 UTC', () => {
    expect(hourOfWeek(MONDAY)).toBe(0);
    expect(hourOfWeek(MONDAY + 5 * DAY + 10 * HOUR + 59 * 60_000)).toBe(5 * 24 + 10);
    expect(hourOfWeekLabel(5 * 24 + 10)).toBe('Sat 10:00 UTC');
    expect(hourOfWeek(MONDAY - 1)).toBe(167);
  });
});

describe('volume engine', () => {
  it('stays OK on a steady noisy stream (no false alarms over three days)', () => {
    const r = rng(1);
    const { verdicts } = play(3 * 288, () => 300 + (r() - 0.5) * 60);
    expect(bad(verdicts)).toEqual([]);
    expect(verdicts.at(-1)!.verdict.metrics.baseline_source).toBe('recent');
  });

  it('stays OK on a smooth daily cycle it has never seen', () => {
    const r = rng(2);
    const { verdicts } = play(
      2 * 288,
      (t) => 300 + 180 * Math.sin((2 * Math.PI * t) / DAY) + (r() - 0.5) * 30,
    );
    expect(bad(verdicts)).toEqual([]);
  });

  it('does not fire on a weekend dip the baseline has seen; does on the first one', () => {
    const r = rng(3);
    const weekend = (t: number) => hourOfWeek(t) >= 120;
    const count = (t: number) => (weekend(t) ? 60 : 200) * (1 + (r() - 0.5) * 0.1);
    const { verdicts } = play(15 * 288, count);
    const firstWeek = verdicts.filter((v) => v.start < MONDAY + 7 * DAY);
    const secondWeek = verdicts.filter((v) => v.start >= MONDAY + 7 * DAY);
    expect(bad(firstWeek).length).toBeGreaterThan(0);
    expect(bad(firstWeek)[0]!.verdict.metrics.anomaly).toBe('VOLUME_DROP');
    expect(bad(secondWeek)).toEqual([]);
    const saturday = secondWeek.find((v) => v.start === MONDAY + 12 * DAY + 10 * HOUR)!;
    expect(saturday.verdict.metrics.baseline_source).toBe('hour_of_week');
    expect(saturday.verdict.metrics.baseline_window).toBe('7d hour-of-week Sat 10:00 UTC');
    expect(saturday.verdict.expected).toMatchObject({ unit: 'records' });
  });

  it('fires VOLUME_DROP (CRITICAL) with the expected range and baseline window, and recovers', () => {
    const { verdicts } = play(60, (t) => (t >= MONDAY + 40 * W && t < MONDAY + 44 * W ? 50 : 1000));
    const drop = verdicts.find((v) => v.start === MONDAY + 40 * W)!.verdict;
    expect(drop.state).toBe('CRITICAL');
    expect(drop.metrics.anomaly).toBe('VOLUME_DROP');
    expect(drop.reason).toMatch(/^VOLUME_DROP: 50 records/);
    expect(drop.expected!.min).toBeGreaterThan(50);
    expect(drop.expected!.max).toBeGreaterThan(1000);
    expect(drop.metrics.baseline_window).toBe('recent windows (EWMA)');
    expect(verdicts.find((v) => v.start === MONDAY + 44 * W)!.verdict.state).toBe('OK');
    // a shallower drop is only a WARNING
    const shallow = play(60, (t) => (t >= MONDAY + 40 * W ? 700 : 1000)).verdicts;
    expect(shallow.find((v) => v.start === MONDAY + 40 * W)!.verdict).toMatchObject({
      state: 'WARNING',
      metrics: { anomaly: 'VOLUME_DROP' },
    });
  });

  it('keeps a drop open while counts stay well below the expectation, even inside a noisy band', () => {
    const noise = rng(11);
    const at = (i: number) => MONDAY + i * W;
    const { verdicts } = play(48, (t) => {
      if (t === at(40)) return 100; // the outage starts
      if (t > at(40) && t <= at(43)) return 650; // a third short: inside the ±noise band, not back
      return Math.round(1000 * (0.7 + 0.6 * noise())); // 1000 ± 30 %
    });
    const state = (i: number) => verdicts.find((v) => v.start === at(i))!.verdict;
    expect(bad(verdicts.filter((v) => v.start < at(40)))).toEqual([]);
    expect(state(40)).toMatchObject({ state: 'CRITICAL', metrics: { anomaly: 'VOLUME_DROP' } });
    for (const i of [41, 42, 43])
      expect(state(i)).toMatchObject({ state: 'CRITICAL', metrics: { anomaly: 'VOLUME_DROP' } });
    expect(state(44).state).toBe('OK'); // back near the expected level
  });

  it('judges an empty window (absence) as a drop', () => {
    const { verdicts } = play(30, (t) => (t >= MONDAY + 20 * W ? 0 : 400));
    expect(verdicts.find((v) => v.start === MONDAY + 20 * W)!.verdict).toMatchObject({
      state: 'CRITICAL',
      metrics: { anomaly: 'VOLUME_DROP', record_count: 0 },
    });
  });

  it('fires VOLUME_SPIKE', () => {
    const { verdicts } = play(40, (t) =>
      t === MONDAY + 30 * W ? 5000 : t === MONDAY + 35 * W ? 1600 : 1000,
    );
    expect(verdicts.find((v) => v.start === MONDAY + 30 * W)!.verdict).toMatchObject({
      state: 'CRITICAL',
      metrics: { anomaly: 'VOLUME_SPIKE' },
    });
    expect(verdicts.find((v) => v.start === MONDAY + 35 * W)!.verdict).toMatchObject({
      state: 'WARNING',
      metrics: { anomaly: 'VOLUME_SPIKE' },
    });
  });

  it('does not page low-volume datasets on tiny absolute changes', () => {
    const r = rng(4);
    const tiny = play(200, (t) => (t > MONDAY + 100 * W ? 0 : Math.round(r() * 6)));
    expect(bad(tiny.verdicts)).toEqual([]);
    const small = play(200, (t) => (t > MONDAY + 100 * W ? 2 : 8));
    expect(bad(small.verdicts)).toEqual([]);
  });

  it('honours sample weights: sampled evidence counts for the records it stands for', () => {
    const { verdicts } = play(30, (t) => (t >= MONDAY + 20 * W ? 100 : 1000), { weight: 50 });
    const v = verdicts.find((x) => x.start === MONDAY + 10 * W)!.verdict;
    expect(v.metrics.record_count).toBe(1000);
    expect(v.metrics.evidence_count).toBe(20);
    expect(verdicts.find((x) => x.start === MONDAY + 20 * W)!.verdict.state).toBe('CRITICAL');
  });

  it('sees a halving of a heavily sampled dataset, without false alarms from random sampling', () => {
    // deterministic 1-in-100 sampling: 3,000 records per window as 30 evidence of weight 100
    const halved = play(40, (t) => (t >= MONDAY + 30 * W ? 1500 : 3000), { weight: 100 }).verdicts;
    expect(bad(halved.filter((v) => v.start < MONDAY + 30 * W))).toEqual([]);
    expect(halved.find((v) => v.start === MONDAY + 30 * W)!.verdict.metrics.anomaly).toBe(
      'VOLUME_DROP',
    );
    // random 1-in-100 sampling (binomial): a day of steady traffic stays OK
    const r = rng(5);
    const binomial = (records: number) => {
      let n = 0;
      for (let i = 0; i < records; i++) if (r() < 0.01) n += 1;
      return n;
    };
    const steady = play(288, () => 3000, { weight: 100, sampler: binomial }).verdicts;
    expect(bad(steady)).toEqual([]);
  });

  it('applies static limits per window and per trailing hour', () => {
    const ctx = resolveDatasetContext(URN, {
      urn: URN,
      slo: { volume_min_per_window: 100, volume_max_per_hour: 20_000 },
    });
    const { verdicts } = play(
      30,
      (t) => (t === MONDAY + 5 * W ? 90 : t >= MONDAY + 20 * W ? 2500 : 1000),
      { ctx },
    );
    expect(verdicts.find((v) => v.start === MONDAY + 5 * W)!.verdict).toMatchObject({
      state: 'CRITICAL',
      metrics: { anomaly: 'VOLUME_DROP', baseline_source: 'static' },
      expected: { min: 100, unit: 'records' },
    });
    const hourly = verdicts.find((v) => v.start === MONDAY + 29 * W)!.verdict;
    expect(hourly.state).toBe('CRITICAL');
    expect(hourly.reason).toContain('per hour');
    expect(hourly.defaultsApplied ?? []).not.toContain('volume_limits');
  });

  it('pro-rates per-hour limits while less than an hour is known', () => {
    const ctx = resolveDatasetContext(URN, { urn: URN, slo: { volumeMinPerHour: 12_000 } });
    const { verdicts } = play(6, (t) => (t >= MONDAY + 3 * W ? 500 : 1000), { ctx });
    expect(verdicts.slice(0, 3).map((v) => v.verdict.state)).toEqual(['OK', 'OK', 'OK']);
    expect(verdicts[3]!.verdict).toMatchObject({
      state: 'CRITICAL',
      expected: { min: 4000 },
      metrics: { anomaly: 'VOLUME_DROP', hour_count: 3500 },
    });
    expect(verdicts[3]!.verdict.reason).toContain('the last 20 minutes');
  });

  it('does not judge a partial first window and learns before judging', () => {
    const engine = createVolumeEngine();
    const ctx = resolveDatasetContext(URN, undefined);
    let s = engine.initialState(ctx);
    const w = { start: MONDAY, end: MONDAY + W };
    s = engine.observe(s, evidence(URN, MONDAY + 200_000), 1, w, ctx);
    const step = engine.closeWindow(s, w, ctx, w.end);
    expect(step.verdict).toMatchObject({ state: 'OK', metrics: { baseline_source: 'none' } });
    expect(step.verdict!.defaultsApplied).toEqual(['volume_limits']);
  });

  it('keeps an outage out of the baseline', () => {
    const outage = (t: number) => t >= MONDAY + 10 * HOUR && t < MONDAY + 10.5 * HOUR;
    const { verdicts } = play(8 * 288, (t) => (outage(t) ? 0 : 200));
    const nextWeek = verdicts.find((v) => v.start === MONDAY + 7 * DAY + 10 * HOUR + 15 * 60_000)!;
    expect(nextWeek.verdict.state).toBe('OK');
    expect(Number(nextWeek.verdict.metrics.expected_mean)).toBeGreaterThan(120);
  });

  it('keeps its state bounded (a week of traffic fits in ~2 KB of JSON)', () => {
    // One window more than a week: an hour goes into its bucket when the next one starts.
    const { state } = play(7 * 288 + 1, () => 50);
    expect(JSON.stringify(state).length).toBeLessThan(2500);
    expect(state.b.every((x) => x >= 0)).toBe(true);
  });

  it('pages a slow leak against the weekly baseline although the recent level follows it', () => {
    const r = rng(7);
    const week = 7 * 288;
    // A week of ~1,000 per window, then the stream loses ~7 % of its level every 20 minutes.
    const { verdicts } = play(week + 36, (start) => {
      const i = Math.round((start - MONDAY) / W);
      const level = i < week ? 1 : Math.max(0.25, 1 - 0.07 * Math.floor((i - week) / 4));
      return Math.round(1000 * level + (r() - 0.5) * 60);
    });
    const live = verdicts.filter((v) => v.start >= MONDAY + week * W);
    const firstCritical = live.find((v) => v.verdict.state === 'CRITICAL');
    expect(firstCritical?.verdict.metrics).toMatchObject({
      anomaly: 'VOLUME_DROP',
      baseline_source: 'hour_of_week',
    });
    // Once past the CRITICAL ratio (<= 60 % of the weekly level) it stays paged.
    const after = live.filter((v) => v.start >= (firstCritical?.start ?? 0));
    expect(after.every((v) => v.verdict.state === 'CRITICAL')).toBe(true);
  });

  it('judges an hour against last week, not against the windows of this hour already seen', () => {
    const r = rng(3);
    const week = 7 * 288;
    // A week of history, then a campaign doubles traffic for 70 minutes (Monday 09:20-10:30).
    const surge = (i: number) => i >= week + 9 * 12 + 4 && i < week + 10 * 12 + 6;
    const { verdicts } = play(week + 11 * 12, (start) => {
      const i = Math.round((start - MONDAY) / W);
      return Math.round((surge(i) ? 2000 : 1000) + (r() - 0.5) * 60);
    });
    // Back to the level the whole week of history shows: not a drop (Monday 10:00 is still
    // last week's 1,000, although this hour's first windows were campaign traffic).
    const after = verdicts.filter((v) => v.start >= MONDAY + (week + 10 * 12 + 6) * W);
    expect(after.length).toBe(6);
    expect(bad(after)).toEqual([]);
  });

  it('does not call traffic that returns to the level of the last hours a spike', () => {
    const r = rng(5);
    // No history: a producer flaps from its third window (7 minutes stuck, 3 running), then recovers.
    const { verdicts } = play(40, (start) => {
      const i = Math.round((start - MONDAY) / W);
      const flapping = i >= 2 && i < 12;
      return flapping ? (i % 2 === 0 ? 0 : 380) : Math.round(600 + (r() - 0.5) * 40);
    });
    const recovered = verdicts.filter((v) => v.start >= MONDAY + 12 * W);
    expect(recovered.filter((v) => v.verdict.metrics.anomaly === 'VOLUME_SPIKE')).toEqual([]);
  });

  it('grades a tripled evening against the recent level, not the afternoon the slow level still holds', () => {
    const { verdicts } = play(46, (start) => {
      const i = Math.round((start - MONDAY) / W);
      if (i < 24) return 1000;
      if (i < 36) return 1000 - (i - 23) * 50; // the evening decline, to 400
      return i < 40 ? 400 : 1200;
    });
    const spike = verdicts.filter((v) => v.start >= MONDAY + 40 * W);
    expect(spike[0]?.verdict).toMatchObject({
      state: 'CRITICAL',
      metrics: { anomaly: 'VOLUME_SPIKE', baseline_source: 'recent' },
    });
  });

  it('does not page CRITICAL for a few records more on a trickle', () => {
    const r = rng(11);
    const { verdicts } = play(60, (start) => {
      const i = Math.round((start - MONDAY) / W);
      return i === 50 ? 21 : 6 + Math.round(r() * 4);
    });
    expect(verdicts.filter((v) => v.verdict.state === 'CRITICAL')).toEqual([]);
  });

  it('seeds the weekly baseline', () => {
    const seed = new Array<number>(168).fill(1000);
    seed[hourOfWeek(MONDAY + 10 * HOUR)] = 300;
    const { verdicts } = play(3, () => 300, {
      from: MONDAY + 10 * HOUR,
      engine: { baselineSeed: () => seed },
    });
    expect(bad(verdicts)).toEqual([]);
    expect(verdicts[0]!.verdict.metrics.baseline_source).toBe('hour_of_week');
  });

  it('rejects invalid options with paths', () => {
    expect(() => createVolumeEngine({ bucketAlpha: 2, warmupWindows: 0.5 })).toThrow(
      /bucketAlpha.*warmupWindows/,
    );
  });
});
