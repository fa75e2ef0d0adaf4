import { DynamoDbStateStore } from '@signal-factory/dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { RegistryCache, StateStoreRegistrySource } from '../../src/index';
import { ORDERS_CONTRACT } from '../../src/testing/fixtures';

describe('registry from DynamoDB (dynalite)', () => {
  const prefix = `sidecar_it_${Date.now().toString(36)}_`;
  const store = new DynamoDbStateStore({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    tablePrefix: prefix,
    autoCreateTables: true,
    maxRetries: 1,
  });
  afterAll(async () => {
    await store.close();
  });

  it('loads datasets, resolution, identity and contracts, then serves the last good copy when the store fails', async () => {
    await store.put(
      'DatasetResolutionMap',
      { pk: 'resolution', sk: 'exact#orders.created' },
      { urn: 'urn:dp:orders:created', producerService: 'orders-svc' },
    );
    await store.put(
      'DatasetResolutionMap',
      { pk: 'resolution', sk: 'pattern#001' },
      { pattern: 'legacy\\.([a-z]+)', urn: 'urn:dp:legacy:$1' },
    );
    await store.put(
      'DatasetRegistry',
      { pk: 'urn:dp:orders:created', sk: 'meta' },
      { enforcement: 'enforce', tier: 'gold' },
    );
    await store.put(
      'DatasetRegistry',
      { pk: 'urn:dp:orders:created', sk: 'contract#1.0.0' },
      { contract: ORDERS_CONTRACT as never },
    );

    let failing = false;
    const flaky = {
      get: store.get.bind(store),
      put: store.put.bind(store),
      delete: store.delete.bind(store),
      close: async () => undefined,
      query: (...args: Parameters<typeof store.query>) =>
        failing ? Promise.reject(new Error('dynamo down')) : store.query(...args),
    };
    const cache = new RegistryCache(new StateStoreRegistrySource(flaky), { ttlMs: 0 });
    const snapshot = await cache.start();
    expect(snapshot.datasets.get('urn:dp:orders:created')).toMatchObject({
      enforcement: 'enforce',
      tier: 'gold',
    });
    expect(snapshot.resolution.exact).toEqual({ 'orders.created': 'urn:dp:orders:created' });
    expect(snapshot.identityFallback).toEqual({ 'orders.created': 'orders-svc' });
    expect(snapshot.contracts.get('urn:dp:orders:created')?.[0]?.version).toBe('1.0.0');

    failing = true;
    await cache.refresh();
    expect(cache.status).toMatchObject({ loaded: true, stale: true, consecutiveFailures: 1 });
    expect(cache.snapshot).toBe(snapshot);
    cache.close();
  });
});
