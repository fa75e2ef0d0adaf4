import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryGraphStore, type Edge, type Vertex } from '@signal-factory/core';
import { VERTEX_LABELS } from '../model/labels';
import { readdirSync } from 'node:fs';
import { readSpecDir, sharedSpecPath } from '../../test/support/shared-specs';
import { createLineageGraph } from '../lineage-graph';
import { createDatasetResolver } from '../resolver/dataset-resolver';
import { LineageIngestor } from './lineage-ingestor';

const newStore = (): InMemoryGraphStore => new InMemoryGraphStore();

/** Every vertex (by label) and every edge in a small test graph. */
async function graphContents(
  store: InMemoryGraphStore,
): Promise<{ vertices: Vertex[]; edges: Edge[] }> {
  const vertices: Vertex[] = [];
  for (const label of Object.values(VERTEX_LABELS))
    vertices.push(...(await store.findVertices(label, {}, 100_000)));
  const edges: Edge[] = [];
  for (const vertex of vertices)
    edges.push(...(await store.edges(vertex.id, { direction: 'out', limit: 100_000 })));
  return { vertices, edges };
}

async function countAll(store: InMemoryGraphStore): Promise<{ vertices: number; edges: number }> {
  const { vertices, edges } = await graphContents(store);
  return { vertices: vertices.length, edges: edges.length };
}
const P = { _producer: 'https://example.com/p', _schemaURL: 'https://example.com/schema.json' };

function runEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventType: 'COMPLETE',
    eventTime: '2026-01-15T10:00:00Z',
    producer: 'https://example.com/producer',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8' },
    job: { namespace: 'etl', name: 'orders-enricher' },
    ...overrides,
  };
}

// Map every OpenLineage dataset in the spec examples to a URN, so they ingest fully.
const everything = createDatasetResolver({
  patterns: [{ pattern: '/^(?:.*)$/', urn: 'urn:dp:external:any' }],
});

describe('LineageIngestor with the OpenLineage spec examples', () => {
  it.each(readSpecDir('openlineage', 'examples', 'valid'))('ingests valid/%s', async (_, event) => {
    const store = newStore();
    const ingestor = new LineageIngestor({ store, resolver: everything });
    const result = await ingestor.ingestOpenLineage(event);
    expect(result).toMatchObject({ ok: true, unresolved: [] });
    if (result.ok) expect(result.vertices).toBeGreaterThan(0);
  });

  it.each(readSpecDir('openlineage', 'examples', 'valid'))(
    'records unresolved namespaces of valid/%s with a reason',
    async (_, event) => {
      const ingestor = new LineageIngestor({ store: newStore() });
      const result = await ingestor.ingestOpenLineage(event);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      for (const item of result.unresolved) {
        expect(['UNRESOLVED_NAMESPACE', 'UNRESOLVED_TOPIC']).toContain(item.reason);
        expect(item.detail).toMatch(/resolution map/);
      }
      expect(result.edges).toBe(0); // only job-owned edges would exist without datasets
    },
  );

  it.each(readSpecDir('openlineage', 'examples', 'invalid'))(
    'rejects invalid/%s with the reason',
    async (_, event) => {
      const store = newStore();
      const ingestor = new LineageIngestor({ store, resolver: everything });
      const result = await ingestor.ingest(event);
      expect(result).toMatchObject({ ok: false, code: 'SF_ERR_LINEAGE_OPENLINEAGE_INVALID' });
      if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
      expect(await countAll(store)).toEqual({ vertices: 0, edges: 0 }); // nothing written
      expect(ingestor.stats().rejectedByCode).toEqual({ SF_ERR_LINEAGE_OPENLINEAGE_INVALID: 1 });
    },
  );
});

describe('LineageIngestor with the OpenLineage facet examples', () => {
  const folders = readdirSync(sharedSpecPath('openlineage', 'facet-examples')).sort();
  const cases = folders.flatMap((folder) =>
    readSpecDir('openlineage', 'facet-examples', folder).map(
      ([file, json]) => [`${folder}/${file}`, folder, json] as const,
    ),
  );

  it.each(cases)('ingests an event carrying %s and keeps the facet', async (_, folder, json) => {
    let facets = json as Record<string, unknown>;
    if (folder === 'NominalTimeRunFacet' && !('nominalTime' in facets))
      facets = { nominalTime: facets };
    const [key] = Object.keys(facets) as [string];
    const store = newStore();
    const ingestor = new LineageIngestor({ store, resolver: everything });
    const input = /RunFacet$/.test(folder)
      ? runEvent({ run: { runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8', facets } })
      : /InputDatasetFacet$|^BaseSubset/.test(folder)
        ? runEvent({ inputs: [{ namespace: 'ns', name: 'in', inputFacets: facets }] })
        : /OutputDatasetFacet$/.test(folder)
          ? runEvent({ outputs: [{ namespace: 'ns', name: 'out', outputFacets: facets }] })
          : /JobFacet$/.test(folder) ||
              String((facets[key] as { _schemaURL?: string })._schemaURL).endsWith(
                'LineageJobFacet',
              )
            ? runEvent({ job: { namespace: 'etl', name: 'orders-enricher', facets } })
            : runEvent({ outputs: [{ namespace: 'ns', name: 'out', facets }] });
    const result = await ingestor.ingestOpenLineage(input);
    expect(result).toMatchObject({ ok: true });
    const holder = /RunFacet$/.test(folder)
      ? { vertex: 'job:etl:orders-enricher', property: `run.facet.${key}` }
      : /JobFacet$/.test(folder) ||
          String((facets[key] as { _schemaURL?: string })._schemaURL).endsWith('LineageJobFacet')
        ? { vertex: 'job:etl:orders-enricher', property: `facet.${key}` }
        : undefined;
    if (holder) {
      const vertex = await store.getVertex(holder.vertex);
      expect(JSON.parse(String(vertex?.properties[holder.property]))).toEqual(facets[key]);
    }
  });
});

describe('LineageIngestor maps facets onto the graph', () => {
  const resolver = createDatasetResolver({
    exact: {
      'raw.orders.events': 'urn:dp:orders:created',
      'enriched.orders': 'urn:dp:orders:enriched',
    },
  });

  it('Kafka datasets, schema, columnLineage, jobType, sourceCodeLocation, parent, errorMessage and unknown facets', async () => {
    const store = newStore();
    const { ingestor, queries } = createLineageGraph({ store, resolver });
    const result = await ingestor.ingestOpenLineage(
      runEvent({
        eventType: 'FAIL',
        run: {
          runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8',
          facets: {
            parent: {
              ...P,
              run: { runId: '1f5e83fa-3480-44ff-99c5-ff943904e5e8' },
              job: { namespace: 'airflow', name: 'nightly' },
            },
            errorMessage: {
              ...P,
              message: 'boom',
              programmingLanguage: 'python',
              stackTrace: '...',
            },
          },
        },
        job: {
          namespace: 'etl',
          name: 'orders-enricher',
          facets: {
            jobType: { ...P, processingType: 'STREAMING', integration: 'FLINK', jobType: 'JOB' },
            sourceCodeLocation: {
              ...P,
              type: 'git',
              url: 'https://git.example.com/etl/blob/main/enrich.py',
              repoUrl: 'https://git.example.com/etl',
              path: 'enrich.py',
              version: 'abc123',
            },
            myCompany_costs: { ...P, eur: 12 },
          },
        },
        inputs: [
          {
            namespace: 'kafka://broker:9092',
            name: 'raw.orders.events',
            facets: {
              schema: {
                ...P,
                fields: [
                  { name: 'customer', type: 'struct', fields: [{ name: 'id', type: 'string' }] },
                  { name: 'amount', type: 'double' },
                ],
              },
            },
          },
          { namespace: 'kafka://broker:9092', name: 'not.mapped' },
          { namespace: 'postgres://db:5432', name: 'public.customers' },
        ],
        outputs: [
          {
            namespace: 'kafka://broker:9092',
            name: 'enriched.orders',
            facets: {
              columnLineage: {
                ...P,
                fields: {
                  customer_id: {
                    inputFields: [
                      {
                        namespace: 'kafka://broker:9092',
                        name: 'raw.orders.events',
                        field: 'customer.id',
                      },
                    ],
                  },
                },
                dataset: [
                  { namespace: 'kafka://broker:9092', name: 'raw.orders.events', field: 'amount' },
                ],
              },
            },
          },
        ],
      }),
    );
    expect(result).toMatchObject({ ok: true, kind: 'RunEvent', dropped: [] });
    if (!result.ok) return;
    expect(result.unresolved.map((u) => [u.name, u.reason])).toEqual([
      ['not.mapped', 'UNRESOLVED_TOPIC'],
      ['public.customers', 'UNRESOLVED_NAMESPACE'],
    ]);
    const job = await store.getVertex('job:etl:orders-enricher');
    expect(job?.properties).toMatchObject({
      processingType: 'STREAMING',
      integration: 'FLINK',
      sourceCodeUrl: 'https://git.example.com/etl/blob/main/enrich.py',
      sourceVersion: 'abc123',
      lastRunState: 'FAIL',
      lastErrorMessage: 'boom',
      lastErrorLanguage: 'python',
      parentJob: 'job:airflow:nightly',
      parentRunId: '1f5e83fa-3480-44ff-99c5-ff943904e5e8',
    });
    expect(JSON.parse(String(job?.properties['facet.myCompany_costs']))).toEqual({ ...P, eur: 12 });
    expect(await store.getVertex('urn:dp:orders:created#customer.id')).toMatchObject({
      label: 'Column',
      properties: { type: 'string' },
    });
    expect(await queries.readersOf('urn:dp:orders:created')).toEqual([
      { id: 'job:etl:orders-enricher', label: 'Job', confidence: 'HIGH' },
    ]);
    const columnReads = await store.edges('job:etl:orders-enricher', {
      direction: 'out',
      labels: ['READS_COL'],
    });
    expect(columnReads.map((e) => [e.to, e.properties.indirect ?? false]).sort()).toEqual([
      ['urn:dp:orders:created#amount', true],
      ['urn:dp:orders:created#customer.id', false],
    ]);
    const impact = await queries.blastRadius({
      dataset: 'urn:dp:orders:created',
      column: 'customer.id',
    });
    expect(impact.hits.map((h) => h.id)).toEqual([
      'job:etl:orders-enricher',
      'urn:dp:orders:enriched',
      'urn:dp:orders:enriched#customer_id',
    ]);
  });

  it('is idempotent, and an older run event does not overwrite newer run state', async () => {
    const store = newStore();
    const ingestor = new LineageIngestor({ store, resolver });
    const event = runEvent({
      inputs: [{ namespace: 'kafka://b:9092', name: 'raw.orders.events' }],
    });
    await ingestor.ingestOpenLineage(event);
    const snapshot = await graphContents(store);
    expect(await ingestor.ingestOpenLineage(event)).toMatchObject({ ok: true, stale: false });
    expect(await graphContents(store)).toEqual(snapshot);
    const older = await ingestor.ingestOpenLineage(
      runEvent({ eventType: 'START', eventTime: '2026-01-15T09:00:00Z' }),
    );
    expect(older).toMatchObject({ ok: true, stale: true });
    expect((await store.getVertex('job:etl:orders-enricher'))?.properties.lastRunState).toBe(
      'COMPLETE',
    );
  });

  it('JobEvent and DatasetEvent', async () => {
    const store = newStore();
    const ingestor = new LineageIngestor({ store, resolver });
    const { schemaURL: _, run: __, eventType: ___, ...base } = runEvent();
    expect(
      await ingestor.ingest({
        ...base,
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent',
        outputs: [{ namespace: 'kafka://b', name: 'enriched.orders' }],
      }),
    ).toMatchObject({ ok: true, kind: 'JobEvent', edges: 1 });
    const { job: ____, ...noJob } = base;
    expect(
      await ingestor.ingest({
        ...noJob,
        schemaURL: 'x',
        dataset: {
          namespace: 'kafka://b',
          name: 'raw.orders.events',
          facets: { schema: { ...P, fields: [{ name: 'a' }] } },
        },
      }),
    ).toMatchObject({ ok: true, kind: 'DatasetEvent' });
    expect(await store.getVertex('urn:dp:orders:created#a')).toBeDefined();
  });
});

describe('LineageIngestor bad input', () => {
  it('caps huge payloads with a typed error', async () => {
    const ingestor = new LineageIngestor({
      store: newStore(),
      maxEventBytes: 10_000,
      maxFacetBytes: 2_000,
    });
    expect(await ingestor.ingestOpenLineage(runEvent({ junk: 'x'.repeat(20_000) }))).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_PAYLOAD_TOO_LARGE',
    });
    expect(
      await ingestor.ingestOpenLineage(
        runEvent({
          job: { namespace: 'a', name: 'b', facets: { big: { ...P, blob: 'y'.repeat(3_000) } } },
        }),
      ),
    ).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_PAYLOAD_TOO_LARGE',
      problems: [{ path: '/job/facets/big' }],
    });
  });

  it('rejects invalid LineageSpecs, DeploymentEvents and records with typed codes', async () => {
    const ingestor = new LineageIngestor({ store: newStore() });
    expect(
      await ingestor.ingestLineageSpec({ kind: 'LineageSpec', producer: {}, confidence: 'SURE' }),
    ).toMatchObject({ ok: false, code: 'SF_ERR_LINEAGE_SPEC_INVALID' });
    expect(
      await ingestor.ingestLineageSpec({
        kind: 'LineageSpec',
        producer: { service: 's' },
        inputs: [{ dataset: 'urn:dp:BAD' }],
        confidence: 'LOW',
      }),
    ).toMatchObject({ ok: false, problems: [{ path: '/inputs/0/dataset' }] });
    expect(
      await ingestor.ingestDeployment({ service: 's', version: '1', time: 'yesterday' }),
    ).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_DEPLOYMENT_INVALID',
      problems: [{ path: '/time' }],
    });
    expect(await ingestor.ingestDeployment({ service: 's' })).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_DEPLOYMENT_INVALID',
    });
    expect(await ingestor.ingest({ hello: 'world' })).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_UNKNOWN_EVENT_KIND',
    });
    expect(await ingestor.registerDataset({ urn: 'nope' })).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_RECORD_INVALID',
    });
    expect(await ingestor.recordIncident({ id: 'x' } as never)).toMatchObject({
      ok: false,
      code: 'SF_ERR_LINEAGE_RECORD_INVALID',
    });
    expect(
      await ingestor.recordFailureSignature({ hash: 'h', introducedBy: { service: 's' } as never }),
    ).toMatchObject({ ok: false });
    expect(ingestor.stats().rejected).toBe(8);
  });

  it('never throws on arbitrary JSON', async () => {
    const ingestor = new LineageIngestor({ store: newStore(), resolver: everything });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            eventTime: fc.string(),
            producer: fc.string(),
            schemaURL: fc.string(),
            run: fc.jsonValue(),
            job: fc.jsonValue(),
          }),
        ),
        async (value) => {
          const result = await ingestor.ingest(value);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('validates options at construction, every problem with its path', () => {
    expect(
      () => new LineageIngestor({ store: {} as never, maxEdgesPerNode: 0, maxFacetBytes: 1.5 }),
    ).toThrow(
      expect.objectContaining({
        code: 'SF_ERR_LINEAGE_OPTIONS_INVALID',
        details: {
          problems: [
            { path: 'store', message: 'must be a GraphStore' },
            { path: 'maxEdgesPerNode', message: 'must be a positive integer' },
            { path: 'maxFacetBytes', message: 'must be a positive integer' },
          ],
        },
      }),
    );
  });
});

describe('cardinality controls', () => {
  it('drops edges beyond maxEdgesPerNode, counted and reported', async () => {
    const store = newStore();
    const ingestor = new LineageIngestor({ store, maxEdgesPerNode: 3 });
    const inputs = [1, 2, 3, 4, 5].map((i) => ({ dataset: `urn:dp:fan:in${i}` }));
    const result = await ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { name: 'wide' } },
      inputs,
      confidence: 'HIGH',
    });
    expect(result).toMatchObject({ ok: true, edges: 3 });
    if (!result.ok) return;
    expect(result.dropped.map((d) => [d.reason, d.vertexId])).toEqual([
      ['EDGES_PER_NODE', 'job:lineage-spec:wide'],
      ['EDGES_PER_NODE', 'job:lineage-spec:wide'],
    ]);
    expect(await store.edges('job:lineage-spec:wide', { direction: 'out' })).toHaveLength(3);
    expect(ingestor.stats().droppedByReason).toEqual({ EDGES_PER_NODE: 2 });
    // Re-ingesting admits the same three again and drops the same two: no growth.
    await ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { name: 'wide' } },
      inputs,
      confidence: 'HIGH',
    });
    expect(await store.edges('job:lineage-spec:wide', { direction: 'out' })).toHaveLength(3);
  });

  it('counts edges already in the store (a restarted ingestor keeps the cap)', async () => {
    const store = newStore();
    const spec = (i: number) => ({
      kind: 'LineageSpec',
      producer: { job: { name: 'wide' } },
      inputs: [{ dataset: `urn:dp:fan:in${i}` }],
      confidence: 'HIGH',
    });
    const first = new LineageIngestor({ store, maxEdgesPerNode: 2 });
    await first.ingestLineageSpec(spec(1));
    await first.ingestLineageSpec(spec(2));
    const second = new LineageIngestor({ store, maxEdgesPerNode: 2 });
    expect(await second.ingestLineageSpec(spec(1))).toMatchObject({
      ok: true,
      edges: 1,
      dropped: [],
    });
    expect(await second.ingestLineageSpec(spec(3))).toMatchObject({
      ok: true,
      edges: 0,
      dropped: [{ reason: 'EDGES_PER_NODE' }],
    });
  });

  it('caps columns per dataset and writes no column vertex beyond it', async () => {
    const store = newStore();
    const ingestor = new LineageIngestor({ store, maxNodesPerDataset: 2 });
    const result = await ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { name: 'cols' } },
      inputs: [{ dataset: 'urn:dp:wide:table', columns: ['a', 'b', 'c', 'd'] }],
      confidence: 'HIGH',
    });
    expect(result.ok).toBe(true);
    expect(await store.findVertices('Column')).toHaveLength(2);
    if (result.ok)
      expect(new Set(result.dropped.map((d) => d.reason))).toEqual(new Set(['NODES_PER_DATASET']));
    expect(ingestor.stats().droppedByReason.NODES_PER_DATASET).toBe(4); // 2 HAS_COLUMN + 2 READS_COL
  });

  it('keeps environments apart: one deployment vertex per service, version and environment', async () => {
    const { ingestor, queries } = createLineageGraph({ store: newStore() });
    await ingestor.ingestDeployment({
      service: 'svc',
      version: '2',
      environment: 'staging',
      time: '2026-01-01T00:00:00Z',
    });
    await ingestor.ingestDeployment({
      service: 'svc',
      version: '1',
      environment: 'prod',
      time: '2026-01-01T00:05:00Z',
    });
    await ingestor.ingestDeployment({
      service: 'svc',
      version: '2',
      environment: 'prod',
      time: '2026-01-02T00:00:00Z',
    });
    expect(
      await queries.deploymentAt('svc', '2026-01-01T12:00:00Z', { environment: 'prod' }),
    ).toMatchObject({
      deploymentId: 'deployment:svc:1:prod',
      version: '1',
      environment: 'prod',
    });
    expect(
      (await queries.deploymentAt('svc', '2026-01-01T12:00:00Z', { environment: 'staging' }))
        ?.version,
    ).toBe('2');
    expect((await queries.deploymentAt('svc', '2026-01-03T00:00:00Z'))?.deploymentId).toBe(
      'deployment:svc:2:prod',
    );
  });

  it('keeps at most maxDeploymentsPerService deployments, evicting the oldest', async () => {
    const store = newStore();
    const { ingestor, queries } = createLineageGraph({ store, maxDeploymentsPerService: 2 });
    for (const [version, minute] of [
      ['1', 0],
      ['2', 10],
      ['3', 20],
      ['4', 30],
    ] as const) {
      await ingestor.ingestDeployment({
        service: 'svc',
        version,
        time: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
      });
    }
    expect(
      (await store.findVertices('Deployment')).map((v) => v.properties.version).sort(),
    ).toEqual(['3', '4']);
    expect(ingestor.stats().evictedDeployments).toBe(2);
    expect((await queries.deploymentAt('svc', Date.UTC(2026, 0, 1, 0, 25)))?.version).toBe('3');
  });
});
