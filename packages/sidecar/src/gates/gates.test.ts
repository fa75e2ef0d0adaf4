import { HEADERS, shapeFingerprint } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import type { ContractValidator } from '../types';
import { ResolutionGate } from './g1-resolution';
import { IdentityGate } from './g2-identity';
import { SchemaGate } from './g3-schema';
import { ContractGate } from './g4-contract';
import { PiiGate } from './g5-pii';

describe('G1 resolution', () => {
  const gate = new ResolutionGate({
    exact: { 'orders.created': 'urn:dp:orders:created', 'legacy.orders': 'urn:dp:orders:legacy' },
    patterns: [
      { pattern: 'legacy\\.([a-z]+)', urn: 'urn:dp:legacy:$1' },
      { pattern: 'payments\\..*', urn: 'urn:dp:payments:all' },
    ],
  });

  it('uses the exact map before patterns', () => {
    expect(gate.evaluate('legacy.orders')).toEqual({
      result: 'PASS',
      reasonCodes: [],
      datasetUrn: 'urn:dp:orders:legacy',
    });
  });

  it('falls back to anchored patterns in order, with group substitution', () => {
    expect(gate.resolveUrn('legacy.billing')).toBe('urn:dp:legacy:billing');
    expect(gate.resolveUrn('payments.settled.eu')).toBe('urn:dp:payments:all');
    expect(gate.resolveUrn('xlegacy.billing')).toBeNull();
  });

  it('reports UNRESOLVED_TOPIC as a WARN finding', () => {
    expect(gate.evaluate('nobody.knows')).toEqual({
      result: 'WARN',
      reasonCodes: ['UNRESOLVED_TOPIC'],
      datasetUrn: null,
    });
  });
});

describe('G2 identity', () => {
  const gate = new IdentityGate({ 'legacy.billing': 'billing-batch' });

  it('header → HIGH', () => {
    const out = gate.evaluate('orders.created', {
      [HEADERS.producerService]: 'orders-svc',
      [HEADERS.producerVersion]: '1.2.3',
    });
    expect(out.result).toBe('PASS');
    expect(out.identity).toEqual({
      service: 'orders-svc',
      version: '1.2.3',
      confidence: 'HIGH',
      method: 'header',
    });
  });

  it('fallback map → MEDIUM with IDENTITY_UNVERIFIED', () => {
    const out = gate.evaluate('legacy.billing', {});
    expect(out).toMatchObject({ result: 'WARN', reasonCodes: ['IDENTITY_UNVERIFIED'] });
    expect(out.identity).toEqual({
      service: 'billing-batch',
      confidence: 'MEDIUM',
      method: 'fallback_map',
    });
  });

  it('nothing → LOW, unknown; empty or absurd headers do not count', () => {
    expect(gate.evaluate('x', {}).identity).toEqual({
      service: 'unknown',
      confidence: 'LOW',
      method: 'none',
    });
    expect(gate.evaluate('x', { [HEADERS.producerService]: '  ' }).identity.confidence).toBe('LOW');
    expect(
      gate.evaluate('x', { [HEADERS.producerService]: 'a'.repeat(500) }).identity.confidence,
    ).toBe('LOW');
  });
});

describe('G3 schema', () => {
  it('passes known fingerprints and warns SCHEMA_DRIFT on unknown ones', () => {
    const gate = new SchemaGate();
    const expected = new Set([shapeFingerprint({ a: 1 })]);
    expect(gate.evaluate('urn:dp:a:b', { a: 2 }, expected)).toMatchObject({
      result: 'PASS',
      reasonCodes: [],
    });
    expect(gate.evaluate('urn:dp:a:b', { a: 'x' }, expected)).toMatchObject({
      result: 'WARN',
      reasonCodes: ['SCHEMA_DRIFT'],
    });
  });

  it('learns the first shape, flags the first record of a new shape only', () => {
    const gate = new SchemaGate();
    const first = gate.evaluate('urn:dp:a:b', { a: 1, b: 'x' }, undefined);
    expect(first).toMatchObject({ result: 'PASS', reasonCodes: ['SCHEMA_UNREGISTERED'] });
    expect(first.fingerprint).toBe(shapeFingerprint({ b: 'y', a: 5 }));
    expect(gate.evaluate('urn:dp:a:b', { b: 'z', a: 2 }, undefined)).toMatchObject({
      result: 'PASS',
      reasonCodes: [],
    });
    expect(gate.evaluate('urn:dp:a:b', { a: 1 }, undefined)).toMatchObject({
      result: 'WARN',
      reasonCodes: ['SCHEMA_DRIFT'],
    });
    expect(gate.evaluate('urn:dp:a:b', { a: 3 }, undefined)).toMatchObject({
      result: 'PASS',
      reasonCodes: [],
    });
  });
});

describe('G4 contract', () => {
  const v1: ContractValidator = {
    id: 'c',
    version: '1.0.0',
    piiFields: [],
    validate: (r) =>
      (r as { a?: unknown }).a !== undefined
        ? { valid: true, reasonCodes: [] }
        : { valid: false, reasonCodes: ['MISSING_FIELD:a'] },
  };
  const v2: ContractValidator = {
    id: 'c',
    version: '2.0.0',
    piiFields: [],
    validate: (r) =>
      typeof (r as { b?: unknown }).b === 'number'
        ? { valid: true, reasonCodes: [] }
        : { valid: false, reasonCodes: ['MISSING_FIELD:b'] },
  };
  const gate = new ContractGate();

  it('skips when the dataset has no contract', () => {
    expect(gate.evaluate(undefined, {}, {})).toMatchObject({ result: 'SKIP' });
  });

  it('accepts a record valid against any active version and records which', () => {
    expect(gate.evaluate([v2, v1], { a: 1 }, {})).toEqual({
      result: 'PASS',
      reasonCodes: [],
      contract: { id: 'c', version: '1.0.0' },
      dq: [],
    });
    expect(gate.evaluate([v2, v1], { b: 1 }, {}).contract?.version).toBe('2.0.0');
  });

  it('fails with the newest version’s reason codes, and flags an inactive pinned version', () => {
    expect(gate.evaluate([v2, v1], {}, { [HEADERS.contractVersion]: '0.9.0' })).toEqual({
      result: 'FAIL',
      reasonCodes: ['MISSING_FIELD:b', 'CONTRACT_VERSION_INACTIVE'],
      contract: { id: 'c', version: '2.0.0' },
      dq: [],
    });
  });
});

describe('G5 PII', () => {
  const gate = new PiiGate();

  it('fails with PII_DETECTED:<type>:<path> and never the value', () => {
    const value = { notes: 'my ssn is 078-05-1123', email: 'a@b.io' };
    const out = gate.evaluate(Buffer.from(JSON.stringify(value)), value, new Set(['email']));
    expect(out.result).toBe('FAIL');
    expect(out.reasonCodes).toEqual(['PII_DETECTED:ssn:notes']);
    expect(out.findings).toEqual([{ type: 'ssn', path: 'notes' }]);
  });

  it('warns instead when the dataset says so, and passes clean records', () => {
    const value = { notes: 'call 415-555-0132' };
    expect(gate.evaluate(Buffer.from(JSON.stringify(value)), value, undefined, 'warn').result).toBe(
      'WARN',
    );
    const clean = { id: 'x', n: 1 };
    expect(gate.evaluate(Buffer.from(JSON.stringify(clean)), clean)).toEqual({
      result: 'PASS',
      reasonCodes: [],
      findings: [],
    });
  });

  it('does not let JSON escapes hide PII from the byte prefilter', () => {
    const raw = '{"e":"x\\u0040example.com"}';
    const out = gate.evaluate(Buffer.from(raw), JSON.parse(raw));
    expect(out.reasonCodes).toEqual(['PII_DETECTED:email:e']);
  });
});
