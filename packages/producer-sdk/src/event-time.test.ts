import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_FOUND, readTopLevelField, toRfc3339 } from './event-time';

describe('toRfc3339', () => {
  it('normalises ISO strings with offsets, epoch ms (number or digits) and Dates to UTC', () => {
    expect(toRfc3339('2026-11-25T10:00:00+01:00')).toBe('2026-11-25T09:00:00.000Z');
    expect(toRfc3339(1764064800000)).toBe('2025-11-25T10:00:00.000Z');
    expect(toRfc3339('1764064800000')).toBe('2025-11-25T10:00:00.000Z');
    expect(toRfc3339(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    // canonical UTC forms pass through unchanged
    expect(toRfc3339('2026-11-25T10:00:00Z')).toBe('2026-11-25T10:00:00Z');
    expect(toRfc3339('2026-11-25T10:00:00.123456Z')).toBe('2026-11-25T10:00:00.123456Z');
    expect(toRfc3339('2026-13-25T10:00:00Z')).toBeUndefined();
  });
  it('returns undefined for what is not a time', () => {
    for (const v of ['', 'soon', null, undefined, {}, Number.NaN, 1e20])
      expect(toRfc3339(v)).toBeUndefined();
  });
});

describe('readTopLevelField', () => {
  it('finds top-level strings and numbers, ignores nested keys and look-alikes inside strings', () => {
    expect(readTopLevelField('{"a":1,"created_at":"2026-01-01T00:00:00Z"}', 'created_at')).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(readTopLevelField('{ "created_at" : 1764064800000 }', 'created_at')).toBe(1764064800000);
    expect(readTopLevelField('{"meta":{"created_at":"x"}}', 'created_at')).toBe(NOT_FOUND);
    expect(readTopLevelField('{"note":"\\"created_at\\": 5","created_at":"y"}', 'created_at')).toBe(
      'y',
    );
    expect(readTopLevelField('{"k":"created_at","v":1}', 'created_at')).toBe(NOT_FOUND);
    expect(readTopLevelField('{"created_at":"a\\u0041"}', 'created_at')).toBe(NOT_FOUND);
    expect(readTopLevelField('{"created_at":null}', 'created_at')).toBe(NOT_FOUND);
  });

  it('never disagrees with JSON.parse (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.constant(null),
    );
    const doc = fc.letrec((tie) => ({
      node: fc.dictionary(
        fc.oneof(fc.constantFrom('created_at', 'ts', 'meta'), fc.string()),
        fc.oneof({ depthSize: 'small' }, value, tie('node')),
        { maxKeys: 5 },
      ),
    })).node;
    fc.assert(
      fc.property(doc, fc.constantFrom('created_at', 'ts'), (obj, key) => {
        const text = JSON.stringify(obj);
        const fast = readTopLevelField(text, key);
        if (fast === NOT_FOUND) return;
        const expected = (JSON.parse(text) as Record<string, unknown>)[key];
        expect(fast).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
