import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { failureSignatureId } from './failure-signature';
import {
  createShapeFingerprinter,
  diffShapes,
  fingerprintShape,
  shapeFingerprint,
  shapeOf,
} from './shape';

const order = {
  order_id: 'o-1',
  customer: { id: 'c-1', email: 'a@example.com' },
  amount: 12.5,
  paid: true,
  coupon: null,
  items: [
    { sku: 'A', qty: 1 },
    { sku: 'B', qty: 2 },
  ],
};

describe('shapeOf', () => {
  it('lists sorted (path, type) pairs with nested objects and merged array items', () => {
    expect(shapeOf(order)).toEqual([
      { path: '', type: 'object' },
      { path: 'amount', type: 'number' },
      { path: 'coupon', type: 'null' },
      { path: 'customer', type: 'object' },
      { path: 'customer.email', type: 'string' },
      { path: 'customer.id', type: 'string' },
      { path: 'items', type: 'array' },
      { path: 'items[]', type: 'object' },
      { path: 'items[].qty', type: 'number' },
      { path: 'items[].sku', type: 'string' },
      { path: 'order_id', type: 'string' },
      { path: 'paid', type: 'boolean' },
    ]);
  });

  it('merges heterogeneous array items and handles scalars, nested arrays and escaped keys', () => {
    expect(shapeOf([1, 'a', [true]])).toEqual([
      { path: '', type: 'array' },
      { path: '[]', type: 'array' },
      { path: '[]', type: 'number' },
      { path: '[]', type: 'string' },
      { path: '[][]', type: 'boolean' },
    ]);
    expect(shapeOf('x')).toEqual([{ path: '', type: 'string' }]);
    expect(shapeOf({ 'a.b': 1, a: { b: 1 } }).map((e) => e.path)).toEqual([
      '',
      'a',
      'a.b',
      'a\\.b',
    ]);
    expect(shapeOf({ a: undefined, f: () => 1 })).toEqual([{ path: '', type: 'object' }]);
  });

  it('throws a typed error beyond maxDepth instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => shapeFingerprint(deep)).toThrow(SignalFactoryError);
    expect(() => shapeOf({ a: { b: { c: 1 } } }, { maxDepth: 2 })).toThrow(/deeper than 2/);
  });
});

describe('shapeFingerprint', () => {
  const fp = shapeFingerprint(order);

  it('is sha256:<hex> and equals fingerprintShape(shapeOf(x))', () => {
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fp).toBe(fingerprintShape(shapeOf(order)));
    expect(fingerprintShape([...shapeOf(order)].reverse())).toBe(fp);
    expect(fingerprintShape([...shapeOf(order), ...shapeOf(order)])).toBe(fp);
    expect(() => fingerprintShape([{ path: 'a', type: 'integer' as never }])).toThrow(
      SignalFactoryError,
    );
    expect(() => fingerprintShape([null as never])).toThrow(SignalFactoryError);
  });

  it('is the same for same shape with different values, array lengths and key order', () => {
    const other = {
      paid: false,
      items: [{ qty: 9, sku: 'Z' }],
      amount: 1,
      coupon: null,
      customer: { email: 'b@example.com', id: 'c-2' },
      order_id: 'o-2',
    };
    expect(shapeFingerprint(other)).toBe(fp);
    expect(createShapeFingerprinter({ cacheSize: 0 }).fingerprint(other)).toBe(fp);
  });

  it('changes when a field is added, removed or retyped', () => {
    const variants = [
      { ...order, extra: 1 },
      (({ paid: _paid, ...rest }) => rest)(order),
      { ...order, amount: '12.50' },
      { ...order, coupon: 'SAVE' },
      { ...order, items: [] },
      { ...order, items: [{ sku: 'A', qty: '1' }] },
      { ...order, customer: { id: 'c-1' } },
    ];
    const prints = new Set(variants.map((v) => shapeFingerprint(v)));
    expect(prints.size).toBe(variants.length);
    expect(prints.has(fp)).toBe(false);
  });

  it('caches by encounter order and stays bounded', () => {
    const fingerprinter = createShapeFingerprinter({ cacheSize: 2 });
    fingerprinter.fingerprint({ a: 1, b: 2 });
    fingerprinter.fingerprint({ b: 2, a: 1 });
    expect(fingerprinter.cacheEntries).toBe(2);
    expect(fingerprinter.fingerprint({ a: 3, b: 4 })).toBe(
      fingerprinter.fingerprint({ b: 5, a: 6 }),
    );
    fingerprinter.fingerprint({ c: 1 });
    expect(fingerprinter.cacheEntries).toBeLessThanOrEqual(2);
    fingerprinter.clear();
    expect(fingerprinter.cacheEntries).toBe(0);
    expect(() => createShapeFingerprinter({ cacheSize: -1 })).toThrow(SignalFactoryError);
    expect(() => createShapeFingerprinter({ maxDepth: 0 })).toThrow(SignalFactoryError);
  });

  it('keeps cache keys unambiguous whatever the key names', () => {
    const fingerprinter = createShapeFingerprinter();
    const tricky = [
      { '1#as': 1 },
      { '1#a': 's' },
      { a: 's', '1#b': 1 },
      { 'a}': { b: 1 } },
      { a: { '}b': 1 } },
      { '[': [1] },
    ];
    for (const value of tricky) {
      expect(fingerprinter.fingerprint(value)).toBe(fingerprintShape(shapeOf(value)));
    }
  });

  it('hits the cache for arrays of any length with same-shaped items', () => {
    const fingerprinter = createShapeFingerprinter();
    fingerprinter.fingerprint({ items: [{ a: 1 }] });
    fingerprinter.fingerprint({ items: [{ a: 2 }, { a: 3 }, { a: 4 }] });
    expect(fingerprinter.cacheEntries).toBe(1);
    expect(fingerprinter.fingerprint({ items: [1, 'x', 2, 'y'] })).toBe(
      fingerprintShape(shapeOf({ items: ['x', 1] })),
    );
  });

  it('property: cached and uncached fingerprints agree and ignore key order', () => {
    const cached = createShapeFingerprinter({ cacheSize: 50 });
    const uncached = createShapeFingerprinter({ cacheSize: 0 });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const reversed = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v !== null && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        ) as unknown;
        const expected = uncached.fingerprint(value);
        expect(cached.fingerprint(value)).toBe(expected);
        expect(cached.fingerprint(reversed)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('diffShapes', () => {
  it('classifies added, removed and retyped paths', () => {
    const before = shapeOf(order);
    const after = shapeOf({ ...order, amount: '12.50', paid: undefined, channel: 'web' });
    expect(diffShapes(before, after)).toEqual({
      added: [{ path: 'channel', type: 'string' }],
      removed: [{ path: 'paid', type: 'boolean' }],
      retyped: [{ path: 'amount', before: ['number'], after: ['string'] }],
    });
    expect(diffShapes(before, before)).toEqual({ added: [], removed: [], retyped: [] });
  });
});

describe('failureSignatureId', () => {
  it('ignores order and duplicates and separates datasets', () => {
    const a = failureSignatureId({
      datasetUrn: 'urn:dp:orders:created',
      failedGates: ['G4', 'G5'],
      reasonCodes: ['MISSING_FIELD:customer_id', 'PII_DETECTED:ssn:notes'],
    });
    const b = failureSignatureId({
      datasetUrn: 'urn:dp:orders:created',
      failedGates: ['G5', 'G4', 'G4'],
      reasonCodes: ['PII_DETECTED:ssn:notes', 'MISSING_FIELD:customer_id'],
    });
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(
      failureSignatureId({
        datasetUrn: 'urn:dp:orders:paid',
        failedGates: ['G4', 'G5'],
        reasonCodes: ['MISSING_FIELD:customer_id', 'PII_DETECTED:ssn:notes'],
      }),
    ).not.toBe(a);
    expect(() =>
      failureSignatureId({ datasetUrn: 1, failedGates: [], reasonCodes: [] } as never),
    ).toThrow(SignalFactoryError);
  });
});
