import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_ERROR_CODES } from './errors';
import {
  MAX_ITEM_BYTES,
  checkData,
  checkKey,
  fromItem,
  itemSize,
  marshallData,
  toItem,
} from './item-codec';

describe('item codec', () => {
  it('round-trips JSON documents through the DynamoDB map', () => {
    const json = fc
      .jsonValue({ maxDepth: 4 })
      .filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
      // `__proto__` keys are refused on write (see the next tests).
      .filter((v) => !JSON.stringify(v).includes('"__proto__":'));
    fc.assert(
      fc.property(json, (data) => {
        const normalised = JSON.parse(JSON.stringify(data)) as Record<string, never>;
        const item = toItem({ pk: 'p', sk: 's' }, marshallData(normalised), 3, undefined, 'T');
        expect(fromItem(item)).toEqual({ pk: 'p', sk: 's', data: normalised, version: 3 });
      }),
      { numRuns: 200 },
    );
  });

  it('counts item size like DynamoDB and refuses items over 400 KB', () => {
    const item = toItem({ pk: 'p', sk: 's' }, marshallData({ a: 'xyz' }), 1, 10, 'T');
    // names pk sk data version expiresAt: 2+2+4+7+9; values: 'p' 1, 's' 1, map 3+(1+1+3), 1 → 2, 10 → 2
    expect(itemSize(item)).toBe(24 + 1 + 1 + 8 + 2 + 2);
    expect(() =>
      toItem(
        { pk: 'p', sk: 's' },
        marshallData({ a: 'x'.repeat(MAX_ITEM_BYTES) }),
        1,
        undefined,
        'T',
      ),
    ).toThrow(expect.objectContaining({ code: DYNAMODB_ERROR_CODES.ITEM_TOO_LARGE }));
  });

  it('rejects keys and data DynamoDB cannot store, naming the problem', () => {
    expect(() => checkKey({ pk: '', sk: 'x' }, 'put')).toThrow(/key.pk/);
    expect(() => checkKey({ pk: 'x', sk: 'y'.repeat(2000) }, 'put')).toThrow(/key.sk/);
    expect(() => checkKey(null, 'get')).toThrow(
      expect.objectContaining({ code: DYNAMODB_ERROR_CODES.ARGUMENT_INVALID }),
    );
    expect(() => checkData([], 'put')).toThrow(/JSON object/);
    expect(() => checkData(JSON.parse('{"a":{"__proto__":0}}'), 'put')).toThrow(
      /data\.a has a "__proto__" key/,
    );
    expect(() => checkData({ a: { b: Number.NaN } }, 'put')).toThrow(
      /data\.a\.b is not a finite number/,
    );
    expect(() => checkData({ a: 1e200 }, 'put')).toThrow(/number range/);
    expect(() => checkData({ d: new Date() }, 'put')).toThrow(/plain object/);
    expect(() => checkData({ f: () => 1 }, 'put')).toThrow(/function/);
    expect(checkData({ ok: [1, 'a', null, { x: true }], skip: undefined }, 'put')).toBeDefined();
  });
});
