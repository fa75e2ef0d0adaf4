import { failureSignatureId, InMemoryGraphStore, type GraphStore } from '@signal-factory/core';
import {
  createLineageGraph,
  EDGE_LABELS,
  vertexIds,
  type LineageGraph,
} from '@signal-factory/lineage';
import { describe, expect, it } from 'vitest';
import { ContractEngine } from '../contract/contract-engine';
import {
  datasetContext,
  evidence,
  T0,
  URN,
  windowAt,
} from '../contract/evidence-fixtures.test-data';
import type { FailureSignatureUpdate } from './failure-signature-sink';
import { LineageSignatureWriter } from './lineage-signature-writer';

const HASH = failureSignatureId({
  datasetUrn: URN,
  failedGates: ['G4'],
  reasonCodes: ['MISSING_FIELD:customer_id'],
});
const MIN = 60_000;

function update(overrides: Partial<FailureSignatureUpdate> = {}): FailureSignatureUpdate {
  return {
    hash: HASH,
    datasetUrn: URN,
    failedGates: ['G4'],
    reasonCodes: ['MISSING_FIELD:customer_id'],
    firstSeen: T0 + 10 * MIN,
    lastSeen: T0 + 12 * MIN,
    count: 300,
    producer: { service: 'orders-svc', version: '1.4.3' },
    isNew: true,
    ...overrides,
  };
}

async function graphWithDeployments(
  store: GraphStore = new InMemoryGraphStore(),
): Promise<LineageGraph> {
  const graph = createLineageGraph({ store });
  for (const [version, at] of [
    ['1.4.2', T0 - 60 * MIN],
    ['1.4.3', T0 + 9 * MIN],
  ] as const) {
    const r = await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version,
      environment: 'prod',
      commit: `c${version}`,
      time: new Date(at).toISOString(),
    });
    expect(r.ok).toBe(true);
  }
  return graph;
}

async function introducedEdges(graph: LineageGraph, hash = HASH) {
  return graph.store.edges(vertexIds.failureSignature(hash), {
    direction: 'in',
    labels: [EDGE_LABELS.INTRODUCED],
  });
}

describe('LineageSignatureWriter', () => {
  it('creates the signature once, linked INTRODUCED from the deployment live at first_seen (HIGH)', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update()]);
    await writer.flush();
    const vertex = await graph.store.getVertex(vertexIds.failureSignature(HASH));
    expect(vertex?.properties).toMatchObject({
      hash: HASH,
      datasetUrn: URN,
      failedGates: 'G4',
      reasonCodes: 'MISSING_FIELD:customer_id',
      firstSeen: T0 + 10 * MIN,
      lastSeen: T0 + 12 * MIN,
      count: 300,
    });
    const edges = await introducedEdges(graph);
    expect(edges).toHaveLength(1);
    expect(edges[0]?.from).toBe(vertexIds.deployment('orders-svc', '1.4.3', 'prod'));
    expect(edges[0]?.properties.confidence).toBe('HIGH');
    expect(writer.stats()).toMatchObject({
      created: 1,
      introduced: { HIGH: 1, MEDIUM: 0, LOW: 0 },
      pending: 0,
    });
    // The copilot's causal path sees it: which deployment was live when it started.
    const at = await graph.queries.deploymentAt('orders-svc', T0 + 10 * MIN);
    expect(at?.version).toBe('1.4.3');
  });

  it('completes a stub vertex that the CAUSED edge of a signal created first, with its INTRODUCED link', async () => {
    const graph = await graphWithDeployments();
    // The incident manager records the signal before the writer's background flush ran.
    const recorded = await graph.ingestor.recordSignal({
      id: 'sig-1',
      datasetUrn: URN,
      type: 'CONTRACT',
      state: 'CRITICAL',
      causedBy: [HASH],
    });
    expect(recorded.ok).toBe(true);
    const stub = await graph.store.getVertex(vertexIds.failureSignature(HASH));
    expect(stub?.properties.reasonCodes).toBeUndefined();

    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update()]);
    await writer.flush();
    const vertex = await graph.store.getVertex(vertexIds.failureSignature(HASH));
    expect(vertex?.properties).toMatchObject({
      reasonCodes: 'MISSING_FIELD:customer_id',
      count: 300,
    });
    const edges = await introducedEdges(graph);
    expect(edges.map((e) => e.from)).toEqual([vertexIds.deployment('orders-svc', '1.4.3', 'prod')]);
  });

  it('is idempotent: refreshes move count / lastSeen forward only, never re-link, survive a replay', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update()]);
    await writer.flush();
    writer.submit([update({ isNew: false, count: 900, lastSeen: T0 + 40 * MIN })]);
    await writer.flush();
    // A replay from a fresh engine state: an older view, marked new again.
    const replay = new LineageSignatureWriter({ graph });
    replay.submit([
      update({
        count: 100,
        lastSeen: T0 + 11 * MIN,
        producer: { service: 'orders-svc', version: '1.4.2' },
      }),
    ]);
    await replay.flush();
    const props = (await graph.store.getVertex(vertexIds.failureSignature(HASH)))?.properties;
    expect(props).toMatchObject({ count: 900, lastSeen: T0 + 40 * MIN, firstSeen: T0 + 10 * MIN });
    const edges = await introducedEdges(graph);
    expect(edges).toHaveLength(1);
    expect(edges[0]?.from).toBe(vertexIds.deployment('orders-svc', '1.4.3', 'prod'));
    expect(replay.stats()).toMatchObject({ created: 0, existing: 1 });
    expect(writer.stats()).toMatchObject({ created: 1, refreshed: 1 });
  });

  it('coalesces many submits of one signature into one write', async () => {
    const store = new InMemoryGraphStore();
    let upserts = 0;
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'upsertVertex') {
          return async (...args: Parameters<GraphStore['upsertVertex']>) => {
            upserts += 1;
            return target.upsertVertex(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const graph = createLineageGraph({ store: counting });
    const writer = new LineageSignatureWriter({ graph });
    for (let k = 1; k <= 50; k++)
      writer.submit([update({ count: k, lastSeen: T0 + 10 * MIN + k, isNew: k === 1 })]);
    await writer.flush();
    const props = (await store.getVertex(vertexIds.failureSignature(HASH)))?.properties;
    expect(props?.count).toBe(50);
    expect(writer.stats().submitted).toBe(50);
    expect(upserts).toBeLessThanOrEqual(5);
  });

  it('links by time only (MEDIUM) when the evidence names no version', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update({ producer: { service: 'orders-svc' } })]);
    await writer.flush();
    const edges = await introducedEdges(graph);
    expect(edges[0]?.from).toBe(vertexIds.deployment('orders-svc', '1.4.3', 'prod'));
    expect(edges[0]?.properties.confidence).toBe('MEDIUM');
  });

  it('links to the evidence version with LOW confidence when no deployment event matches, or not at all when told', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update({ producer: { service: 'orders-svc', version: '1.5.0-hotfix' } })]);
    await writer.flush();
    const edges = await introducedEdges(graph);
    expect(edges[0]?.from).toBe(vertexIds.deployment('orders-svc', '1.5.0-hotfix'));
    expect(edges[0]?.properties.confidence).toBe('LOW');

    const other = await graphWithDeployments();
    const strict = new LineageSignatureWriter({ graph: other, linkUnregisteredVersions: false });
    strict.submit([update({ producer: { service: 'payments-api', version: '9.9.9' } })]);
    await strict.flush();
    expect(await introducedEdges(other)).toHaveLength(0);
    expect(await other.store.getVertex(vertexIds.failureSignature(HASH))).toBeDefined();
  });

  it('does not link an unknown producer', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update({ producer: { service: 'unknown' } })]);
    await writer.flush();
    expect(await introducedEdges(graph)).toHaveLength(0);
    expect(writer.stats().created).toBe(1);
  });

  it('retries failed writes with backoff and gives up after maxAttempts', async () => {
    const store = new InMemoryGraphStore();
    let failuresLeft = 2;
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'getVertex') {
          return async (id: string) => {
            if (failuresLeft > 0) {
              failuresLeft -= 1;
              throw new Error('ECONNRESET');
            }
            return target.getVertex(id);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const graph = createLineageGraph({ store: flaky });
    const writer = new LineageSignatureWriter({ graph, retryDelayMs: 1 });
    writer.submit([update()]);
    await writer.flush();
    expect(await store.getVertex(vertexIds.failureSignature(HASH))).toBeDefined();
    expect(writer.stats()).toMatchObject({ failures: 2, created: 1, dropped: 0 });

    failuresLeft = 100;
    const giveUp = new LineageSignatureWriter({ graph, retryDelayMs: 1, maxAttempts: 3 });
    giveUp.submit([update({ hash: 'sha256:' + 'ab'.repeat(32) })]);
    await giveUp.flush();
    expect(giveUp.stats()).toMatchObject({ failures: 3, dropped: 1, pending: 0 });
  });

  it('writes in the background after submit without flush', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    writer.submit([update()]);
    for (let k = 0; k < 50 && writer.stats().created === 0; k++)
      await new Promise((r) => setTimeout(r, 5));
    expect(writer.stats().created).toBe(1);
    await writer.close();
    writer.submit([update({ hash: 'sha256:' + 'cd'.repeat(32) })]);
    expect(writer.stats().dropped).toBe(1);
    await writer.close();
  });

  it('validates its options', () => {
    expect(() => new LineageSignatureWriter({ graph: {} as never, maxAttempts: 0 })).toThrow(
      /graph.ingestor.*graph.store.*maxAttempts/,
    );
  });

  it('end to end: the contract engine writes one signature per failure to the graph at window close', async () => {
    const graph = await graphWithDeployments();
    const writer = new LineageSignatureWriter({ graph });
    const engine = new ContractEngine({ signatureSink: writer });
    const ds = datasetContext();
    let state = engine.initialState(ds);
    for (let w = 2; w <= 4; w++) {
      const window = windowAt(w);
      for (let i = 0; i < 500; i++) {
        const ev = evidence({
          i: w * 1000 + i,
          time: window.start + i * 500,
          ...(i % 2 === 1
            ? { version: '1.4.3', contractCodes: ['MISSING_FIELD:customer_id'] }
            : {}),
        });
        state = engine.observe(state, ev, 1, window, ds);
      }
      const step = engine.closeWindow(state, window, ds, window.end + 2 * MIN);
      state = step.state;
      expect(step.verdict?.state).toBe('CRITICAL');
      expect(step.verdict?.failure_signature_ids).toEqual([HASH]);
    }
    await writer.close();
    const fs = await graph.store.findVertices('FailureSignature');
    expect(fs).toHaveLength(1);
    expect(fs[0]?.properties.count).toBe(250); // refreshed at most every 15 min: only the first window's count so far
    const edges = await introducedEdges(graph);
    expect(edges.map((e) => e.from)).toEqual([vertexIds.deployment('orders-svc', '1.4.3', 'prod')]);
  });
  it('links INTRODUCED again when the signature recurs after a rollback (second episode, second deployment)', async () => {
    // 1.4.3 introduces the bug at +9m, 1.4.2 is rolled back at +20m, 1.4.4 ships it again at +40m.
    const graph = await graphWithDeployments();
    for (const [version, at] of [
      ['1.4.2', T0 + 20 * MIN],
      ['1.4.4', T0 + 40 * MIN],
    ] as const) {
      const r = await graph.ingestor.ingestDeployment({
        service: 'orders-svc',
        version,
        environment: 'prod',
        commit: `c${version}`,
        time: new Date(at).toISOString(),
      });
      expect(r.ok).toBe(true);
    }
    const writer = new LineageSignatureWriter({ graph });
    const submitted: FailureSignatureUpdate[] = [];
    const engine = new ContractEngine({
      signatureSink: {
        submit: (updates) => {
          submitted.push(...updates);
          writer.submit(updates);
        },
      },
    });
    const ds = datasetContext();
    let state = engine.initialState(ds);
    const run = (w: number, badVersion?: string): void => {
      const window = windowAt(w);
      for (let i = 0; i < 300; i++) {
        const ev = evidence({
          i: w * 1000 + i,
          time: window.start + 1_000 + i * 900,
          ...(badVersion !== undefined && i % 2 === 1
            ? { version: badVersion, contractCodes: ['MISSING_FIELD:customer_id'] }
            : {}),
        });
        state = engine.observe(state, ev, 1, window, ds);
      }
      state = engine.closeWindow(state, window, ds, window.end + MIN).state;
    };
    run(2, '1.4.3'); // T0+10m: first episode
    run(3, '1.4.3');
    for (let w = 4; w <= 7; w++) run(w); // rolled back: no failures for 20 min
    run(8, '1.4.4'); // T0+40m: the same signature again
    await writer.flush();

    const episodes = submitted.filter((u) => u.episode !== undefined);
    expect(episodes[0]?.episode).toEqual({
      n: 2,
      start: windowAt(8).start + 1_000 + 900,
      producer: { service: 'orders-svc', version: '1.4.4' },
    });
    expect(episodes[0]?.firstSeen).toBe(windowAt(2).start + 1_000 + 900);
    const edges = await introducedEdges(graph);
    expect(edges.map((e) => [e.from, e.properties.confidence]).sort()).toEqual([
      [vertexIds.deployment('orders-svc', '1.4.3', 'prod'), 'HIGH'],
      [vertexIds.deployment('orders-svc', '1.4.4', 'prod'), 'HIGH'],
    ]);
    expect(writer.stats()).toMatchObject({ created: 1, episodes: 1 });

    // Later refreshes carry the same episode: nothing is linked twice.
    run(9, '1.4.4');
    await writer.flush();
    expect(await introducedEdges(graph)).toHaveLength(2);
    expect(writer.stats().episodes).toBe(1);
    // A fresh writer (restart) re-linking the same episode does not duplicate the edge either.
    const again = new LineageSignatureWriter({ graph });
    again.submit([episodes[0] as FailureSignatureUpdate]);
    await again.flush();
    expect(await introducedEdges(graph)).toHaveLength(2);
  });

  it('a change of the failing version is a new episode; failures within a window are not', async () => {
    const submitted: FailureSignatureUpdate[] = [];
    const engine = new ContractEngine({
      signatureSink: { submit: (u) => submitted.push(...u) },
      signatureRefreshMs: 0,
    });
    const ds = datasetContext();
    let state = engine.initialState(ds);
    const run = (w: number, version: string, gapEvery = 1): void => {
      const window = windowAt(w);
      for (let i = 0; i < 200; i += gapEvery) {
        state = engine.observe(
          state,
          evidence({
            i: w * 1000 + i,
            time: window.start + i * 1_000,
            version,
            contractCodes: ['MISSING_FIELD:customer_id'],
          }),
          1,
          window,
          ds,
        );
      }
      state = engine.closeWindow(state, window, ds, window.end + MIN).state;
    };
    run(2, '1.4.3');
    run(3, '1.4.3', 50); // gaps of 50 s < one window: the same episode
    expect(submitted.every((u) => u.episode === undefined)).toBe(true);
    run(4, '1.4.4'); // another version, no gap
    const last = submitted.at(-1);
    expect(last?.episode).toMatchObject({
      n: 2,
      start: windowAt(4).start,
      producer: { version: '1.4.4' },
    });
    expect(last?.producer.version).toBe('1.4.3');
    expect(last?.firstSeen).toBe(windowAt(2).start);
    // Both known versions interleaving (a rolling deploy): no episode per record.
    const window = windowAt(5);
    for (let i = 0; i < 100; i++) {
      state = engine.observe(
        state,
        evidence({
          i: 5000 + i,
          time: window.start + i * 1_000,
          version: i % 2 === 0 ? '1.4.3' : '1.4.4',
          contractCodes: ['MISSING_FIELD:customer_id'],
        }),
        1,
        window,
        ds,
      );
    }
    state = engine.closeWindow(state, window, ds, window.end + MIN).state;
    expect(submitted.at(-1)?.episode?.n).toBe(2);
  });
});
