import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import evidenceSchema from '../../schemas/evidence.v1.schema.json';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { childFieldPath, fieldPathFromJsonPointer, itemFieldPath } from './field-path';
import {
  QUALIFIED_REASON_CODES,
  REASON_CODES,
  formatReasonCode,
  isReasonCode,
  parseReasonCode,
  tryParseReasonCode,
  type ReasonCode,
} from './reason-codes';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SignalFactoryError);
    return (error as SignalFactoryError).code;
  }
  throw new Error('expected a throw');
};

describe('REASON_CODES', () => {
  it('has the codes the gates need, each with a one-line meaning', () => {
    for (const code of [
      'MISSING_FIELD',
      'NULL_VIOLATION',
      'TYPE_MISMATCH',
      'INVALID_FORMAT',
      'PATTERN_MISMATCH',
      'ENUM_VIOLATION',
      'OUT_OF_RANGE',
      'UNKNOWN_FIELD',
      'PII_DETECTED',
      'UNRESOLVED_TOPIC',
      'UNPARSEABLE_VALUE',
      'SCHEMA_DRIFT',
      'IDENTITY_UNVERIFIED',
      'RECORD_TOO_LARGE',
      'NESTING_TOO_DEEP',
    ]) {
      expect(isReasonCode(code)).toBe(true);
    }
    for (const [code, meaning] of Object.entries(REASON_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(meaning).not.toContain('\n');
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it('matches the reason-code pattern of the evidence schema (no drift between the two lists)', () => {
    const pattern = evidenceSchema.$defs.reasonCodes.items.pattern;
    const unqualified = /^\^\(([A-Z_|]+)\)/.exec(pattern)![1]!.split('|').sort();
    const expected = Object.keys(REASON_CODES)
      .filter((c) => !QUALIFIED_REASON_CODES.has(c as ReasonCode))
      .sort();
    expect(unqualified).toEqual(expected);
    expect(pattern).toContain('^PII_DETECTED:');
  });

  it('is not fooled by prototype keys', () => {
    expect(isReasonCode('toString')).toBe(false);
    expect(isReasonCode('__proto__')).toBe(false);
  });
});

describe('formatReasonCode / parseReasonCode', () => {
  it.each([
    [
      ['MISSING_FIELD', 'customer_id'],
      'MISSING_FIELD:customer_id',
      { code: 'MISSING_FIELD', path: 'customer_id' },
    ],
    [
      ['TYPE_MISMATCH', 'items[].sku'],
      'TYPE_MISMATCH:items[].sku',
      { code: 'TYPE_MISMATCH', path: 'items[].sku' },
    ],
    [['UNRESOLVED_TOPIC'], 'UNRESOLVED_TOPIC', { code: 'UNRESOLVED_TOPIC' }],
    [
      ['PII_DETECTED', 'notes', 'ssn'],
      'PII_DETECTED:ssn:notes',
      { code: 'PII_DETECTED', qualifier: 'ssn', path: 'notes' },
    ],
    [
      ['PII_DETECTED', undefined, 'email'],
      'PII_DETECTED:email',
      { code: 'PII_DETECTED', qualifier: 'email' },
    ],
    [
      ['INVALID_FORMAT', 'meta.a:b'],
      'INVALID_FORMAT:meta.a:b',
      { code: 'INVALID_FORMAT', path: 'meta.a:b' },
    ],
  ] as const)('%j ↔ %s', (args, text, parsed) => {
    expect(formatReasonCode(...(args as unknown as [ReasonCode, string?, string?]))).toBe(text);
    expect(parseReasonCode(text)).toEqual(parsed);
  });

  it.each([
    ['NOT_A_CODE:x', /unknown code/],
    ['missing_field:x', /unknown code/],
    ['', /unknown code/],
    ['MISSING_FIELD:', /field path/],
    ['MISSING_FIELD:a\nb', /field path/],
    ['PII_DETECTED', /needs a qualifier/],
    ['PII_DETECTED::notes', /needs a qualifier/],
    ['PII_DETECTED:s s n:notes', /needs a qualifier/],
  ])('rejects %j', (text, message) => {
    expect(() => parseReasonCode(text)).toThrow(message);
    expect(codeOf(() => parseReasonCode(text))).toBe('SF_ERR_REASON_CODE_INVALID');
    expect(tryParseReasonCode(text)).toBeUndefined();
  });

  it('rejects non-strings and misuse when formatting', () => {
    for (const input of [null, 1, {}, [], undefined]) {
      expect(codeOf(() => parseReasonCode(input))).toBe('SF_ERR_REASON_CODE_INVALID');
    }
    expect(codeOf(() => formatReasonCode('NOPE' as ReasonCode))).toBe('SF_ERR_REASON_CODE_INVALID');
    expect(codeOf(() => formatReasonCode('MISSING_FIELD', 'a', 'ssn'))).toBe(
      'SF_ERR_REASON_CODE_INVALID',
    );
    expect(codeOf(() => formatReasonCode('PII_DETECTED', 'a'))).toBe('SF_ERR_REASON_CODE_INVALID');
    expect(codeOf(() => formatReasonCode('MISSING_FIELD', ''))).toBe('SF_ERR_REASON_CODE_INVALID');
  });

  it('fuzz: parse throws only its typed error, and what parses re-formats identically', () => {
    const codes = Object.keys(REASON_CODES);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(fc.constantFrom(...codes), fc.string()).map(([c, s]) => `${c}:${s}`),
          fc.anything(),
        ),
        (input) => {
          try {
            const { code, qualifier, path } = parseReasonCode(input);
            expect(formatReasonCode(code, path, qualifier)).toBe(input);
          } catch (error) {
            expect((error as SignalFactoryError).code).toBe('SF_ERR_REASON_CODE_INVALID');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('field paths', () => {
  it('joins keys with dots and array items with []', () => {
    expect(childFieldPath('', 'items')).toBe('items');
    expect(childFieldPath(itemFieldPath('items'), 'sku')).toBe('items[].sku');
    expect(childFieldPath('meta', 'a.b')).toBe('meta.a\\.b');
  });

  it('converts JSON pointers', () => {
    expect(fieldPathFromJsonPointer('')).toBe('');
    expect(fieldPathFromJsonPointer('/items/0/sku')).toBe('items[].sku');
    expect(fieldPathFromJsonPointer('/matrix/1/2')).toBe('matrix[][]');
    expect(fieldPathFromJsonPointer('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});
