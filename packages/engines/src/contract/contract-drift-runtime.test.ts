import {
  failureSignatureId,
  InMemoryEvidenceBus,
  InMemoryGraphStore,
  InMemoryStateStore,
  isSignal,
  shapeFingerprint,
  type Evidence,
  type Signal,
} from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import { createLineageGraph, EDGE_LABELS, vertexIds } from '@signal-factory/lineage';
import { afterEach, describe, expect, it } from 'vitest';
import { createSchemaDriftEngine } from '../drift/schema-drift-engine';
import { createEngineRuntime, type EngineRuntime } from '../runtime/engine-runtime';
import { LineageSignatureWriter } from '../signatures/lineage-signature-writer';
import { createContractEngine } from './contract-engine';
import { evidence, orderRecord, T0, URN, WINDOW_MS } from './evidence-fixtures.test-data';

// The contract and drift engines inside the real engine runtime (embedded bus and state), with
// failure signatures written to an in-memory knowledge graph: the wiring the CLI uses.

const MIN = 60_000;
let runtime: EngineRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

const withoutCustomer = (i: number): Record<string, unknown> => {
  const { customer_id: _drop, ...rest } = orderRecord(i);
  return rest;
};

describe('contract and drift engines in the engine runtime', () => {
  it('turns a bad deploy into CONTRACT and SCHEMA_DRIFT CRITICAL signals and one graph signature linked to the deploy', async () => {
    const clock = createTestClock(T0);
    const bus = new InMemoryEvidenceBus({ now: () => clock.now() });
    const state = new InMemoryStateStore({ now: () => clock.now() });
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '1.4.3',
      environment: 'prod',
      time: new Date(T0 + 10 * MIN - 5_000).toISOString(),
    });
    const writer = new LineageSignatureWriter({ graph });
    const signals: Signal[] = [];
    runtime = createEngineRuntime({
      bus,
      state,
      clock,
      autoTick: false,
      engines: [createContractEngine({ signatureSink: writer }), createSchemaDriftEngine()],
      signalSink: (s) => void signals.push(s),
    });
    await runtime.start();

    // 10:00–10:10 healthy (1.4.2); 10:10–10:15 version 1.4.3 drops customer_id.
    const docs: Evidence[] = [];
    for (let i = 0; i < 900; i++) {
      const time = T0 + i * 1000;
      const bad = time >= T0 + 10 * MIN;
      docs.push(
        evidence({
          i,
          time,
          ...(bad
            ? {
                version: '1.4.3',
                record: withoutCustomer(i),
                contractCodes: ['MISSING_FIELD:customer_id'],
                schemaCodes: i === 600 ? ['SCHEMA_DRIFT'] : [],
              }
            : {}),
        }),
      );
    }
    docs.push({
      ...evidence({ i: 999, time: T0 + 11 * MIN }),
      result: 'MAYBE',
    } as unknown as Evidence);
    await bus.publish(
      'signal_factory.evidence',
      docs.map((e) => ({ key: e.dataset_urn ?? 'unresolved', value: JSON.stringify(e) })),
    );
    await runtime.advanceTo(T0 + 3 * WINDOW_MS + 3 * MIN);
    await writer.flush();

    expect(signals.every((s) => isSignal(s))).toBe(true);
    const changes = signals.filter((s) => s.metrics.signal_kind === 'change');
    const contract = changes.filter((s) => s.signal_type === 'CONTRACT');
    const drift = changes.filter((s) => s.signal_type === 'SCHEMA_DRIFT');
    expect(contract.map((s) => s.state)).toEqual(['OK', 'CRITICAL']);
    expect(drift.map((s) => s.state)).toEqual(['OK', 'CRITICAL']);

    const hash = failureSignatureId({
      datasetUrn: URN,
      failedGates: ['G4'],
      reasonCodes: ['MISSING_FIELD:customer_id'],
    });
    const critical = contract[1] as Signal;
    expect(critical.engine).toBe('contract@0.1.0');
    expect(critical.failure_signature_ids).toEqual([hash]);
    // the drift signal names the same records' signature: the incident links one cause
    expect((drift[1] as Signal).failure_signature_ids).toEqual([hash]);
    expect(critical.producer).toEqual({ service: 'orders-svc', version: '1.4.3' });
    expect(critical.first_bad?.time).toBe(new Date(T0 + 10 * MIN).toISOString());
    expect(critical.last_good?.time).toBe(new Date(T0 + 10 * MIN - 1000).toISOString());
    expect(critical.window).toEqual({
      start: new Date(T0 + 10 * MIN).toISOString(),
      end: new Date(T0 + 15 * MIN).toISOString(),
    });

    const breaking = drift[1] as Signal;
    expect(breaking.metrics.drift_kind).toBe('breaking');
    expect(breaking.first_bad?.fingerprint).toBe(shapeFingerprint(withoutCustomer(600)));
    expect(breaking.last_good?.fingerprint).toBe(shapeFingerprint(orderRecord(0)));

    const fs = await graph.store.getVertex(vertexIds.failureSignature(hash));
    expect(fs?.properties.count).toBe(300);
    const introduced = await graph.store.edges(vertexIds.failureSignature(hash), {
      direction: 'in',
      labels: [EDGE_LABELS.INTRODUCED],
    });
    expect(introduced.map((e) => [e.from, e.properties.confidence])).toEqual([
      [vertexIds.deployment('orders-svc', '1.4.3', 'prod'), 'HIGH'],
    ]);
  });
  it('does not page for a new field with varied values in an observe-mode dataset (closed contract)', async () => {
    const clock = createTestClock(T0);
    const bus = new InMemoryEvidenceBus({ now: () => clock.now() });
    const state = new InMemoryStateStore({ now: () => clock.now() });
    const signals: Signal[] = [];
    runtime = createEngineRuntime({
      bus,
      state,
      clock,
      autoTick: false,
      engines: [createContractEngine(), createSchemaDriftEngine()],
      signalSink: (s) => void signals.push(s),
    });
    await runtime.start();
    const values = [(i: number) => `web-${i}`, () => null, (i: number) => ({ [`k${i % 4}`]: i })];
    const docs: Evidence[] = [];
    for (let i = 0; i < 1800; i++) {
      const time = T0 + i * 1000;
      const added = time >= T0 + 10 * MIN;
      docs.push(
        evidence({
          i,
          time,
          enforcement: 'observe',
          ...(added
            ? {
                version: '1.5.0',
                record: {
                  ...orderRecord(i),
                  channel: (values[i % 3] as (n: number) => unknown)(i),
                },
                contractCodes: ['UNKNOWN_FIELD:channel'],
                schemaCodes: i % 100 === 0 ? ['SCHEMA_DRIFT'] : [],
              }
            : {}),
        }),
      );
    }
    await bus.publish(
      'signal_factory.evidence',
      docs.map((e) => ({ key: e.dataset_urn ?? 'unresolved', value: JSON.stringify(e) })),
    );
    await runtime.advanceTo(T0 + 30 * MIN + 3 * MIN);
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.filter((s) => s.state === 'CRITICAL')).toEqual([]);
    const drift = signals.filter((s) => s.signal_type === 'SCHEMA_DRIFT' && s.state === 'WARNING');
    expect(drift.length).toBeGreaterThan(0);
    expect(drift.every((s) => s.metrics.drift_kind === 'additive')).toBe(true);
  });
});
