import { InMemoryStateStore, type JsonValue } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import { createDatasetCatalog, stateStoreDatasetList } from './dataset-catalog';

describe('dataset catalog listing', () => {
  it("lists the registry's resolution map: exact topics and non-template patterns", async () => {
    const state = new InMemoryStateStore();
    const put = (sk: string, data: { [key: string]: JsonValue }) =>
      state.put('DatasetResolutionMap', { pk: 'resolution', sk }, data);
    await put('exact#raw.orders.events', { urn: 'urn:dp:orders:created' });
    await put('exact#raw.orders.v2', { urn: 'urn:dp:orders:created' });
    await put('pattern#0', { pattern: '^payments\\.(.+)$', urn: 'urn:dp:payments:$1' });
    await put('pattern#1', { pattern: '^support\\..+$', urn: 'urn:dp:support:tickets' });
    await put('identity#raw.orders.events', { service: 'orders-svc' });
    const catalog = createDatasetCatalog({
      datasets: [{ urn: 'urn:dp:configured' }],
      list: stateStoreDatasetList(state),
    });
    expect((await catalog.known()).sort()).toEqual([
      'urn:dp:configured',
      'urn:dp:orders:created',
      'urn:dp:support:tickets',
    ]);
  });

  it('caches the listing and keeps the last good one while the registry is down', async () => {
    let now = 0;
    let calls = 0;
    let down = false;
    const catalog = createDatasetCatalog({
      cacheMs: 1000,
      now: () => now,
      list: async () => {
        calls++;
        if (down) throw new Error('registry unavailable');
        return [`urn:dp:d${calls}`];
      },
    });
    expect(await catalog.known()).toEqual(['urn:dp:d1']);
    now = 500;
    expect(await catalog.known()).toEqual(['urn:dp:d1']);
    expect(calls).toBe(1);
    now = 1500;
    down = true;
    expect(await catalog.known()).toEqual(['urn:dp:d1']);
    expect(calls).toBe(2);
    now = 3000;
    down = false;
    expect(await catalog.known()).toEqual(['urn:dp:d3']);
  });
});
