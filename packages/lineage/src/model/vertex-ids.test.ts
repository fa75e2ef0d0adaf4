import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minConfidence } from './labels';
import { vertexIds } from './vertex-ids';

describe('vertexIds', () => {
  it('derives deterministic, URN-based ids', () => {
    expect(vertexIds.dataset('urn:dp:orders:created')).toBe('urn:dp:orders:created');
    expect(vertexIds.column('urn:dp:orders:created', 'customer.id')).toBe(
      'urn:dp:orders:created#customer.id',
    );
    expect(vertexIds.service('orders-svc')).toBe('service:orders-svc');
    expect(vertexIds.deployment('orders-svc', '3.17')).toBe('deployment:orders-svc:3.17');
    expect(vertexIds.deployment('orders-svc', '3.17', 'prod')).toBe(
      'deployment:orders-svc:3.17:prod',
    );
    expect(vertexIds.failureSignature('sha256:abc')).toBe('failure-signature:sha256:abc');
    expect(vertexIds.signal('s1')).toBe('signal:s1');
    expect(vertexIds.incident('i1')).toBe('incident:i1');
    expect(vertexIds.job('ns', 'name')).toBe('job:ns:name');
    expect(vertexIds.owner('team')).toBe('owner:team');
  });

  it('escapes separators so ids never collide and never contain "|"', () => {
    expect(vertexIds.deployment('a:b', 'c')).not.toBe(vertexIds.deployment('a', 'b:c'));
    expect(vertexIds.job('a|b', 'c#d')).toBe('job:a%7Cb:c%23d');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        const id = vertexIds.job(a, b);
        expect(id.includes('|')).toBe(false);
        expect(id === vertexIds.job(b, a)).toBe(a === b);
      }),
    );
  });

  it('rejects bad URNs and empty parts with a typed error', () => {
    expect(() => vertexIds.dataset('orders')).toThrow(
      expect.objectContaining({ code: 'SF_ERR_LINEAGE_RECORD_INVALID' }),
    );
    expect(() => vertexIds.service('')).toThrow(
      expect.objectContaining({ code: 'SF_ERR_LINEAGE_RECORD_INVALID' }),
    );
  });

  it('a path is only as sure as its weakest edge', () => {
    expect(minConfidence('HIGH', 'LOW')).toBe('LOW');
    expect(minConfidence('MEDIUM', 'HIGH')).toBe('MEDIUM');
  });
});
