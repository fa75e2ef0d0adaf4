import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDatasetResolver } from './dataset-resolver';

describe('createDatasetResolver', () => {
  const resolver = createDatasetResolver({
    exact: { 'raw.orders.events': 'urn:dp:orders:created' },
    patterns: [
      { pattern: 'raw.*.events', urn: 'urn:dp:$1:events' },
      { pattern: '/^cdc\\.([a-z]+)\\.([a-z]+)$/', urn: 'urn:dp:$1:$2' },
      { pattern: '^legacy-(\\w+)$', urn: 'urn:dp:legacy:$1' },
    ],
  });

  it('prefers the exact map over patterns', () => {
    expect(resolver.resolve('raw.orders.events')).toEqual({
      resolved: true,
      urn: 'urn:dp:orders:created',
      matchedBy: 'exact',
    });
  });

  it('falls back to patterns in order, with capture groups', () => {
    expect(resolver.resolve('raw.payments.events')).toEqual({
      resolved: true,
      urn: 'urn:dp:payments:events',
      matchedBy: 'pattern',
      pattern: 'raw.*.events',
    });
    expect(resolver.resolve('cdc.billing.invoices')).toMatchObject({
      resolved: true,
      urn: 'urn:dp:billing:invoices',
    });
    expect(resolver.resolve('legacy-crm')).toMatchObject({
      resolved: true,
      urn: 'urn:dp:legacy:crm',
    });
  });

  it('glob metacharacters in topics are literal', () => {
    expect(resolver.resolve('rawXpaymentsXevents').resolved).toBe(false);
  });

  it('reports why a topic does not resolve', () => {
    expect(resolver.resolve('unknown.topic')).toMatchObject({
      resolved: false,
      reason: 'UNRESOLVED_TOPIC',
    });
    expect(resolver.resolve('raw.Orders.events')).toMatchObject({
      resolved: false,
      reason: 'INVALID_URN',
    });
    expect(resolver.resolve('')).toMatchObject({ resolved: false, reason: 'INVALID_TOPIC' });
    expect(resolver.resolve('x'.repeat(5_000))).toMatchObject({
      resolved: false,
      reason: 'INVALID_TOPIC',
    });
    expect(resolver.resolve(42 as unknown as string)).toMatchObject({
      resolved: false,
      reason: 'INVALID_TOPIC',
    });
  });

  it('validates options and names every problem by path', () => {
    try {
      createDatasetResolver({
        exact: { a: 'not-a-urn' },
        patterns: [
          { pattern: '/(/', urn: 'urn:dp:a:b' },
          { pattern: 'x.*', urn: 'nope' },
          { pattern: '', urn: 'urn:dp:a:b' },
        ],
        cacheSize: -1,
      });
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('SF_ERR_LINEAGE_OPTIONS_INVALID');
      const paths = (error as { details: { problems: { path: string }[] } }).details.problems.map(
        (p) => p.path,
      );
      expect(paths).toEqual([
        'exact["a"]',
        'patterns[0].pattern',
        'patterns[1].urn',
        'patterns[2].pattern',
        'cacheSize',
      ]);
    }
  });

  it('never throws and resolves consistently for any string (cache included)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (topic) => {
        const first = resolver.resolve(topic);
        expect(resolver.resolve(topic)).toEqual(first);
      }),
    );
  });
});
