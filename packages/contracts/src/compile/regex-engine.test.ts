import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPattern, contractRegExp, isLinearPattern } from './regex-engine';

describe('isLinearPattern', () => {
  it.each([
    '^C[0-9]{6}$',
    '^[A-Z]{3}-\\d+$',
    'ACC[0-9]{8}',
    '^[a-z]+@[a-z]+\\.[a-z]{2,}$',
    '^.{1,10}$',
    '^\\d{4}-\\d{2}-\\d{2}$',
  ])('%s runs on V8', (p) => {
    expect(isLinearPattern(p)).toBe(true);
    expect(contractRegExp(p, 'u')).toBeInstanceOf(RegExp);
  });

  it.each([
    '^(a+)+$',
    '^\\d+\\d+$',
    '\\d+x',
    '^a*a?$',
    '^.*a$',
    '^(a|b)$',
    '^\\s+$',
    '^[^a]+b$',
    '^a+?b$',
    '(?=a)',
    '^[😀]+a$',
    '^😀+a$',
  ])('%s runs on RE2', (p) => {
    expect(isLinearPattern(p)).toBe(false);
  });

  it('matches like RE2 for every analysable pattern (property test)', () => {
    const atom = fc.constantFrom('a', 'b', '\\d', '[a-c]', '[0-9]', '.', 'x');
    const quant = fc.constantFrom('', '+', '*', '?', '{2}', '{1,3}');
    const pattern = fc
      .tuple(
        fc.boolean(),
        fc.array(fc.tuple(atom, quant), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
      )
      .map(
        ([s, atoms, e]) => `${s ? '^' : ''}${atoms.map(([a, q]) => a + q).join('')}${e ? '$' : ''}`,
      );
    fc.assert(
      fc.property(pattern, fc.stringMatching(/^[ab0-9x]{0,12}$/), (p, input) => {
        const native = new RegExp(p, 'u').test(input);
        expect(contractRegExp(p, 'u').test(input)).toBe(native);
      }),
    );
  });

  it('checkPattern rejects what RE2 cannot run', () => {
    expect(() => checkPattern('^(a)\\1$')).toThrow();
    expect(() => checkPattern('(?<=a)b')).toThrow();
    expect(() => checkPattern('[')).toThrow();
    expect(() => checkPattern('^C[0-9]{6}$')).not.toThrow();
  });
});
