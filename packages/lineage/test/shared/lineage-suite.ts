import type { GraphStore } from '@signal-factory/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineageGraph, type LineageGraph } from '../../src/lineage-graph';
import { createDatasetResolver } from '../../src/resolver/dataset-resolver';
import { vertexIds } from '../../src/model/vertex-ids';
import { at, FIXTURE_RESOLVER, ingestFixtures } from './lineage-fixtures';

/**
 * One suite, run against every GraphStore: the same fixtures must give the same answers on the
 * embedded graph (unit project) and on Gremlin Server (integration project).
 */
export function describeLineageSuite(name: string, factory: () => Promise<GraphStore>): void {
  describe(`lineage queries on ${name}`, () => {
    let graph: LineageGraph;
    let store: GraphStore;

    beforeAll(async () => {
      store = await factory();
      graph = createLineageGraph({ store, resolver: createDatasetResolver(FIXTURE_RESOLVER) });
      await ingestFixtures(graph.ingestor);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('blast radius of a dataset: 3 hops downstream, ranked by depth, tier and confidence', async () => {
      const result = await graph.queries.blastRadius({ dataset: 'urn:dp:orders:created' });
      expect(result.found).toBe(true);
      expect(result.truncated).toBe(false);
      expect(result.hits.map((h) => [h.id, h.depth, h.tier ?? null, h.confidence])).toEqual([
        ['job:finance:finance-pipeline', 1, 1, 'HIGH'],
        ['urn:dp:finance:revenue-daily', 1, 1, 'HIGH'],
        ['job:analytics:analytics-dashboard', 1, 2, 'MEDIUM'],
        ['job:finance:finance-report', 2, 3, 'HIGH'],
        ['urn:dp:finance:report-monthly', 2, null, 'HIGH'],
        ['job:exec:exec-dashboard', 3, null, 'LOW'],
        ['urn:dp:exec:kpis', 3, null, 'LOW'],
      ]);
      expect(result.hits.find((h) => h.id === 'urn:dp:finance:revenue-daily')?.via).toBe(
        'job:finance:finance-pipeline',
      );
    });

    it('respects a smaller depth and the result cap', async () => {
      const one = await graph.queries.blastRadius(
        { dataset: 'urn:dp:orders:created' },
        { maxDepth: 1 },
      );
      expect(one.hits.map((h) => h.id)).toEqual([
        'job:finance:finance-pipeline',
        'urn:dp:finance:revenue-daily',
        'job:analytics:analytics-dashboard',
      ]);
      const capped = await graph.queries.blastRadius(
        { dataset: 'urn:dp:orders:created' },
        { limit: 2 },
      );
      expect(capped.hits).toHaveLength(2);
      expect(capped.truncated).toBe(true);
    });

    it('blast radius of a column follows column edges', async () => {
      const result = await graph.queries.blastRadius({
        dataset: 'urn:dp:orders:created',
        column: 'customer_id',
      });
      expect(result.hits.map((h) => [h.id, h.label, h.depth])).toEqual([
        ['job:finance:finance-pipeline', 'Job', 1],
        ['urn:dp:finance:revenue-daily', 'Dataset', 1],
        ['urn:dp:finance:revenue-daily#customer_id', 'Column', 1],
        ['urn:dp:finance:revenue-daily#revenue', 'Column', 1],
        ['job:finance:finance-report', 'Job', 2],
        ['urn:dp:finance:report-monthly', 'Dataset', 2],
        ['urn:dp:finance:report-monthly#total', 'Column', 2],
      ]);
      const revenue = await graph.queries.blastRadius({
        dataset: 'urn:dp:finance:revenue-daily',
        column: 'revenue',
      });
      expect(revenue.hits.map((h) => h.id)).toEqual([
        'job:finance:finance-report',
        'urn:dp:finance:report-monthly',
        'urn:dp:finance:report-monthly#total',
      ]);
    });

    it('cycles and self-loops terminate and report each vertex once', async () => {
      const cycle = await graph.queries.blastRadius({ dataset: 'urn:dp:loop:a' });
      expect(cycle.hits.map((h) => [h.id, h.depth])).toEqual([
        ['job:lineage-spec:job-x', 1],
        ['urn:dp:loop:b', 1],
        ['job:lineage-spec:job-y', 2],
      ]);
      const self = await graph.queries.blastRadius({ dataset: 'urn:dp:loop:c' });
      expect(self.hits.map((h) => h.id)).toEqual(['job:lineage-spec:job-z']);
    });

    it('an unknown dataset is not found, not an error', async () => {
      const result = await graph.queries.blastRadius({ dataset: 'urn:dp:nope:nothing' });
      expect(result).toEqual({
        start: 'urn:dp:nope:nothing',
        found: false,
        hits: [],
        truncated: false,
      });
    });

    it('causal path walks incident ← signal ← failure signature ← deployment ← service ← owner', async () => {
      const result = await graph.queries.causalPath('inc-1');
      expect(result.found).toBe(true);
      expect(result.chains.map((c) => c.vertices)).toEqual([
        [
          vertexIds.incident('inc-1'),
          vertexIds.signal('sig-1'),
          vertexIds.failureSignature('sha256:1111'),
          vertexIds.deployment('orders-svc', '3.17'),
          vertexIds.service('orders-svc'),
          vertexIds.owner('orders-team'),
        ],
        [vertexIds.incident('inc-1'), vertexIds.signal('sig-2')],
      ]);
      expect(result.chains[0]?.confidence).toBe('HIGH');
      expect(result.roots).toEqual([
        {
          deploymentId: 'deployment:orders-svc:3.17',
          service: 'orders-svc',
          version: '3.17',
          commit: '9f31c2d',
          deployedAt: Date.parse(at(58)),
          confidence: 'HIGH',
          environment: undefined,
        },
      ]);
      expect(result.vertices.map((v) => [v.id, v.depth])).toEqual([
        ['signal:sig-1', 1],
        ['signal:sig-2', 1],
        ['failure-signature:sha256:1111', 2],
        ['deployment:orders-svc:3.17', 3],
        ['service:orders-svc', 4],
        ['owner:orders-team', 5],
      ]);
    });

    it('causal path honours a smaller depth and reports a missing incident', async () => {
      const short = await graph.queries.causalPath('inc-1', { maxDepth: 2 });
      expect(short.vertices.map((v) => v.id)).toEqual([
        'signal:sig-1',
        'signal:sig-2',
        'failure-signature:sha256:1111',
      ]);
      expect((await graph.queries.causalPath('inc-404')).found).toBe(false);
    });

    it('writers and readers come from the index', async () => {
      expect(await graph.queries.writersOf('urn:dp:orders:created')).toEqual([
        { id: 'service:orders-svc', label: 'Service', confidence: 'HIGH' },
      ]);
      expect(await graph.queries.readersOf('urn:dp:orders:created')).toEqual([
        { id: 'job:analytics:analytics-dashboard', label: 'Job', confidence: 'MEDIUM' },
        { id: 'job:finance:finance-pipeline', label: 'Job', confidence: 'HIGH' },
      ]);
      expect(await graph.queries.writersOf('urn:dp:finance:report-monthly')).toEqual([
        { id: 'job:finance:finance-report', label: 'Job', confidence: 'HIGH' },
      ]);
    });

    it('a fresh index over the same store gives the same writers and readers', async () => {
      const fresh = createLineageGraph({ store });
      expect(await fresh.queries.readersOf('urn:dp:orders:created')).toEqual(
        await graph.queries.readersOf('urn:dp:orders:created'),
      );
      expect(await fresh.queries.writersOf('urn:dp:finance:revenue-daily')).toEqual([
        { id: 'job:finance:finance-pipeline', label: 'Job', confidence: 'HIGH' },
      ]);
    });

    it('deployment at a time, including a rollback', async () => {
      const version = async (minutes: number): Promise<string | undefined> =>
        (await graph.queries.deploymentAt('orders-svc', at(minutes)))?.version;
      expect(await version(-10)).toBeUndefined();
      expect(await version(30)).toBe('3.16');
      expect(await version(65)).toBe('3.17');
      expect(await version(130)).toBe('3.16');
      const exact = await graph.queries.deploymentAt('orders-svc', Date.parse(at(58)));
      expect(exact).toEqual({
        deploymentId: 'deployment:orders-svc:3.17',
        service: 'orders-svc',
        version: '3.17',
        commit: '9f31c2d',
        deployedAt: Date.parse(at(58)),
      });
      expect(await graph.queries.deploymentAt('no-such-svc', at(30))).toBeUndefined();
    });

    it('re-ingesting the fixtures changes nothing (idempotent)', async () => {
      const before = await graph.queries.blastRadius({ dataset: 'urn:dp:orders:created' });
      const vertices = await store.findVertices('Column', {}, 10_000);
      await ingestFixtures(graph.ingestor);
      expect(await graph.queries.blastRadius({ dataset: 'urn:dp:orders:created' })).toEqual(before);
      expect(await store.findVertices('Column', {}, 10_000)).toHaveLength(vertices.length);
      expect(
        await store.edges('urn:dp:orders:created', { direction: 'both', limit: 10_000 }),
      ).toHaveLength(
        // PRODUCES, OWNS, 2 READS, HAS_COLUMN × 4 (customer_id, amount, currency, created_at)
        8,
      );
    });
  });
}
