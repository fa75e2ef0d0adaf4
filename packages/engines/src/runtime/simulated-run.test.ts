import type { Evidence, Signal } from '@signal-factory/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFreshnessEngine } from '../freshness/freshness-engine';
import { createVolumeEngine } from '../volume/volume-engine';
import { createDatasetCatalog } from './dataset-catalog';
import { evidence, harness, T0, type Harness } from './fixtures.test-data';

const MIN = 60_000;
const STEADY = 'urn:dp:shop:steady';
const STALL = 'urn:dp:shop:stalls';
const DROP = 'urn:dp:shop:drops';

let h: Harness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  h = undefined;
});

/** Records per 10 s step for each dataset at simulated time t (sampled 1-in-5: weight 5). */
function rate(urn: string, t: number): number {
  const minute = (t - T0) / MIN;
  if (urn === STALL && minute >= 30) return 0;
  if (urn === DROP && minute >= 40 && minute < 55) return 1;
  return 20;
}

describe('75 simulated minutes in accelerated time', () => {
  it('plays deterministically: steady stays OK, a stall and a drop are caught on time', async () => {
    h = await harness({
      engines: [createFreshnessEngine(), createVolumeEngine()],
      datasets: createDatasetCatalog({
        datasets: [{ urn: STALL, tier: 1, slo: { freshness_max_delay: '10m' } }],
      }),
    });
    const started = performance.now();
    const step = 10_000;
    for (let t = T0; t < T0 + 75 * MIN; t += step) {
      const batch: Evidence[] = [];
      for (const urn of [STEADY, STALL, DROP]) {
        const n = rate(urn, t);
        for (let i = 0; i < n; i++)
          batch.push(evidence(urn, t + Math.floor((i * step) / n), { sample_weight: 5 }));
      }
      await h.publish(batch);
      await h.runtime.advanceTo(t + step);
    }
    const elapsed = performance.now() - started;
    const changes = (urn: string, type: string) =>
      h!.signals
        .filter(
          (s: Signal) =>
            s.dataset_urn === urn && s.signal_type === type && s.metrics.signal_kind === 'change',
        )
        .map((s) => [s.state, Math.round((Date.parse(s.emitted_at) - T0) / 1000)]);

    expect(changes(STEADY, 'FRESHNESS')).toEqual([['OK', 10]]);
    expect(changes(STEADY, 'VOLUME')).toEqual([['OK', 420]]);
    // stall at 30:00 (last event 29:59.5); SLO 10 min → WARNING past 8 min, CRITICAL past 10 min
    expect(changes(STALL, 'FRESHNESS')).toEqual([
      ['OK', 10],
      ['WARNING', 38 * 60],
      ['CRITICAL', 40 * 60],
    ]);
    // volume: window [30, 35) closes at 37:00 with zero records
    expect(changes(STALL, 'VOLUME')).toEqual([
      ['OK', 420],
      ['CRITICAL', 37 * 60],
    ]);
    // drop at 40:00 → window [40, 45) closes at 47:00; recovery at 55:00 → window [55,60) closes at 62:00
    expect(changes(DROP, 'VOLUME')).toEqual([
      ['OK', 420],
      ['CRITICAL', 47 * 60],
      ['OK', 62 * 60],
    ]);
    const drop = h.signals.find((s) => s.dataset_urn === DROP && s.state === 'CRITICAL')!;
    expect(drop.metrics).toMatchObject({ anomaly: 'VOLUME_DROP', record_count: 150 });
    expect(drop.expected!.min).toBeGreaterThan(150);
    expect(drop.window).toEqual({
      start: new Date(T0 + 40 * MIN).toISOString(),
      end: new Date(T0 + 45 * MIN).toISOString(),
    });
    const m = h.runtime.metrics().engines;
    expect(m.volume!.observedWeight).toBe(m.freshness!.observedWeight);
    expect(m.volume!.late + m.volume!.futureClamped + m.volume!.invalid).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
  });
});
