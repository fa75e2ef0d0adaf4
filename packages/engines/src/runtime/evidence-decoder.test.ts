import { describe, expect, it } from 'vitest';
import { EvidenceDecoder } from './evidence-decoder';
import { evidence, T0 } from './fixtures.test-data';

describe('EvidenceDecoder', () => {
  it('parses a record once for all groups and forgets it once every group read it', () => {
    const decoder = new EvidenceDecoder(3);
    const text = JSON.stringify(evidence('urn:dp:a:b', T0));
    const first = decoder.decode(text);
    expect(first.evidence?.dataset_urn).toBe('urn:dp:a:b');
    expect(decoder.size).toBe(1);
    expect(decoder.decode(text)).toBe(first);
    expect(decoder.decode(text)).toBe(first);
    expect(decoder.size).toBe(0);
  });

  it('explains invalid records and stays bounded', () => {
    const decoder = new EvidenceDecoder(2, 10);
    expect(decoder.decode('{oops').problem).toMatch(/^not JSON/);
    expect(decoder.decode('{"schema_version":"evidence/v1"}').problem).toContain('is required');
    for (let i = 0; i < 50; i++) decoder.decode(JSON.stringify(evidence('urn:dp:a:b', T0 + i)));
    expect(decoder.size).toBeLessThanOrEqual(10);
  });
});
