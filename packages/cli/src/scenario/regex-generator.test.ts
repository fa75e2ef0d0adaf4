import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';

import { createPrng } from './prng';
import { compilePattern, PatternSyntaxError } from './regex-generator';

const literalChars = 'abcXYZ019_ @:-/'.split('');
const escapedPunct = [
  '\\.',
  '\\-',
  '\\(',
  '\\)',
  '\\[',
  '\\]',
  '\\{',
  '\\}',
  '\\*',
  '\\+',
  '\\?',
  '\\|',
  '\\\\',
  '\\^',
  '\\$',
  '\\/',
];

const atom = fc.oneof(
  fc.constantFrom(...literalChars.filter((c) => c !== '-' || true)),
  fc.constantFrom(...escapedPunct),
  fc.constantFrom('\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '.', '\\x41', '\\u00e9', '\\t'),
  fc
    .tuple(
      fc.boolean(),
      fc.array(
        fc.oneof(
          fc.constantFrom('a-z', 'A-F', '0-9', '_', '.', '\\d', '\\w', '\\-', '\\]', '@', '%'),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([neg, parts]) => `[${neg ? '^' : ''}${parts.join('')}]`),
);

const quantifier = fc.constantFrom(
  '',
  '',
  '',
  '?',
  '*',
  '+',
  '{2}',
  '{1,3}',
  '{0,}',
  '{2,}?',
  '+?',
);
const groupQuantifier = fc.constantFrom('', '', '?', '*', '+', '{2}', '{0,2}');

const { regex } = fc.letrec<{ regex: string; seq: string; item: string }>((tie) => ({
  regex: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((options) => options.join('|')),
  seq: fc.array(tie('item'), { minLength: 1, maxLength: 4 }).map((items) => items.join('')),
  item: fc.oneof(
    { depthSize: 'xsmall', withCrossShrink: true },
    fc.tuple(atom, quantifier).map(([a, q]) => a + q),
    fc
      .tuple(fc.constantFrom('(', '(?:', '(?<g>'), tie('regex'), groupQuantifier)
      .map(([open, body, q]) => `${open}${body})${q}`),
  ),
}));

describe('compilePattern', () => {
  it('generates strings that match the pattern (property)', () => {
    fc.assert(
      fc.property(regex, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (source, seed) => {
        // Named groups must be unique in JS: rename them.
        let n = 0;
        const src = source.replace(/\(\?<g>/g, () => `(?<g${n++}>`);
        const generator = compilePattern(src);
        // RE2 checks in linear time: nested quantifiers make a backtracking RegExp explode.
        const re = new RE2(`^(?:${src})$`);
        const rng = createPrng(seed, 'regex');
        for (let i = 0; i < 5; i++) {
          const s = generator.generate(rng);
          if (!re.test(s)) throw new Error(`${JSON.stringify(s)} does not match /${src}/`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('handles the patterns scenario files use', () => {
    const rng = createPrng(1, 't');
    for (const p of [
      'C[0-9]{6}',
      'SAVE[0-9]{2}',
      '^C[0-9]{6}$',
      '[A-Z]{3}-\\d{4}',
      '(EUR|USD|GBP)',
      'x{3,}',
      'a{',
    ]) {
      const g = compilePattern(p);
      const re = new RegExp(`^(?:${p})$`);
      for (let i = 0; i < 50; i++) expect(g.generate(rng)).toMatch(re);
    }
  });

  it('is deterministic for a seed', () => {
    const g = compilePattern('[a-f0-9]{8}-\\w+');
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          g.generate(r)
      )(createPrng(3, 'x')),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          g.generate(r)
      )(createPrng(3, 'x')),
    );
    expect(a).toEqual(b);
  });

  it.each([
    ['(a', /invalid regular expression/],
    ['a**', /invalid regular expression/],
    ['(a)\\1', /back-references/],
    ['a(?=b)', /lookaround/],
    ['\\bword', /word boundaries/],
    ['[^\\x00-\\x7f]', /no printable character/],
    ['a{20000}', /too large/],
    ['\\p', /unknown escape/],
  ])('rejects %s', (source, message) => {
    expect(() => compilePattern(source)).toThrow(PatternSyntaxError);
    expect(() => compilePattern(source)).toThrow(message);
  });
});
