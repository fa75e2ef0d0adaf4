/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON (HTTP answers, AdmissionReviews). */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { StateItem, StateStore } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import { ORDERS_CONTRACT } from '../testing/fixtures';
import { buildSnapshot } from './build-snapshot';
import { RegistryCache } from './registry-cache';
import { StateStoreRegistrySource } from './state-store-registry-source';
import type { RegistrySnapshot, RegistrySource } from './types';
import { YamlRegistrySource } from './yaml-registry-source';

const YAML = `
kind: Dataset
urn: urn:dp:orders:created
tier: silver
enforcement: enforce
topics: [orders.created]
producerService: orders-svc
---
kind: Resolution
patterns:
  - pattern: 'legacy\\.([a-z]+)'
    urn: 'urn:dp:legacy:$1'
---
kind: Tiers
tiers:
  silver: { passSampleRate: 0.25 }
`;

/** A tiny StateStore over a Map (only what the registry source uses). */
function mapStore(
  items: Array<Pick<StateItem, 'pk' | 'sk' | 'data'> & { table: string }>,
): StateStore & { down: boolean } {
  const store = {
    down: false,
    async get() {
      return undefined;
    },
    async put(): Promise<StateItem> {
      throw new Error('read-only');
    },
    async query(table: string, pk: string): Promise<StateItem[]> {
      if (store.down) throw new Error('connection refused');
      return items
        .filter((i) => i.table === table && i.pk === pk)
        .map((i) => ({ pk: i.pk, sk: i.sk, data: i.data, version: 1 }))
        .sort((a, b) => a.sk.localeCompare(b.sk));
    },
    async delete() {},
    async close() {},
  };
  return store;
}

describe('registry', () => {
  it('loads datasets, resolution, identity fallback, tiers and contracts from a YAML directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-registry-'));
    await writeFile(join(dir, 'datasets.yaml'), YAML);
    await writeFile(join(dir, 'orders-contract.yml'), JSON.stringify(ORDERS_CONTRACT));
    await writeFile(join(dir, 'ignored.txt'), 'kind: nonsense');
    const snapshot = await new YamlRegistrySource(dir).load();
    expect(snapshot.datasets.get('urn:dp:orders:created')).toMatchObject({
      tier: 'silver',
      enforcement: 'enforce',
    });
    expect(snapshot.resolution.exact).toEqual({ 'orders.created': 'urn:dp:orders:created' });
    expect(snapshot.resolution.patterns).toEqual([
      { pattern: 'legacy\\.([a-z]+)', urn: 'urn:dp:legacy:$1' },
    ]);
    expect(snapshot.identityFallback).toEqual({ 'orders.created': 'orders-svc' });
    expect(snapshot.tiers.silver).toEqual({ passSampleRate: 0.25 });
    expect(snapshot.contracts.get('urn:dp:orders:created')?.map((c) => c.version)).toEqual([
      '1.0.0',
    ]);
  });

  it('loads the shipped example registry (deploy/registry)', async () => {
    const dir = fileURLToPath(new URL('../../deploy/registry', import.meta.url));
    const snapshot = await new YamlRegistrySource(dir).load();
    expect([...snapshot.datasets.keys()].sort()).toEqual([
      'urn:dp:orders:created',
      'urn:dp:payments:settled',
    ]);
    expect(snapshot.contracts.get('urn:dp:orders:created')?.[0]?.piiFields).toEqual(['email']);
  });

  it('reports every problem with its path', () => {
    let error: any;
    try {
      buildSnapshot([
        { origin: 'a', document: { kind: 'Dataset', urn: 'not-a-urn' } },
        {
          origin: 'b',
          document: { kind: 'Dataset', urn: 'urn:dp:x:y', enforcement: 'block', tier: 'platinum' },
        },
        { origin: 'c', document: { kind: 'Tiers', tiers: { t: { passSampleRate: 2 } } } },
        { origin: 'd', document: { kind: 'Whatever' } },
        {
          origin: 'e',
          document: { kind: 'Resolution', patterns: [{ pattern: '(a', urn: 'urn:dp:a:b' }] },
        },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error?.code).toBe('SF_ERR_SIDECAR_REGISTRY_INVALID');
    const paths = error.details.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'a.urn',
        'b.enforcement',
        'c.tiers.t.passSampleRate',
        'd.kind',
        'patterns((a)',
        'datasets(urn:dp:x:y).tier',
      ]),
    );
  });

  it('keeps several active contract versions newest first and drops retired ones', () => {
    const snapshot = buildSnapshot([
      { origin: 'v1', document: { ...ORDERS_CONTRACT, version: '1.0.0' } },
      { origin: 'v2', document: { ...ORDERS_CONTRACT, version: '1.10.0' } },
      { origin: 'v0', document: { ...ORDERS_CONTRACT, version: '0.9.0', status: 'retired' } },
    ]);
    expect(snapshot.contracts.get('urn:dp:orders:created')?.map((c) => c.version)).toEqual([
      '1.10.0',
      '1.0.0',
    ]);
  });

  it('loads from the StateStore port (DatasetRegistry + DatasetResolutionMap layout)', async () => {
    const store = mapStore([
      {
        table: 'DatasetResolutionMap',
        pk: 'resolution',
        sk: 'exact#orders.created',
        data: { urn: 'urn:dp:orders:created', producerService: 'orders-svc' },
      },
      {
        table: 'DatasetResolutionMap',
        pk: 'resolution',
        sk: 'pattern#001',
        data: { pattern: 'pay\\..*', urn: 'urn:dp:payments:all' },
      },
      {
        table: 'DatasetResolutionMap',
        pk: 'resolution',
        sk: 'identity#legacy.x',
        data: { service: 'batch' },
      },
      {
        table: 'DatasetRegistry',
        pk: 'urn:dp:orders:created',
        sk: 'dataset',
        data: { enforcement: 'enforce', tier: 'gold' },
      },
      {
        table: 'DatasetRegistry',
        pk: 'urn:dp:orders:created',
        sk: 'contract#1.0.0',
        data: { contract: ORDERS_CONTRACT as never },
      },
    ]);
    const snapshot = await new StateStoreRegistrySource(store).load();
    expect(snapshot.datasets.get('urn:dp:orders:created')?.enforcement).toBe('enforce');
    expect(snapshot.resolution.exact['orders.created']).toBe('urn:dp:orders:created');
    expect(snapshot.resolution.patterns).toHaveLength(1);
    expect(snapshot.identityFallback).toEqual({
      'orders.created': 'orders-svc',
      'legacy.x': 'batch',
    });
    expect(snapshot.contracts.get('urn:dp:orders:created')).toHaveLength(1);
    store.down = true;
    await expect(new StateStoreRegistrySource(store).load()).rejects.toMatchObject({
      code: 'SF_ERR_SIDECAR_REGISTRY_UNAVAILABLE',
      retriable: true,
    });
  });

  it('serves the last good copy when a refresh fails, and says so', async () => {
    let fail = false;
    let loads = 0;
    const source: RegistrySource = {
      description: 'test',
      async load(): Promise<RegistrySnapshot> {
        loads++;
        if (fail) throw new Error('registry down');
        return buildSnapshot([
          { origin: 'x', document: { kind: 'Dataset', urn: `urn:dp:a:v${loads}` } },
        ]);
      },
    };
    const cache = new RegistryCache(source, { ttlMs: 0 });
    await cache.start();
    expect(cache.status).toMatchObject({ loaded: true, stale: false, version: 1 });
    fail = true;
    await cache.refresh();
    expect(cache.status).toMatchObject({
      loaded: true,
      stale: true,
      consecutiveFailures: 1,
      lastError: 'registry down',
    });
    expect([...(cache.snapshot?.datasets.keys() ?? [])]).toEqual(['urn:dp:a:v1']);
    fail = false;
    await cache.refresh();
    expect(cache.status).toMatchObject({ stale: false, consecutiveFailures: 0, version: 2 });
    cache.close();
  });

  it('refuses to start when the first load fails', async () => {
    const cache = new RegistryCache(
      { description: 'x', load: () => Promise.reject(new Error('nope')) },
      { ttlMs: 0 },
    );
    await expect(cache.start()).rejects.toMatchObject({
      code: 'SF_ERR_SIDECAR_REGISTRY_UNAVAILABLE',
    });
  });
});
