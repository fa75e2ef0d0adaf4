import { randomUUID } from 'node:crypto';
import type { Evidence, JsonValue, Signal, StateStore } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import { DynamoDbStateStore } from '@signal-factory/dynamodb';
import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createEngineRuntime,
  createFreshnessEngine,
  createVolumeEngine,
  type EngineRuntime,
  type SignalEngine,
} from '../../src/index';

const brokers = inject('kafkaBrokers');
const endpoint = inject('dynamoEndpoint');
const run = randomUUID().slice(0, 8);
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

const fastKafka = {
  consumer: {
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
    retryBackoffMs: 50,
  },
  closeTimeoutMs: 20_000,
};

let seq = 0;
function evidence(urn: string, eventTime: number, weight = 1): Evidence {
  seq += 1;
  return {
    schema_version: 'evidence/v1',
    evidence_id: `ev_${seq.toString(16).padStart(32, '0')}`,
    dataset_urn: urn,
    topic: 'orders.created',
    producer: { service: 'orders-svc', identity_confidence: 'HIGH', identity_method: 'header' },
    event_time: new Date(eventTime).toISOString(),
    processing_time: new Date(eventTime).toISOString(),
    gates: [],
    result: 'PASS',
    reason_codes: [],
    pii_findings: [],
    sample_weight: weight,
    enforcement: 'observe',
    source: 'sidecar',
  };
}

type CountState = { open: Record<string, number>; closed: Array<[number, number]> };

/** Records every closed window with its weighted count, so tests can check exactness. */
function countingEngine(): SignalEngine<CountState> {
  return {
    type: 'VOLUME',
    id: 'count@1.0.0',
    group: 'count',
    initialState: () => ({ open: {}, closed: [] }),
    observe(state, _e, weight, window) {
      state.open[String(window.start)] = (state.open[String(window.start)] ?? 0) + weight;
      return state;
    },
    closeWindow(state, window) {
      const n = state.open[String(window.start)] ?? 0;
      delete state.open[String(window.start)];
      state.closed.push([window.start, n]);
      return {
        state,
        verdict: { state: n === 0 ? 'CRITICAL' : 'OK', reason: `${n}`, metrics: { n } },
      };
    },
  };
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function closedWindows(store: StateStore, urn: string): Promise<Array<[number, number]>> {
  const item = await store.get('SignalState', { pk: urn, sk: 'engine#VOLUME' });
  return (
    ((item?.data as { engine?: JsonValue } | undefined)?.engine as CountState | undefined)
      ?.closed ?? []
  );
}

describe('engine runtime on Kafka and DynamoDB (dynalite)', () => {
  const state = new DynamoDbStateStore({
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    tablePrefix: `sf-it-eng-${run}-`,
  });
  const buses: KafkaEvidenceBus[] = [];
  const runtimes: EngineRuntime[] = [];
  const newBus = () => {
    const bus = new KafkaEvidenceBus({
      brokers: [brokers],
      clientId: `sf-it-engines-${run}`,
      ...fastKafka,
    });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    await state.ensureTables();
  });
  afterAll(async () => {
    await Promise.allSettled(runtimes.map((r) => r.close()));
    await Promise.allSettled(buses.map((b) => b.close()));
    await state.close();
  });

  it('consumes evidence from Kafka, persists state in DynamoDB and emits signals to the signals topic', async () => {
    const topics = {
      evidence: `sf-it-eng-${run}-a.evidence`,
      signals: `sf-it-eng-${run}-a.signals`,
      dlq: `sf-it-eng-${run}-a.dlq`,
    };
    const clock = createTestClock(T0);
    const bus = newBus();
    await bus.ensureTopic(topics.evidence, { partitions: 4 });
    const signals: Signal[] = [];
    const runtime = createEngineRuntime({
      bus,
      state,
      engines: [countingEngine(), createFreshnessEngine()],
      clock,
      autoTick: false,
      topics,
      groupPrefix: `sf-it-${run}-a.`,
      signalSink: (s) => void signals.push(s),
    });
    runtimes.push(runtime);
    await runtime.start();
    const urns = ['urn:dp:it:alpha', 'urn:dp:it:beta'];
    const sent: Evidence[] = [];
    for (const urn of urns)
      for (let i = 0; i < 30; i++) sent.push(evidence(urn, T0 + i * 20_000, 2));
    // Kafka delivers as soon as it can: the simulated clock must already be past the events.
    clock.set(T0 + 10 * MIN);
    await bus.publish(topics.evidence, [
      ...sent.map((e) => ({ key: e.dataset_urn!, value: JSON.stringify(e) })),
      { key: 'urn:dp:it:alpha', value: '{"schema_version":"evidence/v1"}' },
    ]);
    await waitFor(() => (runtime.metrics().engines.count?.consumed ?? 0) >= 61);
    await runtime.advanceTo(T0 + 17 * MIN);
    for (const urn of urns)
      expect(await closedWindows(state, urn)).toEqual([
        [T0, 30],
        [T0 + 5 * MIN, 30],
        [T0 + 10 * MIN, 0],
      ]);
    const m = runtime.metrics().engines;
    expect(m.count!.invalid).toBe(1);
    expect(m.count!.deadLettered).toBe(1);
    expect(m.freshness!.observed).toBe(60);
    expect(m.count!.futureClamped + m.count!.late + m.count!.duplicates).toBe(0);
    // the signals topic carries what the sink saw
    const onTopic: Signal[] = [];
    const reader = newBus();
    const sub = await reader.subscribe(
      { groupId: `sf-it-${run}-signals-reader`, topics: [topics.signals] },
      async (batch) => {
        for (const r of batch) onTopic.push(JSON.parse(r.value) as Signal);
      },
    );
    await waitFor(() => onTopic.length >= signals.length);
    await sub.close();
    expect(new Set(onTopic.map((s) => s.signal_id))).toEqual(
      new Set(signals.map((s) => s.signal_id)),
    );
    expect(signals.some((s) => s.signal_type === 'FRESHNESS' && s.state === 'OK')).toBe(true);
    const history = await runtime.signalHistory('urn:dp:it:alpha');
    expect(history.length).toBeGreaterThan(0);
    const markers = await state.query('SignalState', 'urn:dp:it:alpha', {
      skPrefix: 'window#VOLUME#',
    });
    expect(markers).toHaveLength(3);
    await runtime.close();
  });

  it('rebalances between two instances of one group and restarts without losing or double-counting a window', async () => {
    const topics = {
      evidence: `sf-it-eng-${run}-b.evidence`,
      signals: `sf-it-eng-${run}-b.signals`,
      dlq: null,
    };
    const clock = createTestClock(T0);
    const setup = await newBus();
    await setup.ensureTopic(topics.evidence, { partitions: 6 });
    const urns = Array.from({ length: 12 }, (_, i) => `urn:dp:it:reb${i}`);
    const make = (instanceId: string) => {
      const runtime = createEngineRuntime({
        bus: newBus(),
        state,
        engines: [countingEngine()],
        clock,
        autoTick: false,
        topics,
        instanceId,
        groupPrefix: `sf-it-${run}-b.`,
        adoptEveryMs: 10_000,
        maxBatchSize: 7, // many small batches: a rebalance lands mid-stream
      });
      runtimes.push(runtime);
      return runtime;
    };
    const consumed = (...rs: EngineRuntime[]) =>
      rs.reduce(
        (n, r) =>
          n +
          (r.metrics().engines.count?.observed ?? 0) +
          (r.metrics().engines.count?.duplicates ?? 0),
        0,
      );
    const publishWindow = async (start: number, perDataset: number) => {
      const batch = urns.flatMap((urn) =>
        Array.from({ length: perDataset }, (_, i) =>
          evidence(urn, start + Math.floor((i * 5 * MIN) / perDataset)),
        ),
      );
      await setup.publish(
        topics.evidence,
        batch.map((e) => ({ key: e.dataset_urn!, value: JSON.stringify(e) })),
      );
    };

    // two members share the partitions
    const a = make('a');
    const b = make('b');
    await a.start();
    await b.start();
    clock.set(T0 + 5 * MIN);
    await publishWindow(T0, 10);
    await waitFor(() => consumed(a, b) >= 120);
    await Promise.all([a.advanceTo(T0 + 5 * MIN), b.advanceTo(T0 + 5 * MIN)]);
    expect(
      a.metrics().engines.count!.activeDatasets + b.metrics().engines.count!.activeDatasets,
    ).toBe(12);

    // window 2 streams in while a leaves the group mid-way: b takes over a's partitions
    clock.set(T0 + 10 * MIN);
    await publishWindow(T0 + 5 * MIN, 20);
    await a.close();
    const observedBefore = consumed(a);
    await waitFor(() => consumed(b) + observedBefore >= 120 + 240);
    await b.advanceTo(T0 + 12 * MIN);
    for (const urn of urns)
      expect(await closedWindows(state, urn)).toEqual([
        [T0, 10],
        [T0 + 5 * MIN, 20],
      ]);

    // restart: b stops, window 3 evidence arrives meanwhile, c starts in the same group
    await b.close();
    clock.set(T0 + 15 * MIN);
    await publishWindow(T0 + 10 * MIN, 5);
    const c = make('c');
    await c.start();
    await waitFor(() => (c.metrics().engines.count?.observed ?? 0) >= 60);
    await c.advanceTo(T0 + 22 * MIN);
    for (const urn of urns)
      expect(await closedWindows(state, urn)).toEqual([
        [T0, 10],
        [T0 + 5 * MIN, 20],
        [T0 + 10 * MIN, 5],
        [T0 + 15 * MIN, 0],
      ]);
    for (const urn of urns) {
      const markers = await state.query('SignalState', urn, { skPrefix: 'window#VOLUME#' });
      expect(markers.map((m) => m.sk)).toHaveLength(4);
    }
    await c.close();
  });

  it('runs the real freshness and volume engines on Kafka + DynamoDB', async () => {
    const topics = {
      evidence: `sf-it-eng-${run}-c.evidence`,
      signals: null,
      dlq: null,
    };
    const clock = createTestClock(T0);
    const bus = newBus();
    await bus.ensureTopic(topics.evidence, { partitions: 2 });
    const signals: Signal[] = [];
    const runtime = createEngineRuntime({
      bus,
      state,
      engines: [createFreshnessEngine(), createVolumeEngine()],
      clock,
      autoTick: false,
      topics,
      groupPrefix: `sf-it-${run}-c.`,
      signalSink: (s) => void signals.push(s),
    });
    runtimes.push(runtime);
    await runtime.start();
    const urn = 'urn:dp:it:orders';
    const sent: Evidence[] = [];
    for (let t = T0; t < T0 + 30 * MIN; t += 5_000) sent.push(evidence(urn, t, 10));
    clock.set(T0 + 30 * MIN);
    await bus.publish(
      topics.evidence,
      sent.map((e) => ({ key: urn, value: JSON.stringify(e) })),
    );
    await waitFor(
      () =>
        (runtime.metrics().engines.volume?.observed ?? 0) >= sent.length &&
        (runtime.metrics().engines.freshness?.observed ?? 0) >= sent.length,
    );
    await runtime.advanceTo(T0 + 30 * MIN);
    await runtime.advanceTo(T0 + 50 * MIN); // the dataset stalls at 30:00
    const changes = signals.filter(
      (s) => s.metrics.signal_kind === 'change' && s.dataset_urn === urn,
    );
    const volume = changes.filter((s) => s.signal_type === 'VOLUME').map((s) => s.state);
    const freshness = changes.filter((s) => s.signal_type === 'FRESHNESS').map((s) => s.state);
    expect(volume).toEqual(['OK', 'CRITICAL']);
    expect(freshness).toEqual(['OK', 'WARNING', 'CRITICAL']);
    const current = await runtime.currentSignals(urn);
    expect(current.map((s) => s.signal_type).sort()).toEqual(['FRESHNESS', 'VOLUME']);
    await runtime.close();
  });
});
