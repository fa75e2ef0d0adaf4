import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { sharedSpecPath } from '../testing/shared-specs';
import type { PiiType } from '../types';
import { ibanValid, luhnValid, ssnValid } from './checksums';
import { PiiScanner } from './pii-scanner';

interface Case {
  text: string;
  entity_type: string;
  expected_spans: Array<{ start: number; end: number; match: string }>;
}

const TYPE_OF: Record<string, PiiType> = {
  US_SSN: 'ssn',
  EMAIL_ADDRESS: 'email',
  PHONE_NUMBER: 'phone',
  CREDIT_CARD: 'credit_card',
};

const cases = (
  JSON.parse(readFileSync(sharedSpecPath('pii', 'presidio-pii-test-cases.json'), 'utf8')) as {
    cases: Case[];
  }
).cases;

describe('PII scanner on the Presidio test cases', () => {
  const scanner = new PiiScanner();

  it('scores at least 0.9 precision for every type (and prints precision/recall per type)', () => {
    // A detection is a true positive when it overlaps an expected span of the same type.
    // Detections of a type a case does not label count as false positives unless another case
    // labels that type for the same text (the multi-entity sentence).
    const labelled = new Set(cases.map((c) => `${TYPE_OF[c.entity_type]}|${c.text}`));
    const score: Record<string, { tp: number; fp: number; fn: number }> = {};
    const bump = (type: string, key: 'tp' | 'fp' | 'fn'): void => {
      score[type] ??= { tp: 0, fp: 0, fn: 0 };
      score[type][key]++;
    };
    for (const c of cases) {
      const type = TYPE_OF[c.entity_type] as PiiType;
      const spans = scanner.scanString(c.text);
      const own = spans.filter((s) => s.type === type);
      const matched = new Set<number>();
      for (const span of own) {
        const hit = c.expected_spans.findIndex((e) => span.start < e.end && span.end > e.start);
        if (hit >= 0 && !matched.has(hit)) {
          matched.add(hit);
          bump(type, 'tp');
        } else {
          bump(type, 'fp');
        }
      }
      for (let i = 0; i < c.expected_spans.length; i++) if (!matched.has(i)) bump(type, 'fn');
      for (const span of spans) {
        if (span.type !== type && !labelled.has(`${span.type}|${c.text}`)) bump(span.type, 'fp');
      }
    }
    const table = Object.entries(score).map(([type, { tp, fp, fn }]) => ({
      type,
      tp,
      fp,
      fn,
      precision: Number((tp / Math.max(1, tp + fp)).toFixed(3)),
      recall: Number((tp / Math.max(1, tp + fn)).toFixed(3)),
    }));
    // Printed on purpose: the issue asks for precision and recall per type in the test output.
    console.table(table);
    for (const row of table) {
      expect(row.precision, `${row.type} precision`).toBeGreaterThanOrEqual(0.9);
      // SSN misses only the two mixed-delimiter "very weak" forms the spec allows a strict detector to reject.
      expect(row.recall, `${row.type} recall`).toBeGreaterThanOrEqual(0.7);
    }
    expect(table.map((r) => r.type).sort()).toEqual(['credit_card', 'email', 'phone', 'ssn']);
  });
});

describe('checksums', () => {
  it('Luhn accepts valid card numbers and rejects a flipped digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('41a1')).toBe(false);
  });

  it('IBAN mod-97 with country lengths', () => {
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
    expect(ibanValid('ZZ89370400440532013000')).toBe(false);
  });

  it('SSN rules reject invalid areas, groups, serials and advertised numbers', () => {
    expect(ssnValid('078051123')).toBe(true);
    for (const bad of [
      '000123456',
      '666123456',
      '900123456',
      '123001234',
      '123450000',
      '078051120',
    ]) {
      expect(ssnValid(bad), bad).toBe(false);
    }
  });
});

describe('PiiScanner', () => {
  const scanner = new PiiScanner();

  it('finds IBANs and cuts them at the country length', () => {
    const spans = scanner.scanString('pay to GB82 WEST 1234 5698 7654 32 today');
    expect(spans).toEqual([{ type: 'iban', start: 7, end: 34 }]);
    expect(scanner.scanString('GB82 WEST 1234 5698 7654 33')).toEqual([]);
  });

  it('does not read the digit groups of a UUID as a card number', () => {
    // 1880-4097-6873-4424 passes Luhn; as part of a UUID it is an id, not a card.
    const uuid = '18804097-6873-4424-bd99-a64ddc8a3c4d';
    expect(scanner.scanString(uuid)).toEqual([]);
    expect(scanner.scanString(`order ${uuid} paid`)).toEqual([]);
    const text = `order ${uuid} card 4111 1111 1111 1111`;
    expect(scanner.scanString(text)).toEqual([
      { type: 'credit_card', start: text.indexOf('4111'), end: text.length },
    ]);
  });

  it('reports types and paths, never values, and skips declared PII fields', () => {
    const record = {
      customer: { email: 'a@example.com', note: 'ssn 078-05-1123' },
      lines: [{ memo: 'card 4111 1111 1111 1111' }, { memo: 'fine' }],
      amount: 12,
    };
    const findings = scanner.scanValue(record, new Set(['customer.email']));
    expect(findings).toEqual([
      { type: 'ssn', path: 'customer.note' },
      { type: 'credit_card', path: 'lines[].memo' },
    ]);
    expect(JSON.stringify(findings)).not.toContain('078');
  });

  it('mayContain is false for clean bytes and true when a pattern can match', () => {
    expect(scanner.mayContain(Buffer.from('{"order_id":"o-1","amount":12.5}'))).toBe(false);
    expect(scanner.mayContain(Buffer.from('{"email":"x@y.io"}'))).toBe(true);
  });

  it('a top-level string value is scanned at path $', () => {
    expect(scanner.scanValue('mail me: x@y.io')).toEqual([{ type: 'email', path: '$' }]);
  });

  it('stays linear on hostile regex-like input', () => {
    const hostile = `${'a'.repeat(50_000)}@${'b.'.repeat(20_000)}!${'1-'.repeat(20_000)}(((((`;
    const started = performance.now();
    scanner.scanString(hostile);
    scanner.scanValue({ x: hostile, y: '(a+)+$'.repeat(1000) });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('never throws on arbitrary strings and spans stay inside the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        for (const span of scanner.scanString(text)) {
          expect(span.start).toBeGreaterThanOrEqual(0);
          expect(span.end).toBeLessThanOrEqual(text.length);
          expect(span.end).toBeGreaterThan(span.start);
        }
      }),
      { numRuns: 300 },
    );
  });
});
