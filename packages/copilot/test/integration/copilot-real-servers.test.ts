import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { InMemoryGraphStore, InMemoryStateStore, type StateStore } from '@signal-factory/core';
import { DynamoDbStateStore } from '@signal-factory/dynamodb';
import { GremlinGraphStore, createLineageGraph, type LineageGraph } from '@signal-factory/lineage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCopilot, type Copilot } from '../../src/copilot';
import { CopilotHttpServer } from '../../src/http/copilot-http-server';
import { seedStall, seedSteelThread, type SteelThread } from '../../src/test-support/fixtures';

// The same incidents seeded into the embedded ports and into Gremlin Server + dynalite must give the
// same reports: the copilot reads only through the GraphStore and StateStore ports.
const gremlinUrl = inject('gremlinUrl');
const dynamoEndpoint = inject('dynamoEndpoint');
// Unique names: the servers are shared with other suites.
const ns = `-cp${randomUUID().slice(0, 8)}`;
const NOW = Date.parse('2026-01-15T10:05:00Z');

async function seed(
  graph: LineageGraph,
  state: StateStore,
): Promise<{ steel: SteelThread; stallId: string; noEdgeId: string }> {
  const steel = await seedSteelThread(graph, state, { ns });
  const stall = await seedStall(graph, state, { ns: `${ns}s` });
  const noEdge = await seedSteelThread(graph, state, { ns: `${ns}n`, introduced: false });
  return { steel, stallId: stall.incidentId, noEdgeId: noEdge.incidentId };
}

describe('copilot on Gremlin Server + dynalite', () => {
  let gremlin: GremlinGraphStore;
  let dynamo: DynamoDbStateStore;
  let real: Copilot;
  let embedded: Copilot;
  let steel: SteelThread;
  let stallId: string;
  let noEdgeId: string;

  beforeAll(async () => {
    gremlin = new GremlinGraphStore({ url: gremlinUrl });
    dynamo = new DynamoDbStateStore({
      endpoint: dynamoEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      tablePrefix: `sf-it${ns}-`,
      autoCreateTables: true,
    });
    await dynamo.ensureTables();
    const realGraph = createLineageGraph({ store: gremlin });
    ({ steel, stallId, noEdgeId } = await seed(realGraph, dynamo));
    real = createCopilot({ graph: realGraph, state: dynamo, clock: () => NOW });

    const memGraph = createLineageGraph({ store: new InMemoryGraphStore() });
    const memState = new InMemoryStateStore();
    await seed(memGraph, memState);
    embedded = createCopilot({ graph: memGraph, state: memState, clock: () => NOW });
  });

  afterAll(async () => {
    await real?.close();
    await gremlin?.close();
    await dynamo?.close();
  });

  it('the steel thread gives the same report as embedded', async () => {
    const fromReal = await real.rca(steel.incidentId);
    const fromMemory = await embedded.rca(steel.incidentId);
    expect(fromReal).toEqual(fromMemory);
    expect(fromReal.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { service: steel.service, version: '3.17', commit: '9f31c2d' },
      previous: { version: '3.16' },
    });
    expect(fromReal.confidence.level).toBe('HIGH');
    expect(fromReal.blast_radius.entries.map((e) => e.name)).toEqual([
      steel.financeJob,
      steel.analyticsJob,
      steel.revenue,
    ]);
  });

  it('the stall gives the same report as embedded', async () => {
    const fromReal = await real.rca(stallId);
    expect(fromReal).toEqual(await embedded.rca(stallId));
    expect(fromReal.root_cause.kind).toBe('stall');
  });

  it('a missing INTRODUCED edge lowers confidence the same way on both', async () => {
    const fromReal = await real.rca(noEdgeId);
    expect(fromReal).toEqual(await embedded.rca(noEdgeId));
    expect(fromReal.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'time_correlation',
    });
    expect(fromReal.confidence.level).toBe('MEDIUM');
  });

  it('unknown incidents are 404 over HTTP on the real stores too', async () => {
    const server = new CopilotHttpServer({ copilot: real });
    const { port } = await server.listen();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        request(`http://127.0.0.1:${port}/v1/incidents/inc${ns}-missing/rca`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(404);
      const list = await real.listIncidents({ limit: 1000 });
      expect(list.map((i) => i.incident_id)).toEqual(
        expect.arrayContaining([steel.incidentId, stallId]),
      );
    } finally {
      await server.close();
    }
  });
});
