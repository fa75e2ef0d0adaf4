import { afterEach, describe, expect, it } from 'vitest';
import { evidence, harness, T0, type Harness } from '../runtime/fixtures.test-data';
import { createDataQualityEngine, meetsThreshold, metricName, type DqRule } from './dq-engine';

const URN = 'urn:dp:orders:created';
const MIN = 60_000;
const CONTRACT = { id: 'urn:dp:orders:created', version: '3.0.0' };
const EMAIL_RULE: DqRule = {
  kind: 'nullValues',
  path: 'email',
  unit: 'percent',
  threshold: { operator: 'mustBeLessThan', value: 1 },
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  h = undefined;
});

const producerAt = (version: string) => ({
  service: 'orders-svc',
  version,
  identity_confidence: 'HIGH' as const,
  identity_method: 'header' as const,
});

/** `n` validated records in [from, from + 5 min), every `nullEvery`-th with a null email. */
function window(from: number, n: number, nullEvery: number, version = '3.16') {
  return Array.from({ length: n }, (_, i) =>
    evidence(URN, from + Math.floor((i * 5 * MIN) / n), {
      contract: CONTRACT,
      producer: producerAt(version),
      ...(nullEvery > 0 && i % nullEvery === 0 ? { dq: ['nullValues:email'] } : {}),
    }),
  );
}

describe('data quality engine', () => {
  it('judges a percent rule per window: OK, then CRITICAL with the rule, the value and the producer, then OK', async () => {
    h = await harness({
      engines: [createDataQualityEngine({ rules: (urn) => (urn === URN ? [EMAIL_RULE] : []) })],
      heartbeatMs: 3_600_000,
    });
    await h.publish(window(T0, 400, 0)); // no nulls
    await h.publish(window(T0 + 5 * MIN, 400, 8, '3.17')); // 12.5 % nulls
    await h.publish(window(T0 + 10 * MIN, 400, 200)); // 0.5 %
    await h.runtime.advanceTo(T0 + 17 * MIN + 10_000);
    expect(h.signals.map((s) => [s.signal_type, s.state])).toEqual([
      ['DQ', 'OK'],
      ['DQ', 'CRITICAL'],
      ['DQ', 'OK'],
    ]);
    const critical = h.signals[1]!;
    expect(critical.reason).toBe(
      'Data quality rule broken in 400 records: email nullValues 12.5% (must be < 1%); offending records come from orders-svc@3.17.',
    );
    expect(critical.metrics).toMatchObject({
      records: 400,
      null_values_pct_email: 12.5,
      reason_codes: 'CONSTRAINT_VIOLATION:email=50',
    });
    expect(critical.producer).toEqual({ service: 'orders-svc', version: '3.17' });
    expect(critical.first_bad?.time).toBe(new Date(T0 + 5 * MIN).toISOString());
    expect(h.signals[2]!.metrics.null_values_pct_email).toBe(0.5);
  });

  it('counts only records validated against a contract, honours sample weights, and needs minRecords for percent rules', async () => {
    h = await harness({
      engines: [createDataQualityEngine({ rules: () => [EMAIL_RULE], minRecords: 50 })],
      heartbeatMs: 3_600_000,
    });
    // 10 records standing for 100 (weight 10), one of them (10 records) with a null email: 10 %
    const weighted = Array.from({ length: 10 }, (_, i) =>
      evidence(URN, T0 + i * 1000, {
        contract: CONTRACT,
        sample_weight: 10,
        ...(i === 0 ? { dq: ['nullValues:email'] } : {}),
      }),
    );
    // records without a contract are not in the denominator
    const unvalidated = Array.from({ length: 300 }, (_, i) => evidence(URN, T0 + i * 100));
    await h.publish([...weighted, ...unvalidated]);
    // a window of 30 validated records: too few to judge a percent rule
    await h.publish(window(T0 + 5 * MIN, 30, 2));
    await h.runtime.advanceTo(T0 + 12 * MIN + 10_000);
    expect(
      h.signals.map((s) => [s.state, s.metrics.records, s.metrics.null_values_pct_email]),
    ).toEqual([['CRITICAL', 100, 10]]);
  });

  it('judges row-count rules from the first record, and stays silent without rules', async () => {
    h = await harness({
      engines: [
        createDataQualityEngine({
          rules: (urn) =>
            urn === URN
              ? [
                  {
                    kind: 'invalidValues',
                    path: 'currency',
                    unit: 'rows',
                    threshold: { operator: 'mustBeLessOrEqualTo', value: 2 },
                  },
                  { kind: 'unique', path: 'order_id', unit: 'rows' }, // not judged from facts
                ]
              : undefined,
        }),
      ],
      heartbeatMs: 3_600_000,
    });
    const other = 'urn:dp:payments:settled';
    await h.publish([
      ...Array.from({ length: 3 }, (_, i) =>
        evidence(URN, T0 + i, { contract: CONTRACT, dq: ['invalidValues:currency'] }),
      ),
      evidence(other, T0, { contract: CONTRACT, dq: ['invalidValues:currency'] }),
    ]);
    await h.runtime.advanceTo(T0 + 7 * MIN + 10_000);
    expect(
      h.signals.map((s) => [s.dataset_urn, s.state, s.metrics.invalid_values_rows_currency]),
    ).toEqual([[URN, 'CRITICAL', 3]]);
  });

  it("counts only facts of the dataset's rules, whatever else evidence names", async () => {
    h = await harness({
      engines: [createDataQualityEngine({ rules: () => [EMAIL_RULE] })],
      heartbeatMs: 3_600_000,
    });
    const bogus = Array.from({ length: 64 }, (_, i) => `nullValues:field_${i}`);
    await h.publish(
      Array.from({ length: 100 }, (_, i) =>
        evidence(URN, T0 + i * 1000, {
          contract: CONTRACT,
          dq: i % 10 === 0 ? [...bogus.slice(0, 63), 'nullValues:email'] : bogus,
        }),
      ),
    );
    await h.runtime.advanceTo(T0 + 7 * MIN + 10_000);
    expect(h.signals.map((s) => [s.state, s.metrics.null_values_pct_email])).toEqual([
      ['CRITICAL', 10],
    ]);
    expect(Object.keys(h.signals[0]!.metrics).filter((k) => k.includes('field'))).toEqual([]);
  });

  it('judges a unique field by its share of repeated values: WARNING above 1 %, CRITICAL above 10 %', async () => {
    const UNIQUE: DqRule = { kind: 'unique', path: 'order_id', unit: 'rows' };
    h = await harness({
      engines: [createDataQualityEngine({ rules: () => [UNIQUE] })],
      heartbeatMs: 3_600_000,
    });
    /** 200 records in the window starting at `from`, every `every`-th a repeat. */
    const repeats = (from: number, every: number, version = '3.16') =>
      Array.from({ length: 200 }, (_, i) =>
        evidence(URN, from + i * 1000, {
          contract: CONTRACT,
          producer: producerAt(version),
          ...(every > 0 && i % every === 0 ? { dq: ['duplicateValues:order_id'] } : {}),
        }),
      );
    await h.publish(repeats(T0, 100)); // 1 %: at-least-once noise
    await h.publish(repeats(T0 + 5 * MIN, 20)); // 5 %
    await h.publish(repeats(T0 + 10 * MIN, 4, '3.17')); // 25 %: a retry storm
    await h.runtime.advanceTo(T0 + 17 * MIN + 10_000);
    expect(h.signals.map((s) => [s.state, s.metrics.duplicate_values_pct_order_id])).toEqual([
      ['OK', 1],
      ['WARNING', 5],
      ['CRITICAL', 25],
    ]);
    expect(h.signals[2]!.reason).toContain('order_id repeats 25% of values');
    expect(h.signals[2]!.producer).toEqual({ service: 'orders-svc', version: '3.17' });
  });

  it('lets an explicit duplicateValues rule set the tolerance of a unique field', async () => {
    h = await harness({
      engines: [
        createDataQualityEngine({
          rules: () => [
            { kind: 'unique', path: 'order_id', unit: 'rows' },
            {
              kind: 'duplicateValues',
              path: 'order_id',
              unit: 'rows',
              threshold: { operator: 'mustBe', value: 0 },
            },
          ],
        }),
      ],
      heartbeatMs: 3_600_000,
    });
    await h.publish(
      Array.from({ length: 200 }, (_, i) =>
        evidence(URN, T0 + i * 1000, {
          contract: CONTRACT,
          ...(i === 7 ? { dq: ['duplicateValues:order_id'] } : {}),
        }),
      ),
    );
    await h.runtime.advanceTo(T0 + 7 * MIN + 10_000);
    expect(h.signals.map((s) => [s.state, s.metrics.duplicate_values_rows_order_id])).toEqual([
      ['CRITICAL', 1],
    ]);
    expect(h.signals[0]!.metrics).not.toHaveProperty('duplicate_values_pct_order_id');
    expect(() =>
      createDataQualityEngine({ rules: () => [], uniqueTolerance: { criticalPercent: 200 } }),
    ).toThrow(/uniqueTolerance.criticalPercent/);
  });

  it('compares with every ODCS threshold operator and names metrics as Signal v1 allows', () => {
    const t = (operator: string, value: unknown) => ({ operator, value });
    expect(meetsThreshold(0, t('mustBe', 0))).toBe(true);
    expect(meetsThreshold(1, t('mustNotBe', 0))).toBe(true);
    expect(meetsThreshold(0.9, t('mustBeLessThan', 1))).toBe(true);
    expect(meetsThreshold(1, t('mustBeLessThan', 1))).toBe(false);
    expect(meetsThreshold(1, t('mustBeLessOrEqualTo', 1))).toBe(true);
    expect(meetsThreshold(2, t('mustBeGreaterThan', 1))).toBe(true);
    expect(meetsThreshold(1, t('mustBeGreaterOrEqualTo', 1))).toBe(true);
    expect(meetsThreshold(5, t('mustBeBetween', [1, 5]))).toBe(true);
    expect(meetsThreshold(6, t('mustBeBetween', [1, 5]))).toBe(false);
    expect(meetsThreshold(6, t('mustNotBeBetween', [1, 5]))).toBe(true);
    expect(meetsThreshold(6, t('mustBeFancy', 1))).toBe(true);
    expect(metricName(EMAIL_RULE)).toBe('null_values_pct_email');
    expect(metricName({ kind: 'missingValues', path: 'Shipping.Post-Code', unit: 'rows' })).toBe(
      'missing_values_rows_shipping_post_code',
    );
    expect(() => createDataQualityEngine({} as never)).toThrow(/rules/);
  });
});
