import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createPrng, hash32 } from './prng';
import {
  formatDuration,
  formatOffset,
  parseDuration,
  parseIsoTime,
  parseRate,
  parseScenarioTime,
} from './units';

const START = Date.parse('2026-01-15T09:00:00Z');

describe('units', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['0s', 0],
  ])('parseDuration(%s) = %d', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'm', '15 minutes', '-5m', '5w', '1h 30m', 'PT5M'])(
    'parseDuration rejects %j',
    (text) => expect(parseDuration(text)).toBeUndefined(),
  );

  it('formats durations that parse back to the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
    expect(formatDuration(420_000)).toBe('7m');
    expect(formatDuration(3_720_000)).toBe('1h2m');
  });

  it('parses ISO times and offsets from start', () => {
    expect(parseScenarioTime('+58m', START)).toBe(START + 58 * 60_000);
    expect(parseScenarioTime('+30s', START)).toBe(START + 30_000);
    expect(parseScenarioTime('-1h', START)).toBe(START - 3_600_000);
    expect(parseScenarioTime('2026-01-15T09:58:00Z', START)).toBe(START + 58 * 60_000);
    expect(parseScenarioTime('2026-01-15T10:58:00+01:00', START)).toBe(START + 58 * 60_000);
    expect(parseIsoTime('2026-01-15T09:00:00')).toBe(START);
    expect(parseIsoTime('2026-01-15')).toBe(Date.parse('2026-01-15T00:00:00Z'));
    for (const bad of ['58m', 'tomorrow', '2026-13-45T00:00:00Z', '+', '+5 m']) {
      expect(parseScenarioTime(bad, START), bad).toBeUndefined();
    }
    expect(formatOffset(START + 58 * 60_000, START)).toBe('+58m');
    expect(formatOffset(START - 60_000, START)).toBe('-1m');
  });

  it('parses rates to events per millisecond', () => {
    expect(parseRate('250/min')).toBeCloseTo(250 / 60_000, 12);
    expect(parseRate('4/s')).toBeCloseTo(0.004, 12);
    expect(parseRate('1000/h')).toBeCloseTo(1000 / 3_600_000, 12);
    expect(parseRate('2 / sec')).toBeCloseTo(0.002, 12);
    expect(parseRate('20000/day')).toBeCloseTo(20_000 / 86_400_000, 12);
    for (const bad of ['250', '250/fortnight', '/min', 'fast', '-1/s'])
      expect(parseRate(bad), bad).toBeUndefined();
  });
});

describe('prng', () => {
  it('is deterministic per label and independent across labels', () => {
    const a = createPrng(42, 'x', 'y');
    const b = createPrng(42, 'x', 'y');
    const c = createPrng(42, 'x', 'z');
    const seqA = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(seqA);
    expect(hash32('a')).not.toBe(hash32('b'));
  });

  it('draws uniform floats, integers in range, and unit-mean exponentials', () => {
    const r = createPrng(1, 'stats');
    const n = 50_000;
    let sum = 0;
    let expSum = 0;
    const buckets = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      expSum += r.exp();
      buckets[r.int(1, 6) - 1]!++;
    }
    expect(sum / n).toBeGreaterThan(0.49);
    expect(sum / n).toBeLessThan(0.51);
    expect(expSum / n).toBeGreaterThan(0.98);
    expect(expSum / n).toBeLessThan(1.02);
    for (const b of buckets) expect(Math.abs(b - n / 6)).toBeLessThan(5 * Math.sqrt(n / 6));
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
  });
});
