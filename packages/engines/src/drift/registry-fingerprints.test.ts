import { InMemoryStateStore, shapeFingerprint } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import {
  datasetContext,
  evidence,
  orderRecord,
  URN,
  windowAt,
} from '../contract/evidence-fixtures.test-data';
import { RegistryFingerprints } from './registry-fingerprints';
import { SchemaDriftEngine } from './schema-drift-engine';

const FP = shapeFingerprint(orderRecord(0));

describe('RegistryFingerprints', () => {
  it('answers from a cache refreshed in the background and feeds the drift engine', async () => {
    const state = new InMemoryStateStore();
    await state.put(
      'DatasetRegistry',
      { pk: URN, sk: 'meta' },
      { urn: URN, expectedFingerprints: [FP] },
    );
    let now = 0;
    const registry = new RegistryFingerprints({ state, refreshMs: 1_000, now: () => now });
    expect(registry.lookup(URN)).toBeUndefined();
    await registry.refresh(URN);
    expect(registry.lookup(URN)).toEqual([FP]);

    await state.put(
      'DatasetRegistry',
      { pk: URN, sk: 'meta' },
      { urn: URN, expectedFingerprints: [FP, 'sha256:' + 'a'.repeat(64)] },
    );
    expect(registry.lookup(URN)).toEqual([FP]); // still fresh
    now = 1_000;
    expect(registry.lookup(URN)).toEqual([FP]); // stale: answered, refreshed in the background
    await registry.refresh(URN);
    expect(registry.lookup(URN)).toHaveLength(2);

    const ds = datasetContext();
    const engine = new SchemaDriftEngine({ expectedFingerprints: registry.lookup });
    let s = engine.initialState(ds);
    const w = windowAt(0);
    for (let i = 0; i < 20; i++) {
      const { customer_id: _c, ...rest } = orderRecord(i);
      s = engine.observe(
        s,
        evidence({
          i,
          time: w.start + i * 1000,
          record: rest,
          contractCodes: ['MISSING_FIELD:customer_id'],
        }),
        1,
        w,
        ds,
      );
    }
    const v = engine.closeWindow(s, w, ds, w.end).verdict;
    expect(v?.metrics.baseline_source).toBe('registered');
    expect(v?.state).toBe('CRITICAL');
  });

  it('never throws when the store fails, and keeps the last list', async () => {
    let fail = false;
    const state = {
      get: async () => {
        if (fail) throw new Error('throttled');
        return { pk: URN, sk: 'meta', version: 1, data: { expectedFingerprints: [FP] } };
      },
    };
    let now = 0;
    const registry = new RegistryFingerprints({ state, refreshMs: 10, now: () => now });
    await registry.refresh(URN);
    fail = true;
    now = 100;
    expect(() => registry.lookup(URN)).not.toThrow();
    await registry.refresh(URN);
    expect(registry.lookup(URN)).toEqual([FP]);
  });

  it('validates its options', () => {
    expect(() => new RegistryFingerprints({ state: {} as never, refreshMs: -1 })).toThrow(
      /state.*refreshMs/,
    );
  });
});
