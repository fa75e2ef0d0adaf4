import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { formatDatasetUrn, isDatasetUrn, parseDatasetUrn } from './dataset-urn';

function problemOf(input: unknown): string {
  try {
    parseDatasetUrn(input);
  } catch (error) {
    expect(error).toBeInstanceOf(SignalFactoryError);
    expect((error as SignalFactoryError).code).toBe('SF_ERR_URN_INVALID');
    return (error as SignalFactoryError).details?.problem as string;
  }
  throw new Error('expected a throw');
}

describe('parseDatasetUrn', () => {
  it.each([
    ['urn:dp:orders:created', { domain: 'orders', name: 'created' }],
    ['urn:dp:orders:created:v2', { domain: 'orders', name: 'created', majorVersion: 2 }],
    ['urn:dp:orders:created:v0', { domain: 'orders', name: 'created', majorVersion: 0 }],
    [
      'urn:dp:payments-eu:card_auth.v2-events',
      { domain: 'payments-eu', name: 'card_auth.v2-events' },
    ],
    ['urn:dp:0ps:1', { domain: '0ps', name: '1' }],
    ['urn:dp:orders:v1', { domain: 'orders', name: 'v1' }],
  ])('parses %s', (urn, parts) => {
    expect(parseDatasetUrn(urn)).toEqual(parts);
    expect(isDatasetUrn(urn)).toBe(true);
    expect(formatDatasetUrn(parts)).toBe(urn);
  });

  it.each([
    [42, 'not-a-string'],
    [null, 'not-a-string'],
    [{ domain: 'orders' }, 'not-a-string'],
    ['', 'prefix'],
    ['URN:DP:orders:created', 'prefix'],
    ['urn:ds:orders:created', 'prefix'],
    ['urn:dp:orders', 'segment-count'],
    ['urn:dp:orders:created:v1:extra', 'segment-count'],
    ['urn:dp::created', 'domain'],
    ['urn:dp:Orders:created', 'domain'],
    ['urn:dp:-orders:created', 'domain'],
    ['urn:dp:orders:', 'name'],
    ['urn:dp:orders:created events', 'name'],
    ['urn:dp:orders:créé', 'name'],
    [`urn:dp:orders:${'a'.repeat(101)}`, 'name'],
    ['urn:dp:orders:created:2', 'version'],
    ['urn:dp:orders:created:v01', 'version'],
    ['urn:dp:orders:created:V2', 'version'],
    ['urn:dp:orders:created:v', 'version'],
    ['urn:dp:orders:created:v1234567', 'version'],
    [`urn:dp:${'a'.repeat(100)}:${'b'.repeat(100)}:v1${'x'.repeat(60)}`, 'too-long'],
  ])('rejects %j (%s)', (input, problem) => {
    expect(problemOf(input)).toBe(problem);
    expect(isDatasetUrn(input)).toBe(false);
  });

  it('names the faulty part in the message', () => {
    expect(() => parseDatasetUrn('urn:dp:Orders:created')).toThrow(
      /domain must use lowercase letters/,
    );
  });
});

describe('formatDatasetUrn', () => {
  it('validates parts', () => {
    expect(() => formatDatasetUrn({ domain: 'Orders', name: 'x' })).toThrow(SignalFactoryError);
    expect(() => formatDatasetUrn({ domain: 'a', name: 'b', majorVersion: -1 })).toThrow(
      /majorVersion/,
    );
    expect(() => formatDatasetUrn({ domain: 'a', name: 'b', majorVersion: 1.5 })).toThrow(
      /majorVersion/,
    );
    expect(() => formatDatasetUrn({ domain: 'a', name: 'b:c' })).toThrow(SignalFactoryError);
    expect(() => formatDatasetUrn(null as never)).toThrow(SignalFactoryError);
    expect(() => formatDatasetUrn({ domain: 1, name: 'b' } as never)).toThrow(SignalFactoryError);
  });
});

describe('fuzz', () => {
  const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);

  it('round-trips every well-formed URN', () => {
    fc.assert(
      fc.property(
        segment,
        segment,
        fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined }),
        (domain, name, majorVersion) => {
          const parts =
            majorVersion === undefined ? { domain, name } : { domain, name, majorVersion };
          expect(parseDatasetUrn(formatDatasetUrn(parts))).toEqual(parts);
        },
      ),
    );
  });

  it('throws only SF_ERR_URN_INVALID for anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `urn:dp:${s}`),
          fc.anything(),
        ),
        (input) => {
          try {
            const parts = parseDatasetUrn(input);
            expect(formatDatasetUrn(parts)).toBe(input);
          } catch (error) {
            expect((error as SignalFactoryError).code).toBe('SF_ERR_URN_INVALID');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
