import { describeGraphStoreContract } from '@signal-factory/core/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GremlinGraphStore } from '../../src/gremlin/gremlin-graph-store';
import { describeLineageSuite } from '../shared/lineage-suite';

const url = inject('gremlinUrl');

async function freshStore(options: { mimeType?: string } = {}): Promise<GremlinGraphStore> {
  const store = new GremlinGraphStore({ url, ...options });
  // Integration files run one at a time on the shared server; each suite starts from an empty graph.
  await store.clear();
  return store;
}

describeGraphStoreContract('GremlinGraphStore (GraphBinary)', async () => ({
  store: new GremlinGraphStore({ url }),
}));
describeGraphStoreContract('GremlinGraphStore (GraphSON 3)', async () => ({
  store: new GremlinGraphStore({ url, mimeType: 'application/vnd.gremlin-v3.0+json' }),
}));

describeLineageSuite('Gremlin Server (GraphBinary)', () => freshStore());
describeLineageSuite('Gremlin Server (GraphSON 3)', () =>
  freshStore({ mimeType: 'application/vnd.gremlin-v3.0+json' }),
);

describe('GremlinGraphStore against Gremlin Server', () => {
  let store: GremlinGraphStore;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store.close();
    await store.close(); // idempotent
  });

  it('upserts merge properties with single cardinality and keep string ids', async () => {
    await store.upsertVertex({
      id: 'urn:dp:x:y',
      label: 'Dataset',
      properties: { tier: 1, name: 'a', flag: true },
    });
    await store.upsertVertex({
      id: 'urn:dp:x:y',
      label: 'Dataset',
      properties: { name: 'b', updatedAt: 1_768_467_600_000 },
    });
    expect(await store.getVertex('urn:dp:x:y')).toEqual({
      id: 'urn:dp:x:y',
      label: 'Dataset',
      properties: { tier: 1, name: 'b', flag: true, updatedAt: 1_768_467_600_000 },
    });
  });

  it('values with quotes, pipes and script-like text travel as parameters', async () => {
    const nasty = `x'); g.V().drop(); ("|\\n`;
    await store.upsertVertex({
      id: `job:${encodeURIComponent(nasty)}`,
      label: 'Job',
      properties: { name: nasty },
    });
    expect((await store.getVertex(`job:${encodeURIComponent(nasty)}`))?.properties.name).toBe(
      nasty,
    );
    expect(await store.getVertex('urn:dp:x:y')).toBeDefined();
  });

  it('an edge to a missing vertex fails with SF_ERR_GRAPH_MISSING_VERTEX', async () => {
    await expect(
      store.upsertEdge({
        from: 'urn:dp:x:y',
        to: 'urn:dp:nope:nope',
        label: 'READS',
        properties: {},
      }),
    ).rejects.toMatchObject({
      code: 'SF_ERR_GRAPH_MISSING_VERTEX',
      details: { missing: ['urn:dp:nope:nope'] },
    });
  });

  it('edges and traversals are bounded by their limits', async () => {
    await store.upsertVertex({ id: 'hub', label: 'Job', properties: {} });
    for (let i = 0; i < 20; i++) {
      await store.upsertVertex({ id: `leaf-${i}`, label: 'Dataset', properties: { i } });
      await store.upsertEdge({
        from: 'hub',
        to: `leaf-${i}`,
        label: 'WRITES',
        properties: { confidence: 'HIGH' },
      });
    }
    expect(await store.edges('hub', { direction: 'out', limit: 5 })).toHaveLength(5);
    expect(await store.edges('hub', { direction: 'out', labels: ['READS'] })).toHaveLength(0);
    const hits = await store.traverse({ from: ['hub'], direction: 'out', maxDepth: 3, limit: 7 });
    expect(hits).toHaveLength(7);
    expect(hits.every((h) => h.depth === 1 && h.path.length === 1)).toBe(true);
    expect(await store.findVertices('Dataset', { i: 3 })).toMatchObject([{ id: 'leaf-3' }]);
    await store.dropVertex('leaf-0');
    expect(await store.edges('hub', { direction: 'out', limit: 100 })).toHaveLength(19);
  });

  it('calls the headers factory on every new connection (how Neptune IAM signs), reconnecting by age', async () => {
    const seen: string[] = [];
    const signed = new GremlinGraphStore({
      url,
      maxConnectionAgeMs: 1,
      headers: (target) => {
        seen.push(target);
        return { 'x-amz-date': new Date().toISOString(), authorization: `test-${seen.length}` };
      },
    });
    try {
      expect(await signed.getVertex('urn:dp:x:y')).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await signed.getVertex('urn:dp:x:y')).toBeDefined();
      expect(seen).toEqual([url, url]);
    } finally {
      await signed.close();
    }
  });
});
