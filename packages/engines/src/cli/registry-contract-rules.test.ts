import { readFileSync } from 'node:fs';

import { InMemoryStateStore } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import { RegistryContractRules } from './registry-contract-rules';

const ORDERS = readFileSync(
  new URL('../../../../../shared/scenarios/examples/orders-created.odcs.yaml', import.meta.url),
  'utf8',
);
const URN = 'urn:dp:orders:created';

describe('RegistryContractRules', () => {
  it('answers from memory, reads the newest registered version in the background, keeps the last good rules', async () => {
    let now = 0;
    const state = new InMemoryStateStore();
    await state.put('DatasetRegistry', { pk: URN, sk: 'meta' }, { tier: 1 });
    await state.put('DatasetRegistry', { pk: URN, sk: 'contract#3.0.0' }, { contract: ORDERS });
    // a newer version where email may be null in up to 5 %
    const v31 = ORDERS.replace('version: 3.0.0', 'version: 3.1.0').replace(
      'mustBeLessThan: 1',
      'mustBeLessThan: 5',
    );
    await state.put('DatasetRegistry', { pk: URN, sk: 'contract#3.1.0' }, { contract: v31 });
    await state.put('DatasetRegistry', { pk: URN, sk: 'contract#9.9.9' }, { contract: 'kind: [' });
    const rules = new RegistryContractRules({ state, refreshMs: 1000, now: () => now });
    expect(rules.rules(URN)).toBeUndefined(); // not read yet: the read starts now
    await rules.load(URN);
    const email = rules.rules(URN)?.find((r) => r.kind === 'nullValues' && r.path === 'email');
    expect(email?.threshold).toEqual({ operator: 'mustBeLessThan', value: 5 });
    expect(rules.rules(URN)?.some((r) => r.kind === 'unique' && r.path === 'order_id')).toBe(true);

    // the registry goes away: after the refresh interval the read fails, the last good rules stay
    const query = state.query.bind(state);
    state.query = async () => {
      throw new Error('ThrottlingException');
    };
    now = 5000;
    const before = rules.rules(URN);
    await rules.load(URN);
    expect(rules.rules(URN)).toBe(before);
    expect(rules.rules(URN)).toHaveLength(before!.length);
    state.query = query;
    expect(rules.rules('urn:dp:unknown')).toBeUndefined();
    await rules.load('urn:dp:unknown');
    expect(rules.rules('urn:dp:unknown')).toBeUndefined();
  });
});
