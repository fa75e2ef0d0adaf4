import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addRecord,
  complianceOf,
  emptyAgg,
  judgeCounts,
  mergeAggs,
  type AggLimits,
  type RecordFacts,
} from './compliance';
import type { ContractWindowAgg } from './types';

const LIMITS: AggLimits = { maxProducers: 4, maxReasons: 6, warnCountsAsPass: true };

interface Rec {
  result: 'PASS' | 'WARN' | 'FAIL';
  weight: number;
  producer: number;
  code: number;
  ms: number;
}

const recArb: fc.Arbitrary<Rec> = fc.record({
  result: fc.constantFrom<'PASS' | 'WARN' | 'FAIL'>('PASS', 'WARN', 'FAIL'),
  weight: fc.oneof(
    fc.integer({ min: 1, max: 1000 }),
    fc.double({ min: 1, max: 1000, noNaN: true }),
  ),
  producer: fc.integer({ min: 0, max: 6 }),
  code: fc.integer({ min: 0, max: 9 }),
  ms: fc.integer({ min: 0, max: 299_999 }),
});

function facts(r: Rec): RecordFacts {
  return {
    result: r.result,
    weight: r.weight,
    producer: { service: `svc-${r.producer}`, version: '1.0.0' },
    failCodes: r.result === 'FAIL' ? [`MISSING_FIELD:f${r.code}`] : [],
    ...(r.result === 'FAIL' ? { signature: `sig-${r.code}` } : {}),
    ms: r.ms,
    pointer: () => ({ ms: r.ms, time: new Date(r.ms).toISOString(), offset: String(r.ms) }),
  };
}

function aggOf(records: readonly Rec[], limits: AggLimits = LIMITS): ContractWindowAgg {
  const agg = emptyAgg(0);
  for (const r of records) addRecord(agg, facts(r), limits);
  return agg;
}

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('weighted compliance math (property tests)', () => {
  it('equals weighted compliant / weighted total and stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(recArb, { maxLength: 200 }), fc.boolean(), (records, warnPasses) => {
        const agg = aggOf(records, { ...LIMITS, warnCountsAsPass: warnPasses });
        const total = records.reduce((s, r) => s + r.weight, 0);
        const ok = records
          .filter((r) => r.result === 'PASS' || (warnPasses && r.result === 'WARN'))
          .reduce((s, r) => s + r.weight, 0);
        const c = complianceOf(agg, warnPasses);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
        expect(close(agg.total, total)).toBe(true);
        expect(close(agg.passed + agg.warned + agg.failed, agg.total)).toBe(true);
        expect(close(c, total === 0 ? 1 : ok / total)).toBe(true);
      }),
    );
  });

  it('does not depend on arrival order (counts, first bad, last good)', () => {
    fc.assert(
      fc.property(
        fc.array(recArb, { maxLength: 100 }).chain((records) =>
          fc.tuple(
            fc.constant(records),
            fc.shuffledSubarray(records, {
              minLength: records.length,
              maxLength: records.length,
            }),
          ),
        ),
        ([records, shuffled]) => {
          // Distinct event times make the pointers well defined.
          const a = aggOf(records.map((r, k) => ({ ...r, ms: r.ms * 1000 + k })));
          const index = new Map(records.map((r, k) => [r, k]));
          const b = aggOf(shuffled.map((r) => ({ ...r, ms: r.ms * 1000 + (index.get(r) ?? 0) })));
          expect(close(a.total, b.total)).toBe(true);
          expect(close(a.failed, b.failed)).toBe(true);
          expect(close(complianceOf(a, true), complianceOf(b, true))).toBe(true);
          expect(b.firstBad?.ms).toBe(a.firstBad?.ms);
          expect(b.lastGood?.ms).toBe(a.lastGood?.ms);
        },
      ),
    );
  });

  it('treats one record of weight w like w records of weight 1', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            result: fc.constantFrom<'PASS' | 'WARN' | 'FAIL'>('PASS', 'WARN', 'FAIL'),
            weight: fc.integer({ min: 1, max: 30 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (items) => {
          const weighted = aggOf(items.map((it, k) => ({ ...it, producer: 0, code: 0, ms: k })));
          const expanded = aggOf(
            items.flatMap((it, k) =>
              Array.from({ length: it.weight }, () => ({
                result: it.result,
                weight: 1,
                producer: 0,
                code: 0,
                ms: k,
              })),
            ),
          );
          expect(weighted.total).toBe(expanded.total);
          expect(complianceOf(weighted, false)).toBe(complianceOf(expanded, false));
          expect(judgeCounts(weighted, THRESHOLDS).state).toBe(
            judgeCounts(expanded, THRESHOLDS).state,
          );
        },
      ),
    );
  });

  it('merges windows like one window holding all their records', () => {
    fc.assert(
      fc.property(
        fc.array(recArb, { maxLength: 80 }),
        fc.array(recArb, { maxLength: 80 }),
        (xs, ys) => {
          const limits = { ...LIMITS, maxProducers: 100, maxReasons: 100 };
          const merged = mergeAggs(aggOf(xs, limits), aggOf(ys, limits), limits);
          const whole = aggOf([...xs, ...ys], limits);
          expect(close(merged.total, whole.total)).toBe(true);
          expect(close(merged.passed, whole.passed)).toBe(true);
          expect(close(merged.warned, whole.warned)).toBe(true);
          expect(close(merged.failed, whole.failed)).toBe(true);
          expect(merged.evidence).toBe(whole.evidence);
          expect(merged.windows).toBe(2);
          expect(merged.firstBad?.ms).toBe(whole.firstBad?.ms);
          expect(merged.lastGood?.ms).toBe(whole.lastGood?.ms);
          for (const [key, p] of Object.entries(whole.producers)) {
            expect(close(merged.producers[key]?.total ?? -1, p.total)).toBe(true);
          }
          for (const [code, w] of Object.entries(whole.reasons))
            expect(close(merged.reasons[code] ?? -1, w)).toBe(true);
          if (merged.lastGoodBeforeBad !== undefined && merged.firstBad !== undefined)
            expect(merged.lastGoodBeforeBad.ms).toBeLessThan(merged.firstBad.ms);
        },
      ),
    );
  });

  it('never exceeds the producer and reason caps and loses no weight to them', () => {
    fc.assert(
      fc.property(fc.array(recArb, { maxLength: 200 }), (records) => {
        const agg = aggOf(records);
        expect(Object.keys(agg.producers).length).toBeLessThanOrEqual(LIMITS.maxProducers + 1);
        expect(Object.keys(agg.reasons).length).toBeLessThanOrEqual(LIMITS.maxReasons + 1);
        const producerTotal = Object.values(agg.producers).reduce((s, p) => s + p.total, 0);
        expect(close(producerTotal, agg.total)).toBe(true);
        const reasonTotal = Object.values(agg.reasons).reduce((s, w) => s + w, 0);
        expect(close(reasonTotal, agg.failed)).toBe(true);
      }),
    );
  });

  const THRESHOLDS = {
    complianceMin: 0.95,
    warningBelow: 0.97,
    minRecords: 20,
    warnCountsAsPass: false,
  };

  it('never judges CRITICAL below the minimum sample, and more failures never improve the state', () => {
    const rank = { OK: 0, WARNING: 1, CRITICAL: 2 } as const;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 1_000, noNaN: true }),
        (passed, failed, extra) => {
          const counts = { total: passed + failed, passed, warned: 0, failed };
          const j = judgeCounts(counts, THRESHOLDS);
          if (counts.total < THRESHOLDS.minRecords) expect(j.state).not.toBe('CRITICAL');
          if (j.capped) expect(j.compliance).toBeLessThan(THRESHOLDS.complianceMin);
          const worse = judgeCounts(
            { total: counts.total + extra, passed, warned: 0, failed: failed + extra },
            THRESHOLDS,
          );
          if (counts.total >= THRESHOLDS.minRecords)
            expect(rank[worse.state]).toBeGreaterThanOrEqual(rank[j.state]);
          expect(worse.compliance).toBeLessThanOrEqual(j.compliance + 1e-12);
        },
      ),
    );
  });

  it('puts the thresholds at the documented places', () => {
    const at = (c: number) =>
      judgeCounts(
        { total: 10_000, passed: c * 10_000, warned: 0, failed: (1 - c) * 10_000 },
        THRESHOLDS,
      ).state;
    expect(at(0.9499)).toBe('CRITICAL');
    expect(at(0.95)).toBe('WARNING');
    expect(at(0.9699)).toBe('WARNING');
    expect(at(0.97)).toBe('OK');
    expect(judgeCounts({ total: 0, passed: 0, warned: 0, failed: 0 }, THRESHOLDS)).toMatchObject({
      state: 'OK',
      compliance: 1,
    });
  });
});
