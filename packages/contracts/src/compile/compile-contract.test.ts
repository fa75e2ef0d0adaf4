import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../load/load-contract';
import { ORDERS_CONTRACT, orderRecord, sharedDir } from '../test-support/shared-dir';
import type { OdcsContract, OdcsProperty } from '../types';
import { compileContract } from './compile-contract';

const orders = loadContract(readFileSync(ORDERS_CONTRACT(), 'utf8'));

function contractWith(
  properties: OdcsProperty[],
  extra: Record<string, unknown> = {},
): OdcsContract {
  return loadContract({
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: 'urn:dp:test:things',
    version: '1.0.0',
    status: 'active',
    schema: [
      { name: 'things', physicalType: 'topic', logicalType: 'object', properties, ...extra },
    ],
  });
}

function codesOf(contract: OdcsContract, record: unknown, strict?: boolean): readonly string[] {
  return compileContract(contract, strict === undefined ? {} : { strict }).validate(record)
    .reasonCodes;
}

describe('compileContract on the steel-thread contract', () => {
  const compiled = compileContract(orders);

  it('picks the topic schema object and exposes identity, PII and aggregate rules', () => {
    expect(compiled).toMatchObject({
      id: 'urn:dp:orders:created',
      version: '3.0.0',
      datasetUrn: 'urn:dp:orders:created',
      schemaName: 'orders_created',
      strict: false,
      piiFields: ['email'],
      classifications: { email: 'restricted' },
    });
    expect(compiled.aggregateRules).toEqual([
      { kind: 'unique', path: 'order_id', unit: 'rows', source: { unique: true } },
      expect.objectContaining({
        kind: 'nullValues',
        path: 'email',
        unit: 'percent',
        threshold: { operator: 'mustBeLessThan', value: 1 },
      }),
    ]);
  });

  it('accepts valid records with one shared result object', () => {
    const a = compiled.validate(orderRecord(1));
    const b = compiled.validate(orderRecord(2));
    expect(a).toEqual({ valid: true, reasonCodes: [], violations: [] });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(
      compiled.validate({ ...orderRecord(3), email: null, discount_code: null, extra: 1 }).valid,
    ).toBe(true);
    expect(compiled.validate({ ...orderRecord(3), created_at: 1768467600000 }).valid).toBe(true);
  });

  it('reports MISSING_FIELD:customer_id for a record without customer_id', () => {
    const { customer_id: _dropped, ...record } = orderRecord(7);
    const result = compiled.validate(record);
    expect(result.valid).toBe(false);
    expect(result.reasonCodes).toEqual(['MISSING_FIELD:customer_id']);
    expect(result.violations).toEqual([
      { code: 'MISSING_FIELD', path: 'customer_id', expected: 'string', actual: 'absent' },
    ]);
  });

  it('reports every violation with kinds, never values', () => {
    const secret = 'nope-not-an-email';
    const result = compiled.validate({
      order_id: 12,
      customer_id: null,
      amount: -1,
      currency: 'XXX',
      email: secret,
      created_at: 'yesterday',
    });
    expect(result.reasonCodes).toEqual([
      'TYPE_MISMATCH:order_id',
      'NULL_VIOLATION:customer_id',
      'OUT_OF_RANGE:amount',
      'ENUM_VIOLATION:currency',
      'INVALID_FORMAT:email',
      'INVALID_FORMAT:created_at',
    ]);
    expect(result.violations[0]).toEqual({
      code: 'TYPE_MISMATCH',
      path: 'order_id',
      expected: 'string',
      actual: 'integer',
    });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain('XXX');
    expect(compiled.validate({ ...orderRecord(1), customer_id: 'D1' }).reasonCodes).toEqual([
      'PATTERN_MISMATCH:customer_id',
    ]);
  });

  it('never throws on records that are not objects', () => {
    for (const record of [null, undefined, 'x', 42, [], [orderRecord(1)], true]) {
      const result = compiled.validate(record);
      expect(result.valid).toBe(false);
      expect(result.reasonCodes).toEqual(['TYPE_MISMATCH']);
    }
  });

  it('never throws and never reports values, whatever the record (property test)', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        const result = compiled.validate(value);
        expect(typeof result.valid).toBe('boolean');
        for (const code of result.reasonCodes) expect(code).toMatch(/^[A-Z_]+(:.+)?$/);
      }),
      { numRuns: 300 },
    );
  });

  it('handles deeply nested and huge records in bounded time and output', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { nested: deep };
    const start = performance.now();
    expect(compiled.validate({ ...orderRecord(1), deep }).valid).toBe(true);
    const huge: Record<string, unknown> = { ...orderRecord(2) };
    for (let i = 0; i < 200_000; i++) huge[`f${i}`] = i;
    expect(compiled.validate(huge).valid).toBe(true);
    const strict = compileContract(orders, { strict: true, maxViolations: 50 }).validate(huge);
    expect(strict.violations).toHaveLength(50);
    expect(strict.reasonCodes[0]).toBe('UNKNOWN_FIELD:f0');
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('compileContract rules', () => {
  it('validates nested objects and arrays with dotted and [] paths', () => {
    const c = contractWith([
      {
        name: 'customer',
        logicalType: 'object',
        required: true,
        properties: [
          { name: 'id', logicalType: 'string', required: true },
          {
            name: 'address',
            logicalType: 'object',
            properties: [{ name: 'zip', logicalType: 'string', required: true }],
          },
        ],
      },
      {
        name: 'items',
        logicalType: 'array',
        logicalTypeOptions: { minItems: 1, maxItems: 3 },
        items: {
          logicalType: 'object',
          properties: [
            { name: 'sku', logicalType: 'string', required: true },
            { name: 'qty', logicalType: 'integer', logicalTypeOptions: { minimum: 1 } },
          ],
        },
      },
      {
        name: 'tags',
        logicalType: 'array',
        items: { logicalType: 'string', logicalTypeOptions: { maxLength: 3 } },
      },
    ]);
    expect(
      codesOf(c, {
        customer: { id: 'a', address: { zip: '1' } },
        items: [{ sku: 'x', qty: 1 }],
        tags: ['ab'],
      }),
    ).toEqual([]);
    expect(
      codesOf(c, {
        customer: { address: {} },
        items: [{ sku: 'x', qty: 0 }, { qty: 1.5 }, { sku: 1 }],
        tags: ['abcd', 'abcdef'],
      }),
    ).toEqual([
      'MISSING_FIELD:customer.id',
      'MISSING_FIELD:customer.address.zip',
      'OUT_OF_RANGE:items[].qty',
      'MISSING_FIELD:items[].sku',
      'TYPE_MISMATCH:items[].qty',
      'TYPE_MISMATCH:items[].sku',
      'OUT_OF_RANGE:tags[]',
    ]);
    expect(codesOf(c, { customer: { id: 'a' }, items: [] })).toEqual(['OUT_OF_RANGE:items']);
  });

  it('honours every logicalType and logicalTypeOptions', () => {
    const c = contractWith([
      {
        name: 's',
        logicalType: 'string',
        logicalTypeOptions: { minLength: 2, maxLength: 4, format: 'uuid' },
      },
      { name: 'e', logicalType: 'string', logicalTypeOptions: { format: 'email' } },
      { name: 'dt', logicalType: 'string', logicalTypeOptions: { format: 'date-time' } },
      {
        name: 'n',
        logicalType: 'number',
        logicalTypeOptions: { exclusiveMinimum: 0, exclusiveMaximum: 10 },
      },
      { name: 'i', logicalType: 'integer', logicalTypeOptions: { minimum: 1, maximum: 5 } },
      { name: 'b', logicalType: 'boolean' },
      {
        name: 'd',
        logicalType: 'date',
        logicalTypeOptions: { minimum: '2020-01-01', maximum: '2020-12-31' },
      },
      {
        name: 't',
        logicalType: 'timestamp',
        logicalTypeOptions: { format: 'yyyy-MM-dd HH:mm:ss' },
      },
      { name: 'tm', logicalType: 'time' },
    ]);
    expect(
      codesOf(c, {
        e: 'a@b.co',
        dt: '2026-01-01T00:00:00Z',
        n: 9.5,
        i: 5,
        b: false,
        d: '2020-06-01',
        t: '2020-06-01 10:00:00',
        tm: '10:11:12',
      }),
    ).toEqual([]);
    expect(
      codesOf(c, {
        s: 'abc',
        e: 'a@',
        dt: '2026-01-01',
        n: 10,
        i: 6,
        b: 'true',
        d: '2021-01-01',
        t: '2020-06-01T10:00:00Z',
        tm: '25:00',
      }),
    ).toEqual([
      'INVALID_FORMAT:s',
      'INVALID_FORMAT:e',
      'INVALID_FORMAT:dt',
      'OUT_OF_RANGE:n',
      'OUT_OF_RANGE:i',
      'TYPE_MISMATCH:b',
      'OUT_OF_RANGE:d',
      'INVALID_FORMAT:t',
      'INVALID_FORMAT:tm',
    ]);
    expect(codesOf(c, { s: 'a' })).toEqual(['OUT_OF_RANGE:s', 'INVALID_FORMAT:s']);
  });

  it('judges zero-tolerance quality rules per record and hands the rest to the DQ engine', () => {
    const c = contractWith(
      [
        {
          name: 'status',
          logicalType: 'string',
          quality: [
            {
              type: 'library',
              metric: 'invalidValues',
              arguments: { validValues: ['a', 'b', null] },
              mustBe: 0,
            },
          ],
        },
        {
          name: 'code',
          logicalType: 'string',
          quality: [
            { metric: 'invalidValues', arguments: { pattern: '^[A-Z]{2}$' }, mustBeLessThan: 1 },
          ],
        },
        { name: 'note', logicalType: 'string', quality: [{ metric: 'nullValues', mustBe: 0 }] },
        {
          name: 'ref',
          logicalType: 'string',
          quality: [
            { metric: 'missingValues', arguments: { missingValues: ['', 'N/A'] }, mustBe: 0 },
          ],
        },
        { name: 'dup', logicalType: 'string', quality: [{ metric: 'duplicateValues', mustBe: 0 }] },
        {
          name: 'pct',
          logicalType: 'string',
          quality: [
            {
              metric: 'invalidValues',
              arguments: { validValues: ['x'] },
              mustBeLessThan: 5,
              unit: 'percent',
            },
          ],
        },
      ],
      {
        quality: [
          { metric: 'rowCount', mustBeGreaterThan: 100 },
          { type: 'sql', query: 'select 1', mustBe: 1 },
        ],
      },
    );
    const compiled = compileContract(c);
    expect(compiled.validate({ status: null, code: 'AB', note: 'x', ref: 'r' }).valid).toBe(true);
    expect(
      compiled.validate({ status: 'c', code: 'abc', ref: 'N/A', pct: 'y' }).reasonCodes,
    ).toEqual([
      'NULL_VIOLATION:note',
      'ENUM_VIOLATION:status',
      'PATTERN_MISMATCH:code',
      'NULL_VIOLATION:ref',
    ]);
    expect(compiled.validate({ note: null, ref: null }).reasonCodes).toEqual([
      'NULL_VIOLATION:note',
      'NULL_VIOLATION:ref',
    ]);
    expect(compiled.aggregateRules.map((r) => [r.kind, r.path, r.unit])).toEqual([
      ['rowCount', undefined, 'rows'],
      ['sql', undefined, 'rows'],
      ['duplicateValues', 'dup', 'rows'],
      ['invalidValues', 'pct', 'percent'],
    ]);
  });

  it('reports unknown fields only when strict, asked by the contract or the caller', () => {
    const props = [{ name: 'a', logicalType: 'string' as const, properties: undefined }];
    const open = contractWith([{ name: 'a', logicalType: 'string' }]);
    expect(codesOf(open, { a: 'x', b: 1 })).toEqual([]);
    expect(codesOf(open, { a: 'x', b: 1 }, true)).toEqual(['UNKNOWN_FIELD:b']);
    const closed = contractWith(
      [{ name: 'o', logicalType: 'object', properties: [{ name: 'x', logicalType: 'integer' }] }],
      { customProperties: [{ property: 'signalFactory.strict', value: true }] },
    );
    expect(compileContract(closed).strict).toBe(true);
    expect(codesOf(closed, { o: { x: 1, y: 2 }, z: [] })).toEqual([
      'UNKNOWN_FIELD:z',
      'UNKNOWN_FIELD:o.y',
    ]);
    expect(codesOf(closed, { o: { x: 1 } }, false)).toEqual([]);
    expect(props).toHaveLength(1);
  });

  it('exposes PII fields from classification, nested included', () => {
    const c = contractWith([
      { name: 'ssn', logicalType: 'string', classification: 'PII' },
      {
        name: 'user',
        logicalType: 'object',
        properties: [{ name: 'phone', logicalType: 'string', classification: 'confidential' }],
      },
      { name: 'country', logicalType: 'string', classification: 'public' },
    ]);
    expect(compileContract(c).piiFields).toEqual(['ssn', 'user.phone']);
    expect(compileContract(c, { piiClassifications: ['public'] }).piiFields).toEqual(['country']);
  });

  it('rejects unknown logicalTypes and invalid regexes at compile time with their paths', () => {
    const bad = {
      apiVersion: 'v3.1.0',
      kind: 'DataContract',
      id: 'x',
      version: '1',
      status: 'active',
      schema: [
        {
          name: 't',
          physicalType: 'topic',
          properties: [
            { name: 'a', logicalType: 'money' },
            { name: 'b', logicalType: 'string', logicalTypeOptions: { pattern: '(a' } },
            { name: 'c', logicalType: 'string', logicalTypeOptions: { pattern: '^(a)\\1$' } },
            {
              name: 'd',
              logicalType: 'string',
              quality: [{ metric: 'invalidValues', arguments: { pattern: '(?<=a)b' }, mustBe: 0 }],
            },
          ],
        },
      ],
    } as unknown as OdcsContract;
    let error: unknown;
    try {
      compileContract(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'SF_ERR_CONTRACT_COMPILE' });
    const paths = (
      error as { details: { problems: Array<{ path: string }> } }
    ).details.problems.map((p) => p.path);
    expect(paths).toEqual([
      '/schema/0/properties/0/logicalType',
      '/schema/0/properties/1/logicalTypeOptions/pattern',
      '/schema/0/properties/2/logicalTypeOptions/pattern',
      '/schema/0/properties/3/quality/0/arguments/pattern',
    ]);
  });

  it('runs catastrophic patterns on RE2 in linear time', () => {
    const c = contractWith([
      { name: 'a', logicalType: 'string', logicalTypeOptions: { pattern: '^(a+)+$' } },
    ]);
    const compiled = compileContract(c);
    const start = performance.now();
    expect(compiled.validate({ a: `${'a'.repeat(5000)}!` }).reasonCodes).toEqual([
      'PATTERN_MISMATCH:a',
    ]);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('chooses schema objects by name and explains ambiguity', () => {
    const file = sharedDir(
      'specs',
      'odcs',
      'examples',
      'all',
      'postgresql-adventureworks-contract.odcs.yaml',
    );
    const c = loadContract(readFileSync(file, 'utf8'));
    expect(() => compileContract(c)).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_COMPILE' }),
    );
    expect(() => compileContract(c, { schemaName: 'nope' })).toThrow(
      /no schema object named "nope"/,
    );
  });

  it('compiles every object schema of every upstream example', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) =>
        statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)],
      );
    let compiled = 0;
    for (const file of walk(sharedDir('specs', 'odcs', 'examples'))) {
      const c = loadContract(readFileSync(file, 'utf8'));
      for (const s of c.schema ?? []) {
        if (s.logicalType !== undefined && s.logicalType !== 'object') continue;
        const v = compileContract(c, { schemaName: s.name });
        expect(typeof v.validate({}).valid).toBe('boolean');
        compiled += 1;
      }
    }
    expect(compiled).toBeGreaterThan(20);
  });

  it('rejects contracts that nest deeper than the limit', () => {
    let prop: OdcsProperty = { name: 'leaf', logicalType: 'string' };
    for (let i = 0; i < 100; i++)
      prop = { name: `n${i}`, logicalType: 'object', properties: [prop] };
    const c = {
      ...contractWith([]),
      schema: [{ name: 't', physicalType: 'topic', properties: [prop] }],
    } as OdcsContract;
    expect(() => compileContract(c)).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_COMPILE' }),
    );
  });

  it('validates options', () => {
    expect(() => compileContract(orders, { maxViolations: 0 })).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_OPTIONS' }),
    );
  });
});
