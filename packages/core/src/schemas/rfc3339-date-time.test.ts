import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { isRfc3339DateTime } from './rfc3339-date-time';

const reference = (fullFormats['date-time'] as unknown as { validate: (s: string) => boolean })
  .validate;

describe('isRfc3339DateTime', () => {
  it.each([
    ['2026-11-25T10:00:00Z', true],
    ['2026-11-25T10:00:00.123Z', true],
    ['2026-11-25T10:00:00.123456789Z', true],
    ['2024-02-29T00:00:00Z', true],
    ['2026-11-25T10:00:00+01:00', true],
    ['2026-11-25t10:00:00z', true],
    ['2016-12-31T23:59:60Z', true],
    ['2023-02-29T00:00:00Z', false],
    ['1900-02-29T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-11-31T00:00:00Z', false],
    ['2026-11-25T24:00:00Z', false],
    ['2026-11-25T10:60:00Z', false],
    ['2026-11-25T10:00:00.Z', false],
    ['2026-11-25T10:00:00', false],
    ['2026-11-25 10:00:00Z', true],
    ['2026-11-25X10:00:00Z', false],
    ['２026-11-25T10:00:00Z', false],
    ['', false],
  ])('%s → %s, as ajv-formats', (text, valid) => {
    expect(isRfc3339DateTime(text)).toBe(valid);
    expect(reference(text)).toBe(valid);
  });

  it('agrees with ajv-formats on every date Date#toISOString can write and on mutations of it', () => {
    const chars = fc.constantFrom(...'0123456789-:.TZtz +'.split(''));
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(Date.UTC(0, 0, 1)),
          max: new Date(Date.UTC(9999, 11, 31)),
          noInvalidDate: true,
        }),
        fc.nat(40),
        chars,
        fc.boolean(),
        (date, at, char, cut) => {
          const iso = date.toISOString();
          expect(isRfc3339DateTime(iso)).toBe(true);
          const mutated = cut
            ? iso.slice(0, at % iso.length) + iso.slice((at % iso.length) + 1)
            : iso.slice(0, at % iso.length) + char + iso.slice((at % iso.length) + 1);
          expect(isRfc3339DateTime(mutated)).toBe(reference(mutated));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with ajv-formats on arbitrary strings of date-time characters', () => {
    const text = fc
      .array(fc.constantFrom(...'0123456789-:.TZ'.split('')), { minLength: 18, maxLength: 30 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(text, (s) => {
        expect(isRfc3339DateTime(s)).toBe(reference(s));
      }),
      { numRuns: 5000 },
    );
  });
});
