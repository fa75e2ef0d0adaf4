import { afterEach, describe, expect, it } from 'vitest';
import { createDatasetCatalog } from '../runtime/dataset-catalog';
import { evidence, harness, stream, T0, type Harness } from '../runtime/fixtures.test-data';
import { createFreshnessEngine, formatDuration } from './freshness-engine';

const URN = 'urn:dp:orders:created';
const MIN = 60_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  h = undefined;
});

describe('freshness engine', () => {
  it('turns WARNING at the warn fraction, CRITICAL past the SLO, by the clock alone, then recovers', async () => {
    h = await harness({ engines: [createFreshnessEngine()], heartbeatMs: 3_600_000 });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 10)); // newest event at T0 + 4.5 min
    await h.runtime.advanceTo(T0 + 5 * MIN);
    expect(h.signals.map((s) => s.state)).toEqual(['OK']);
    // default SLO 15 min, WARNING after 12 min
    await h.runtime.advanceTo(T0 + 4.5 * MIN + 12 * MIN + 10_000);
    expect(h.signals.map((s) => s.state)).toEqual(['OK', 'WARNING']);
    await h.runtime.advanceTo(T0 + 4.5 * MIN + 15 * MIN + 10_000);
    const critical = h.signals.at(-1)!;
    expect(critical).toMatchObject({
      state: 'CRITICAL',
      previous_state: 'WARNING',
      signal_type: 'FRESHNESS',
      engine: 'freshness@0.1.0',
      expected: { max: 900, unit: 'seconds' },
      last_good: { time: new Date(T0 + 4.5 * MIN).toISOString() },
    });
    expect(critical.metrics.max_delay_seconds).toBe(900);
    expect(critical.defaults_applied).toContain('freshness_max_delay');
    expect(critical.reason).toMatch(/No new data for 15m/);
    // CRITICAL is detected within one tick of the SLO being exceeded
    expect(Date.parse(critical.emitted_at) - (T0 + 4.5 * MIN + 15 * MIN)).toBeLessThanOrEqual(
      10_000,
    );
    const at = T0 + 25 * MIN;
    await h.publish([evidence(URN, at)]);
    await h.runtime.advanceTo(at + 10_000);
    expect(h.signals.map((s) => s.state)).toEqual(['OK', 'WARNING', 'CRITICAL', 'OK']);
  });

  it('uses the dataset SLO and the warnFraction option', async () => {
    h = await harness({
      engines: [createFreshnessEngine({ warnFraction: 0.5 })],
      datasets: createDatasetCatalog({
        datasets: [{ urn: URN, slo: { freshness_max_delay: '4m' } }],
      }),
      heartbeatMs: 3_600_000,
    });
    await h.publish([evidence(URN, T0)]);
    await h.runtime.advanceTo(T0 + 2 * MIN + 10_000);
    await h.runtime.advanceTo(T0 + 4 * MIN + 10_000);
    expect(h.signals.map((s) => [s.state, s.metrics.warn_after_seconds])).toEqual([
      ['OK', 120],
      ['WARNING', 120],
      ['CRITICAL', 120],
    ]);
    expect(h.signals[0]!.defaults_applied).not.toContain('freshness_max_delay');
  });

  it('pages for a known dataset that never sends anything, once across two instances, and recovers', async () => {
    const datasets = createDatasetCatalog({
      datasets: [{ urn: URN, tier: 1, slo: { freshness_max_delay: '15m' } }],
    });
    h = await harness({ engines: [createFreshnessEngine()], datasets, heartbeatMs: 3_600_000 });
    // a second instance on the same bus and state: the dataset must be judged by one of them only
    const second = await harness({
      engines: [createFreshnessEngine()],
      datasets,
      heartbeatMs: 3_600_000,
      bus: h.bus,
      state: h.state,
      clock: h.clock,
    });
    try {
      const advance = async (to: number): Promise<void> => {
        await h!.runtime.advanceTo(to);
        await second.runtime.advanceTo(to);
      };
      await advance(T0 + 11 * MIN);
      expect([...h.signals, ...second.signals]).toEqual([]); // not yet at the warn point (12m)
      await advance(T0 + 16 * MIN);
      const all = [...h.signals, ...second.signals];
      expect(all.map((s) => s.state)).toEqual(['WARNING', 'CRITICAL']);
      const critical = all[1]!;
      expect(critical).toMatchObject({ signal_type: 'FRESHNESS', dataset_urn: URN });
      expect(critical.reason).toMatch(/No data at all for 1[56]m/);
      // watched from the first tick after start
      const since = Date.parse(String(critical.metrics.watching_since));
      expect(since - T0).toBeGreaterThanOrEqual(0);
      expect(since - T0).toBeLessThanOrEqual(10_000);
      expect(critical.last_good).toBeUndefined();
      // the first evidence brings it back
      const at = T0 + 20 * MIN;
      await h.publish([evidence(URN, at)]);
      await advance(at + 10_000);
      expect([...h.signals, ...second.signals].map((s) => s.state)).toEqual([
        'WARNING',
        'CRITICAL',
        'OK',
      ]);
    } finally {
      await second.runtime.close();
    }
  });

  it('does not watch datasets it only looked up (no list of them exists)', async () => {
    h = await harness({ engines: [createFreshnessEngine()], heartbeatMs: 3_600_000 });
    await h.runtime.advanceTo(T0 + 60 * MIN);
    expect(h.signals).toEqual([]);
  });

  it('ignores older events (the newest event time counts)', () => {
    const engine = createFreshnessEngine();
    const ctx = {
      urn: URN,
      tier: 3 as const,
      slo: { freshnessMaxDelayMs: 60_000, freshnessWarnFraction: 0.8, complianceMin: 0.95 },
      defaultsApplied: [],
    };
    let s = engine.initialState(ctx);
    const w = { start: T0, end: T0 + 5 * MIN };
    s = engine.observe(s, evidence(URN, T0 + 2000), 1, w, ctx);
    s = engine.observe(s, evidence(URN, T0 + 1000), 1, w, ctx);
    expect(s.last_event_at).toBe(T0 + 2000);
    expect(engine.tick!(s, T0 + 2000 + 50_000, ctx).verdict!.state).toBe('WARNING');
    expect(engine.tick!(engine.initialState(ctx), T0, ctx).verdict).toBeUndefined();
  });

  it('formats durations and validates options', () => {
    expect(formatDuration(17 * MIN + 3000)).toBe('17m 3s');
    expect(formatDuration(2 * 3_600_000 + 5 * MIN)).toBe('2h 5m');
    expect(formatDuration(45_000)).toBe('45s');
    expect(() => createFreshnessEngine({ warnFraction: 0 })).toThrow(/warnFraction/);
  });
});
