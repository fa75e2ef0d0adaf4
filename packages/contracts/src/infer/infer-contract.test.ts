import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileContract } from '../compile/compile-contract';
import { lintContract } from '../load/load-contract';
import { orderRecord } from '../test-support/shared-dir';
import type { OdcsProperty } from '../types';
import { inferContract } from './infer-contract';
import { wilsonLowerBound } from './wilson';

function sample(i: number): Record<string, unknown> {
  const r: Record<string, unknown> = {
    ...orderRecord(i),
    quantity: 1 + (i % 5),
    gift: i % 2 === 0,
    shipped_on: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    customer: {
      id: `c-${i}`,
      tier: ['gold', 'silver'][i % 2],
      ...(i % 10 === 0 ? {} : { phone: `+4412345${i}` }),
    },
    lines: [{ sku: `S${i % 7}`, qty: 1 }],
  };
  if (i % 3 === 0) r['discount_code'] = i % 9 === 0 ? null : `SAVE${i % 100}`;
  if (i % 50 === 0) r['email'] = null;
  return r;
}

describe('inferContract', () => {
  const samples = Array.from({ length: 10_000 }, (_, i) => sample(i));
  const started = performance.now();
  const result = inferContract(samples, {
    name: 'orders_created',
    id: 'urn:dp:orders:created',
    physicalName: 'raw.orders.events',
  });
  const elapsed = performance.now() - started;

  it('infers 10,000 samples well under a minute', () => {
    expect(elapsed).toBeLessThan(10_000);
  });

  it('drafts a v3.1.0 contract that lints clean, as YAML too', () => {
    expect(lintContract(result.contract)).toMatchObject({ valid: true, problems: [] });
    expect(lintContract(result.yaml)).toMatchObject({ valid: true, problems: [] });
    expect(result.yaml).toContain('apiVersion: v3.1.0');
  });

  it('accepts every sample it was inferred from', () => {
    const compiled = compileContract(result.contract);
    const failures = samples.filter((s) => !compiled.validate(s).valid);
    expect(failures).toHaveLength(0);
  });

  it('infers types, formats, enums, ranges, nullability and nested fields', () => {
    const props: Record<string, OdcsProperty> = Object.fromEntries(
      (result.contract.schema?.[0]?.properties ?? []).map((p) => [p.name, p]),
    );
    expect(props['order_id']).toMatchObject({
      logicalType: 'string',
      required: true,
      logicalTypeOptions: { format: 'uuid' },
    });
    expect(props['email']).toMatchObject({
      logicalType: 'string',
      required: false,
      logicalTypeOptions: { format: 'email' },
    });
    expect(props['created_at']).toMatchObject({
      logicalType: 'timestamp',
      logicalTypeOptions: { timezone: true },
    });
    expect(props['shipped_on']).toMatchObject({ logicalType: 'date', required: true });
    expect(props['currency']?.quality?.[0]).toMatchObject({
      metric: 'invalidValues',
      arguments: { validValues: ['EUR', 'GBP', 'USD'] },
      mustBe: 0,
    });
    expect(props['customer_id']?.quality).toBeUndefined();
    expect(props['amount']).toMatchObject({
      logicalType: 'number',
      logicalTypeOptions: { minimum: 5 },
    });
    expect(props['quantity']).toMatchObject({
      logicalType: 'integer',
      logicalTypeOptions: { minimum: 1, maximum: 5 },
    });
    expect(props['gift']).toMatchObject({ logicalType: 'boolean', required: true });
    expect(props['discount_code']).toMatchObject({ logicalType: 'string', required: false });
    const customer: Record<string, OdcsProperty> = Object.fromEntries(
      (props['customer']?.properties ?? []).map((p: OdcsProperty) => [p.name, p]),
    );
    expect(customer['id']?.required).toBe(true);
    expect(customer['phone']?.required).toBe(false);
    expect(props['lines']?.items?.properties?.map((p: OdcsProperty) => p.name)).toEqual([
      'sku',
      'qty',
    ]);
  });

  it('reports a lower-bound confidence, not the raw ratio', () => {
    expect(result.confidence['order_id']).toEqual({
      presence: 0.9996,
      nullRate: 0,
      samples: 10_000,
      required: true,
    });
    expect(result.confidence['email']?.nullRate).toBe(0.02);
    expect(result.confidence['customer.phone']?.samples).toBe(10_000);
    const small = inferContract(samples.slice(0, 20));
    expect(small.confidence['order_id']).toMatchObject({ presence: 0.8389, required: false });
    expect(
      inferContract(samples.slice(0, 20), { minRequiredConfidence: 0.8 }).confidence['order_id']
        ?.required,
    ).toBe(true);
  });

  it('skips non-object samples and refuses when nothing is left', () => {
    expect(inferContract([1, 'x', null, { a: 1 }]).skipped).toBe(3);
    expect(() => inferContract([1, 2])).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_INFERENCE' }),
    );
  });

  it('always drafts a contract that lints clean and accepts its samples (property test)', () => {
    const record = fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.oneof(
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.oneof(fc.integer(), fc.constant(null))),
        fc.dictionary(fc.constantFrom('x', 'y'), fc.integer()),
      ),
    );
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), (records) => {
        const draft = inferContract(records);
        expect(lintContract(draft.contract).problems).toEqual([]);
        const compiled = compileContract(draft.contract);
        for (const r of records) expect(compiled.validate(r).reasonCodes).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('wilsonLowerBound', () => {
  it('grows with the number of trials', () => {
    expect(wilsonLowerBound(20, 20)).toBeCloseTo(0.8389, 3);
    expect(wilsonLowerBound(10_000, 10_000)).toBeGreaterThan(0.9996);
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(5, 10)).toBeLessThan(0.5);
  });
});
