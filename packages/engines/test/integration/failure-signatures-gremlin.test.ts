import { failureSignatureId } from '@signal-factory/core';
import { randomRunId } from '@signal-factory/core/testing';
import {
  createLineageGraph,
  EDGE_LABELS,
  GremlinGraphStore,
  vertexIds,
  type LineageGraph,
} from '@signal-factory/lineage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContractEngine } from '../../src/contract/contract-engine';
import { datasetContext, evidence, windowAt } from '../../src/contract/evidence-fixtures.test-data';
import { LineageSignatureWriter } from '../../src/signatures/lineage-signature-writer';

// The contract engine's failure signatures in a real Gremlin Server: written once, linked
// INTRODUCED from the deployment live at first_seen, refreshed idempotently, replay-safe.

const gremlinUrl = inject('gremlinUrl');
const run = randomRunId();
// Unique names: the server is shared with other suites (no graph clearing here).
const URN = `urn:dp:it${run}:orders`;
const SERVICE = `orders-svc-${run}`;
const MIN = 60_000;
const CODES = ['MISSING_FIELD:customer_id'];
const HASH = failureSignatureId({ datasetUrn: URN, failedGates: ['G4'], reasonCodes: CODES });

describe('failure signatures on Gremlin Server', () => {
  let store: GremlinGraphStore;
  let graph: LineageGraph;

  beforeAll(async () => {
    store = new GremlinGraphStore({ url: gremlinUrl });
    graph = createLineageGraph({ store });
    for (const [version, at] of [
      ['1.4.2', windowAt(0).start - 60 * MIN],
      ['1.4.3', windowAt(2).start - MIN],
    ] as const) {
      const r = await graph.ingestor.ingestDeployment({
        service: SERVICE,
        version,
        environment: 'prod',
        time: new Date(at).toISOString(),
      });
      expect(r.ok).toBe(true);
    }
  });

  afterAll(async () => {
    await store?.close();
  });

  it('writes each signature once with counts and links it to the deployment that introduced it', async () => {
    const ds = datasetContext({ urn: URN, producerService: SERVICE });
    const writer = new LineageSignatureWriter({ graph });
    const engine = new ContractEngine({ signatureSink: writer, signatureRefreshMs: 0 });
    let state = engine.initialState(ds);
    for (let w = 0; w < 4; w++) {
      const window = windowAt(w);
      for (let i = 0; i < 200; i++) {
        const broken = w >= 2 && i % 2 === 1;
        const ev = evidence({
          i: w * 1000 + i,
          time: window.start + i * 1000,
          urn: URN,
          service: SERVICE,
          ...(broken ? { version: '1.4.3', contractCodes: CODES } : {}),
        });
        state = engine.observe(state, ev, 1, window, ds);
      }
      const step = engine.closeWindow(state, window, ds, window.end + 2 * MIN);
      state = step.state;
      expect(step.verdict?.state).toBe(w >= 2 ? 'CRITICAL' : 'OK');
    }
    await writer.close();

    const vertex = await store.getVertex(vertexIds.failureSignature(HASH));
    expect(vertex?.label).toBe('FailureSignature');
    expect(vertex?.properties).toMatchObject({
      hash: HASH,
      datasetUrn: URN,
      failedGates: 'G4',
      reasonCodes: 'MISSING_FIELD:customer_id',
      firstSeen: windowAt(2).start + 1000,
      lastSeen: windowAt(3).start + 199_000,
      count: 200,
    });
    const introduced = await store.edges(vertexIds.failureSignature(HASH), {
      direction: 'in',
      labels: [EDGE_LABELS.INTRODUCED],
    });
    expect(introduced.map((e) => [e.from, e.properties.confidence])).toEqual([
      [vertexIds.deployment(SERVICE, '1.4.3', 'prod'), 'HIGH'],
    ]);
    // Two hand-overs (new, then a refresh); coalesced or not, one signature with the latest count.
    expect(writer.stats()).toMatchObject({ submitted: 2, created: 1, dropped: 0 });

    // A replay from scratch (fresh engine state) neither duplicates nor rewinds the signature.
    const replayWriter = new LineageSignatureWriter({ graph });
    replayWriter.submit([
      {
        hash: HASH,
        datasetUrn: URN,
        failedGates: ['G4'],
        reasonCodes: CODES,
        firstSeen: windowAt(2).start + 1000,
        lastSeen: windowAt(2).start + 199_000,
        count: 100,
        producer: { service: SERVICE, version: '1.4.3' },
        isNew: true,
      },
    ]);
    await replayWriter.close();
    const after = await store.getVertex(vertexIds.failureSignature(HASH));
    expect(after?.properties.count).toBe(200);
    expect(after?.properties.lastSeen).toBe(windowAt(3).start + 199_000);
    const edges = await store.edges(vertexIds.failureSignature(HASH), {
      direction: 'in',
      labels: [EDGE_LABELS.INTRODUCED],
    });
    expect(edges).toHaveLength(1);
    expect(replayWriter.stats()).toMatchObject({ created: 0, existing: 1 });
  });
});
