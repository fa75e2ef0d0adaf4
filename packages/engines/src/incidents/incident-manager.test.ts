import type { BusMessage, EvidenceBus, Incident } from '@signal-factory/core';
import {
  InMemoryEvidenceBus,
  InMemoryGraphStore,
  InMemoryStateStore,
  checkIncident,
} from '@signal-factory/core';
import { createTestClock, waitFor, type TestClock } from '@signal-factory/core/testing';
import { createLineageGraph, type LineageGraph } from '@signal-factory/lineage';
import { beforeEach, describe, expect, it } from 'vitest';
import { AlertRouter } from '../alerting/alert-router';
import type { Alert, AlertSink } from '../alerting/types';
import { createDatasetCatalog } from '../runtime/dataset-catalog';
import type { SignalSink } from '../runtime/options';
import { incidentDatasetInfoFrom } from './dataset-info';
import { INCIDENT_ERROR_CODES } from './errors';
import { makeSignal, SIG_A, SIG_B } from './fixtures.test-data';
import { IncidentManager } from './incident-manager';
import type { IncidentManagerOptions } from './options';
import { DEFAULT_SEVERITY_TABLE, severityFor } from './severity';
import { INCIDENT_TRANSITION_HEADER, type IncidentDatasetInfo } from './types';

const T0 = Date.parse('2026-11-25T10:05:00Z');
const ORDERS = 'urn:dp:orders:created';
const PAYMENTS = 'urn:dp:payments:captured';
const REVENUE = 'urn:dp:finance:revenue';
const OTHER = 'urn:dp:crm:contacts';

class RecordingBus implements EvidenceBus {
  readonly published: { topic: string; message: BusMessage }[] = [];
  async ensureTopic(): Promise<void> {}
  async publish(topic: string, messages: BusMessage[]) {
    for (const message of messages) this.published.push({ topic, message });
    return messages.map((_, i) => ({ topic, partition: 0, offset: String(i) }));
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  transitions(id: string): string[] {
    return this.published
      .filter((p) => p.message.key === id)
      .map((p) => p.message.headers?.[INCIDENT_TRANSITION_HEADER] ?? '');
  }
}

class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  constructor(readonly name: string) {}
  async send(alert: Alert) {
    this.alerts.push(alert);
    return { ok: true as const, sink: this.name, status: 202, attempts: 1 };
  }
  async close(): Promise<void> {}
}

interface Harness {
  clock: TestClock;
  store: InMemoryStateStore;
  bus: RecordingBus;
  graph: LineageGraph;
  manager: IncidentManager;
  make: (extra?: Partial<IncidentManagerOptions>) => IncidentManager;
}

const INFO: Record<string, IncidentDatasetInfo> = {
  [ORDERS]: { tier: 1, team: 'orders', producerService: 'orders-svc' },
  [PAYMENTS]: { tier: 2, team: 'payments', producerService: 'orders-svc' },
  [REVENUE]: { tier: 3, team: 'finance' },
  [OTHER]: { tier: 3, team: 'crm' },
};

function harness(extra: Partial<IncidentManagerOptions> = {}): Harness {
  const clock = createTestClock(T0);
  const store = new InMemoryStateStore({ now: clock.now });
  const bus = new RecordingBus();
  const graph = createLineageGraph({ store: new InMemoryGraphStore() });
  let n = 0;
  const make = (more: Partial<IncidentManagerOptions> = {}) =>
    new IncidentManager({
      store,
      bus,
      lineage: graph,
      now: clock.now,
      datasetInfo: (urn) => INFO[urn],
      newId: () => `inc-${++n}`,
      tickIntervalMs: 0,
      ...extra,
      ...more,
    });
  return { clock, store, bus, graph, manager: make(), make };
}

async function stored(h: Harness, id: string): Promise<Incident> {
  const item = await h.store.get('IncidentIndex', { pk: `incident#${id}`, sk: 'incident' });
  if (item === undefined) throw new Error(`incident ${id} not stored`);
  return item.data as unknown as Incident;
}

/** A job reads ORDERS and writes REVENUE. */
async function revenueReadsOrders(h: Harness): Promise<void> {
  await h.graph.ingestor.ingestLineageSpec({
    kind: 'LineageSpec',
    producer: { job: { namespace: 'spark', name: 'revenue-rollup' } },
    inputs: [{ dataset: ORDERS }],
    outputs: [{ dataset: REVENUE }],
    confidence: 'HIGH',
  });
}

describe('severity table', () => {
  it('maps tier and signal type to SEV-1..SEV-3', () => {
    expect(severityFor('FRESHNESS', 1)).toBe('SEV-1');
    expect(severityFor('CONTRACT', 2)).toBe('SEV-2');
    expect(severityFor('VOLUME', 1)).toBe('SEV-2');
    expect(severityFor('DQ', 2)).toBe('SEV-3');
    expect(severityFor('SCHEMA_DRIFT', 3)).toBe('SEV-3');
    for (const row of Object.values(DEFAULT_SEVERITY_TABLE)) expect(row[2]).toBe('SEV-3');
  });

  it('takes overrides per signal type', async () => {
    const h = harness({ severityTable: { DQ: ['SEV-1', 'SEV-1', 'SEV-2'] } });
    const result = await h.manager.handleSignal(
      makeSignal({ dataset_urn: OTHER, signal_type: 'DQ', now: T0 }),
    );
    expect((await stored(h, result.incident_id as string)).severity).toBe('SEV-2');
  });
});

describe('IncidentManager', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it('opens a schema-valid incident, indexes it, publishes it and writes the graph', async () => {
    const signal = makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 });
    const result = await h.manager.handleSignal(signal);
    expect(result).toEqual({ action: 'opened', incident_id: 'inc-1' });
    const incident = await stored(h, 'inc-1');
    expect(checkIncident(incident).valid).toBe(true);
    expect(incident).toMatchObject({
      status: 'OPEN',
      severity: 'SEV-1',
      dataset_urns: [ORDERS],
      signal_ids: [signal.signal_id],
      probable_cause: { kind: 'failure_signature', ref: SIG_A },
      opened_at: new Date(T0).toISOString(),
      route: { team: 'orders', channels: [] },
    });
    const listing = await h.store.query('IncidentIndex', 'incidents', { descending: true });
    expect(listing.map((i) => i.data)).toEqual([
      { incident_id: 'inc-1', status: 'OPEN', severity: 'SEV-1', dataset_urns: [ORDERS] },
    ]);
    const perDataset = await h.store.query('IncidentIndex', ORDERS, { skPrefix: 'incident#' });
    expect(perDataset.map((i) => i.data)).toEqual([{ incident_id: 'inc-1', status: 'OPEN' }]);
    expect(h.bus.published[0]?.topic).toBe('signal_factory.incidents');
    expect(JSON.parse(h.bus.published[0]?.message.value ?? '{}')).toEqual(incident);
    expect(h.bus.transitions('inc-1')).toEqual(['opened']);
    const path = await h.graph.queries.causalPath('inc-1');
    expect(path.found).toBe(true);
    expect(path.chains[0]?.vertices).toEqual([
      'incident:inc-1',
      `signal:${signal.signal_id}`,
      `failure-signature:${SIG_A}`,
    ]);
  });

  it('ignores invalid signals and OK signals of datasets without incidents', async () => {
    expect(await h.manager.handleSignal({ nope: true })).toEqual({
      action: 'ignored',
      reason: 'invalid',
    });
    expect(
      await h.manager.handleSignal(makeSignal({ dataset_urn: ORDERS, state: 'OK', now: T0 })),
    ).toEqual({ action: 'ignored', reason: 'not_critical' });
    expect(h.manager.stats()).toMatchObject({ signals: 2, invalid: 1, opened: 0 });
    expect(h.bus.published).toHaveLength(0);
  });

  it('joins datasets failing with the same failure signature into one incident', async () => {
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: T0 }),
    );
    h.clock.advance(30_000);
    const joined = await h.manager.handleSignal(
      makeSignal({ dataset_urn: OTHER, failure_signature_ids: [SIG_B, SIG_A], now: h.clock.now() }),
    );
    expect(joined).toEqual({
      action: 'joined',
      incident_id: 'inc-1',
      joined_by: 'failure_signature',
    });
    const incident = await stored(h, 'inc-1');
    expect(incident.dataset_urns).toEqual([REVENUE, OTHER]);
    expect(incident.signal_ids).toHaveLength(2);
    // The joining signal's other signature now leads to the same incident.
    const third = await h.manager.handleSignal(
      makeSignal({
        dataset_urn: 'urn:dp:crm:leads',
        failure_signature_ids: [SIG_B],
        now: h.clock.now(),
      }),
    );
    expect(third.incident_id).toBe('inc-1');
    expect(h.manager.stats().opened).toBe(1);
  });

  it('joins datasets of the same producer deployment (looked up at first_bad)', async () => {
    await h.graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.17',
      time: new Date(T0 - 600_000).toISOString(),
    });
    await h.graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.18',
      time: new Date(T0 + 3_600_000).toISOString(),
    });
    const first = await h.manager.handleSignal(
      makeSignal({
        dataset_urn: ORDERS,
        signal_type: 'VOLUME',
        first_bad: { time: new Date(T0 - 300_000).toISOString() },
        now: T0,
      }),
    );
    expect(first.action).toBe('opened');
    const opened = await stored(h, 'inc-1');
    expect(opened.probable_cause).toEqual({
      kind: 'deployment',
      ref: 'deployment:orders-svc:3.17',
    });
    const second = await h.manager.handleSignal(
      makeSignal({
        dataset_urn: PAYMENTS,
        signal_type: 'FRESHNESS',
        producer: { service: 'orders-svc' },
        first_bad: { time: new Date(T0 - 120_000).toISOString() },
        now: T0,
      }),
    );
    expect(second).toEqual({ action: 'joined', incident_id: 'inc-1', joined_by: 'deployment' });
    // A version that ran clean for 55 minutes before the first bad record is not the suspect.
    await h.graph.ingestor.ingestDeployment({
      service: 'crm-svc',
      version: '1.0',
      time: new Date(T0 - 60 * 60_000).toISOString(),
    });
    await h.manager.handleSignal(
      makeSignal({
        dataset_urn: OTHER,
        signal_type: 'VOLUME',
        producer: { service: 'crm-svc' },
        first_bad: { time: new Date(T0 - 5 * 60_000).toISOString() },
        now: T0,
      }),
    );
    expect((await stored(h, 'inc-2')).probable_cause).toEqual({ kind: 'unknown' });
    // A signal whose producer ran another version does not join.
    const third = await h.manager.handleSignal(
      makeSignal({
        dataset_urn: REVENUE,
        producer: { service: 'orders-svc', version: '3.16' },
        now: T0,
      }),
    );
    expect(third.action).toBe('opened');
  });

  it('judges a stall by the deployment current at its last record, not one made while it was silent', async () => {
    const lastGood = T0 - 900_000;
    await h.graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.18',
      time: new Date(T0 - 300_000).toISOString(), // 10 minutes into the silence
    });
    await h.manager.handleSignal(
      makeSignal({
        dataset_urn: ORDERS,
        signal_type: 'FRESHNESS',
        producer: { service: 'orders-svc' },
        last_good: { time: new Date(lastGood).toISOString() },
        metrics: { age_seconds: 900, last_event_time: new Date(lastGood).toISOString() },
        now: T0,
      }),
    );
    expect((await stored(h, 'inc-1')).probable_cause).toEqual({ kind: 'stall', ref: ORDERS });
    // a deployment 30 s after the last record (it crashed on start) is the suspect
    await h.graph.ingestor.ingestDeployment({
      service: 'payments-svc',
      version: '2.0',
      time: new Date(lastGood + 30_000).toISOString(),
    });
    await h.manager.handleSignal(
      makeSignal({
        dataset_urn: PAYMENTS,
        signal_type: 'FRESHNESS',
        producer: { service: 'payments-svc' },
        metrics: { age_seconds: 900, last_event_time: new Date(lastGood).toISOString() },
        now: T0,
      }),
    );
    expect((await stored(h, 'inc-2')).probable_cause).toEqual({
      kind: 'deployment',
      ref: 'deployment:payments-svc:2.0',
    });
  });

  it('joins a dataset whose upstream dataset is already in incident, and the reverse', async () => {
    await revenueReadsOrders(h);
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 }),
    );
    const downstream = await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, signal_type: 'FRESHNESS', now: T0 }),
    );
    expect(downstream).toEqual({
      action: 'joined',
      incident_id: 'inc-1',
      joined_by: 'upstream_dataset',
    });
    expect((await stored(h, 'inc-1')).probable_cause.kind).toBe('failure_signature');

    // Reverse order on a fresh store: the downstream stall opens, the upstream failure joins and
    // becomes the probable cause.
    const g = harness();
    await revenueReadsOrders(g);
    await g.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, signal_type: 'FRESHNESS', now: T0 }),
    );
    expect((await stored(g, 'inc-1')).probable_cause).toEqual({ kind: 'stall', ref: REVENUE });
    const upstream = await g.manager.handleSignal(makeSignal({ dataset_urn: ORDERS, now: T0 }));
    expect(upstream).toMatchObject({ incident_id: 'inc-1', joined_by: 'downstream_dataset' });
    expect((await stored(g, 'inc-1')).probable_cause).toEqual({
      kind: 'upstream_dataset',
      ref: ORDERS,
    });
  });

  it('keeps a downstream contract break out of an upstream stall: a stall cannot make bad records', async () => {
    await revenueReadsOrders(h);
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, signal_type: 'FRESHNESS', now: T0 }),
    );
    expect((await stored(h, 'inc-1')).probable_cause).toEqual({ kind: 'stall', ref: ORDERS });
    // the downstream producer's own bad deploy: its own incident, the stall stays a stall
    const broken = await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_B], now: T0 + 60_000 }),
    );
    expect(broken.action).toBe('opened');
    expect((await stored(h, 'inc-1')).probable_cause).toEqual({ kind: 'stall', ref: ORDERS });
  });

  it('keeps a downstream break out of an upstream incident when its own producer deployed since', async () => {
    await revenueReadsOrders(h);
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 }),
    );
    // 25 minutes later the downstream producer ships a bad version of its own.
    await h.graph.ingestor.ingestDeployment({
      service: 'revenue-svc',
      version: '2.4',
      time: new Date(T0 + 25 * 60_000).toISOString(),
    });
    const own = await h.manager.handleSignal(
      makeSignal({
        dataset_urn: REVENUE,
        failure_signature_ids: [SIG_B],
        producer: { service: 'revenue-svc', version: '2.4' },
        first_bad: { time: new Date(T0 + 25 * 60_000 + 1_000).toISOString() },
        now: T0 + 30 * 60_000,
      }),
    );
    expect(own.action).toBe('opened');
    expect((await stored(h, own.incident_id as string)).dataset_urns).toEqual([REVENUE]);
    // Without a deployment of its own since, a downstream break follows the upstream one.
    const g = harness();
    await revenueReadsOrders(g);
    await g.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 }),
    );
    const follows = await g.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_B], now: T0 + 60_000 }),
    );
    expect(follows).toMatchObject({ incident_id: 'inc-1', joined_by: 'upstream_dataset' });
  });

  it('blames missing data on the stall upstream, not on a deploy downstream, in either order', async () => {
    await revenueReadsOrders(h);
    await h.graph.ingestor.ingestDeployment({
      service: 'finance-svc',
      version: '5.2',
      time: new Date(T0 - 60_000).toISOString(),
    });
    const starved = (now: number, type: 'VOLUME' | 'FRESHNESS') =>
      makeSignal({
        dataset_urn: REVENUE,
        signal_type: type,
        producer: { service: 'finance-svc' },
        first_bad: { time: new Date(T0).toISOString() },
        now,
      });
    // Upstream first: the starved dataset's later signals do not make the deploy the cause.
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, signal_type: 'VOLUME', now: T0 }),
    );
    expect(await h.manager.handleSignal(starved(T0, 'VOLUME'))).toMatchObject({
      incident_id: 'inc-1',
      joined_by: 'upstream_dataset',
    });
    await h.manager.handleSignal(starved(T0 + 300_000, 'FRESHNESS'));
    expect((await stored(h, 'inc-1')).probable_cause.kind).not.toBe('deployment');
    // Downstream first: its deploy is the first guess, until the upstream stall joins.
    const g = harness();
    await revenueReadsOrders(g);
    await g.graph.ingestor.ingestDeployment({
      service: 'finance-svc',
      version: '5.2',
      time: new Date(T0 - 60_000).toISOString(),
    });
    await g.manager.handleSignal(starved(T0, 'VOLUME'));
    expect((await stored(g, 'inc-1')).probable_cause).toEqual({
      kind: 'deployment',
      ref: 'deployment:finance-svc:5.2',
    });
    await g.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, signal_type: 'FRESHNESS', now: T0 + 60_000 }),
    );
    expect((await stored(g, 'inc-1')).probable_cause).toEqual({
      kind: 'upstream_dataset',
      ref: ORDERS,
    });
  });

  it('tells a downstream deploy that carries the upstream break along from one that breaks more', async () => {
    const SIG_C = `sha256:${'c'.repeat(64)}`;
    await revenueReadsOrders(h);
    const codes = (text: string) => ({
      reason_codes: text,
      top_reason_code: text.split('=')[0] as string,
    });
    await h.manager.handleSignal(
      makeSignal({
        dataset_urn: ORDERS,
        failure_signature_ids: [SIG_A],
        metrics: codes('MISSING_FIELD:customer_id=500'),
        now: T0,
      }),
    );
    await h.graph.ingestor.ingestDeployment({
      service: 'revenue-svc',
      version: '2.4',
      time: new Date(T0 + 10 * 60_000).toISOString(),
    });
    const revenue = (ids: string[], text: string, now: number) =>
      makeSignal({
        dataset_urn: REVENUE,
        failure_signature_ids: ids,
        producer: { service: 'revenue-svc', version: '2.4' },
        metrics: codes(text),
        first_bad: { time: new Date(T0 + 11 * 60_000).toISOString() },
        now,
      });
    // A logging-only deploy downstream: its records fail on the field orders broke. Same incident.
    const bystander = await h.manager.handleSignal(
      revenue([SIG_B], 'MISSING_FIELD:customer_id=300', T0 + 15 * 60_000),
    );
    expect(bystander).toMatchObject({ incident_id: 'inc-1', joined_by: 'upstream_dataset' });
    // The same deploy now also drops `total`: a new signature next to the old one, a new incident.
    const worse = await h.manager.handleSignal(
      revenue(
        [SIG_B, SIG_C],
        'MISSING_FIELD:customer_id=300;MISSING_FIELD:total=280',
        T0 + 20 * 60_000,
      ),
    );
    expect(worse.action).toBe('opened');
    expect(worse.incident_id).not.toBe('inc-1');
    expect((await stored(h, worse.incident_id as string)).dataset_urns).toEqual([REVENUE]);
  });

  it('keeps unrelated failures apart', async () => {
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: T0 }),
    );
    const other = await h.manager.handleSignal(
      makeSignal({ dataset_urn: OTHER, failure_signature_ids: [SIG_B], now: T0 }),
    );
    expect(other).toEqual({ action: 'opened', incident_id: 'inc-2' });
  });

  it('escalates when a worse signal joins', async () => {
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: T0 }),
    );
    expect((await stored(h, 'inc-1')).severity).toBe('SEV-3');
    const result = await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 }),
    );
    expect(result.action).toBe('escalated');
    expect((await stored(h, 'inc-1')).severity).toBe('SEV-1');
    expect(h.bus.transitions('inc-1')).toEqual(['opened', 'escalated']);
  });

  it('treats a redelivered signal as a duplicate and a CRITICAL heartbeat as an update', async () => {
    const signal = makeSignal({ dataset_urn: ORDERS, now: T0 });
    await h.manager.handleSignal(signal);
    expect(await h.manager.handleSignal(signal)).toMatchObject({
      action: 'duplicate',
      incident_id: 'inc-1',
    });
    h.clock.advance(300_000);
    const heartbeat = makeSignal({ dataset_urn: ORDERS, now: h.clock.now() });
    expect(await h.manager.handleSignal(heartbeat)).toMatchObject({
      action: 'updated',
      incident_id: 'inc-1',
    });
    expect((await stored(h, 'inc-1')).signal_ids).toEqual([signal.signal_id]);
    expect(h.bus.transitions('inc-1')).toEqual(['opened']);
  });

  it('runs the lifecycle OPEN → ACKNOWLEDGED → RESOLVED and rejects other moves with typed errors', async () => {
    await h.manager.handleSignal(makeSignal({ dataset_urn: ORDERS, now: T0 }));
    h.clock.advance(60_000);
    const acked = await h.manager.acknowledge('inc-1');
    expect(acked).toMatchObject({
      status: 'ACKNOWLEDGED',
      acknowledged_at: new Date(T0 + 60_000).toISOString(),
    });
    expect(checkIncident(acked).valid).toBe(true);
    await expect(h.manager.acknowledge('inc-1')).rejects.toMatchObject({
      code: INCIDENT_ERROR_CODES.TRANSITION_INVALID,
      details: { from: 'ACKNOWLEDGED', to: 'ACKNOWLEDGED' },
    });
    h.clock.advance(60_000);
    const resolved = await h.manager.resolve('inc-1');
    expect(resolved).toMatchObject({
      status: 'RESOLVED',
      resolved_at: new Date(T0 + 120_000).toISOString(),
    });
    expect(checkIncident(resolved).valid).toBe(true);
    await expect(h.manager.resolve('inc-1')).rejects.toMatchObject({
      code: INCIDENT_ERROR_CODES.TRANSITION_INVALID,
    });
    await expect(h.manager.acknowledge('inc-1')).rejects.toMatchObject({
      code: INCIDENT_ERROR_CODES.TRANSITION_INVALID,
      details: { from: 'RESOLVED' },
    });
    await expect(h.manager.resolve('inc-404')).rejects.toMatchObject({
      code: INCIDENT_ERROR_CODES.NOT_FOUND,
      retriable: false,
    });
    expect(h.bus.transitions('inc-1')).toEqual(['opened', 'acknowledged', 'resolved']);
    const listing = await h.store.query('IncidentIndex', 'incidents');
    expect(listing[0]?.data.status).toBe('RESOLVED');
    const vertex = await h.graph.store.getVertex('incident:inc-1');
    expect(vertex?.properties.status).toBe('RESOLVED');
  });

  it('auto-resolves once every member signal has been OK for autoResolveAfterMs', async () => {
    const m = h.make({ autoResolveAfterMs: 600_000 });
    await m.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: T0 }),
    );
    await m.handleSignal(
      makeSignal({ dataset_urn: OTHER, failure_signature_ids: [SIG_A], now: T0 }),
    );
    h.clock.advance(60_000);
    expect(
      await m.handleSignal(makeSignal({ dataset_urn: REVENUE, state: 'OK', now: h.clock.now() })),
    ).toEqual({ action: 'recovered', incident_id: 'inc-1' });
    h.clock.advance(600_000);
    expect(await m.tick()).toEqual({ autoResolved: [] }); // OTHER is still CRITICAL
    await m.handleSignal(makeSignal({ dataset_urn: OTHER, state: 'WARNING', now: h.clock.now() }));
    h.clock.advance(600_000);
    expect(await m.tick()).toEqual({ autoResolved: [] }); // WARNING is not OK
    await m.handleSignal(makeSignal({ dataset_urn: OTHER, state: 'OK', now: h.clock.now() }));
    h.clock.advance(599_999);
    expect(await m.tick()).toEqual({ autoResolved: [] });
    h.clock.advance(1);
    expect(await m.tick()).toEqual({ autoResolved: ['inc-1'] });
    expect((await stored(h, 'inc-1')).status).toBe('RESOLVED');
    expect(m.stats()).toMatchObject({ autoResolved: 1, resolved: 1 });
  });

  it('a second instance auto-resolves incidents it did not open (found through the listing)', async () => {
    await h.manager.handleSignal(makeSignal({ dataset_urn: ORDERS, now: T0 }));
    await h.manager.handleSignal(makeSignal({ dataset_urn: ORDERS, state: 'OK', now: T0 }));
    const other = h.make({ autoResolveAfterMs: 60_000 });
    h.clock.advance(60_000);
    expect(await other.tick()).toEqual({ autoResolved: ['inc-1'] });
  });

  it('reopens a cause that re-fires within the dedup window, and opens a new incident after it', async () => {
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 }),
    );
    await h.manager.acknowledge('inc-1');
    await h.manager.resolve('inc-1');
    h.clock.advance(299_000);
    const refire = await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: h.clock.now() }),
    );
    expect(refire).toEqual({
      action: 'reopened',
      incident_id: 'inc-1',
      joined_by: 'failure_signature',
    });
    const reopened = await stored(h, 'inc-1');
    expect(reopened.status).toBe('OPEN');
    expect(reopened.resolved_at).toBeUndefined();
    expect(reopened.acknowledged_at).toBeUndefined();
    expect(checkIncident(reopened).valid).toBe(true);
    await h.manager.resolve('inc-1');
    h.clock.advance(300_000);
    const later = await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: h.clock.now() }),
    );
    expect(later).toEqual({ action: 'opened', incident_id: 'inc-2' });
    expect(h.bus.transitions('inc-1')).toEqual([
      'opened',
      'acknowledged',
      'resolved',
      'reopened',
      'resolved',
    ]);
  });

  it('two instances racing on the same cause open one incident', async () => {
    const a = h.make();
    const b = h.make();
    const signals = Array.from({ length: 6 }, (_, i) =>
      makeSignal({ dataset_urn: `urn:dp:shop:ds${i}`, failure_signature_ids: [SIG_A], now: T0 }),
    );
    const results = await Promise.all(signals.map((s, i) => (i % 2 === 0 ? a : b).handleSignal(s)));
    const ids = new Set(results.map((r) => r.incident_id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.action === 'opened')).toHaveLength(1);
    const incident = await stored(h, [...ids][0] as string);
    expect(incident.dataset_urns.sort()).toEqual(signals.map((s) => s.dataset_urn).sort());
    expect(incident.signal_ids).toHaveLength(6);
  });

  it('routes one alert per transition, with team, severity and link', async () => {
    const sink = new RecordingSink('hook');
    const alerts = new AlertRouter({
      sinks: [sink],
      defaultRoute: { sinks: ['hook'] },
      now: h.clock.now,
    });
    const m = h.make({ alerts, linkBase: 'https://console.example/incidents/' });
    const signal = makeSignal({ dataset_urn: ORDERS, now: T0 });
    await m.handleSignal(signal);
    await m.handleSignal(makeSignal({ dataset_urn: ORDERS, signal_type: 'VOLUME', now: T0 })); // joined: no page
    await m.acknowledge('inc-1');
    await m.resolve('inc-1');
    expect(sink.alerts.map((a) => a.kind)).toEqual(['opened', 'acknowledged', 'resolved']);
    expect(sink.alerts[0]).toMatchObject({
      incident_id: 'inc-1',
      severity: 'SEV-1',
      status: 'OPEN',
      team: 'orders',
      dataset_urns: [ORDERS],
      link: 'https://console.example/incidents/inc-1',
    });
    expect((await stored(h, 'inc-1')).route).toEqual({ team: 'orders', channels: ['hook'] });
  });

  it('consumes signal_factory.signals in group signal_engines.incidents and publishes incidents', async () => {
    const bus = new InMemoryEvidenceBus();
    const seen: string[] = [];
    await bus.subscribe(
      { groupId: 'test-reader', topics: ['signal_factory.incidents'] },
      async (batch) => {
        for (const m of batch) seen.push(`${m.key}:${m.headers[INCIDENT_TRANSITION_HEADER]}`);
      },
    );
    const m = h.make({ bus });
    await m.start();
    await bus.publish('signal_factory.signals', [
      { key: ORDERS, value: 'not json' },
      { key: ORDERS, value: JSON.stringify(makeSignal({ dataset_urn: ORDERS, now: T0 })) },
    ]);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['inc-1:opened']);
    expect(m.stats()).toMatchObject({ invalid: 1, opened: 1 });
    await m.close();
    await m.close();
    await expect(
      m.handleSignal(makeSignal({ dataset_urn: ORDERS, now: T0 })),
    ).rejects.toMatchObject({
      code: INCIDENT_ERROR_CODES.CLOSED,
    });
    await bus.close();
  });

  it('validates options and reports every problem with its path', () => {
    try {
      new IncidentManager({
        store: {} as never,
        dedupWindowMs: -1,
        lineageDepth: 9,
        severityTable: { DQ: ['SEV-4'] as never },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: INCIDENT_ERROR_CODES.OPTIONS_INVALID });
      const paths = (error as { details: { problems: { path: string }[] } }).details.problems.map(
        (p) => p.path,
      );
      expect(paths).toEqual(['store', 'dedupWindowMs', 'lineageDepth', 'severityTable.DQ']);
    }
  });

  it('keeps working when graph, bus, datasetInfo and hooks fail', async () => {
    const broken = {
      ...h.bus,
      ensureTopic: async () => undefined,
      publish: async () => {
        throw new Error('broker down');
      },
    } as unknown as EvidenceBus;
    const m = h.make({
      bus: broken,
      lineage: {
        ingestor: {
          recordSignal: async () => {
            throw new Error('graph down');
          },
        } as never,
      },
      datasetInfo: () => {
        throw new Error('registry down');
      },
      onChange: () => {
        throw new Error('hook bug');
      },
    });
    const result = await m.handleSignal(makeSignal({ dataset_urn: ORDERS, now: T0 }));
    expect(result.action).toBe('opened');
    expect((await stored(h, 'inc-1')).severity).toBe('SEV-2'); // default tier 2
    expect(m.stats()).toMatchObject({ publishFailures: 1, graphFailures: 1, lookupFailures: 1 });
  });
});

describe('incidentDatasetInfoFrom', () => {
  it('maps the runtime catalog to tier, team and producer', async () => {
    const catalog = createDatasetCatalog({
      datasets: [{ urn: ORDERS, tier: 1, owner: 'orders-team', producerService: 'orders-svc' }],
    });
    const info = incidentDatasetInfoFrom(catalog);
    expect(await info(ORDERS)).toEqual({
      tier: 1,
      team: 'orders-team',
      producerService: 'orders-svc',
    });
    expect(await info(OTHER)).toEqual({ tier: 3 });
  });
});

describe('wiring', () => {
  it('plugs into the runtime as a SignalSink', async () => {
    const h = harness();
    const sink: SignalSink = h.manager.signalSink;
    await sink(makeSignal({ dataset_urn: ORDERS, now: T0 }));
    expect((await stored(h, 'inc-1')).status).toBe('OPEN');
  });

  it('tracks members of a just-resolved incident, so a reopened one can still auto-resolve', async () => {
    const h = harness({ autoResolveAfterMs: 60_000 });
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 }),
    );
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: REVENUE, failure_signature_ids: [SIG_A], now: T0 }),
    );
    await h.manager.resolve('inc-1');
    h.clock.advance(10_000);
    // REVENUE recovers while the incident is resolved; ORDERS re-fires and reopens it.
    expect(
      await h.manager.handleSignal(
        makeSignal({ dataset_urn: REVENUE, state: 'OK', now: h.clock.now() }),
      ),
    ).toEqual({ action: 'recovered', incident_id: 'inc-1' });
    const reopen = await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: h.clock.now() }),
    );
    expect(reopen.action).toBe('reopened');
    await h.manager.handleSignal(
      makeSignal({ dataset_urn: ORDERS, state: 'OK', now: h.clock.now() }),
    );
    h.clock.advance(60_000);
    expect(await h.manager.tick()).toEqual({ autoResolved: ['inc-1'] });
  });

  it('a claim whose incident never got written blocks its key for 30 s, then is taken over', async () => {
    const h = harness();
    await h.store.put(
      'IncidentIndex',
      { pk: `cause#failure_signature:${SIG_A}`, sk: 'claim' },
      { incident_id: 'inc-ghost', claimed_at: T0 },
    );
    const signal = makeSignal({ dataset_urn: ORDERS, failure_signature_ids: [SIG_A], now: T0 });
    await expect(h.manager.handleSignal(signal)).rejects.toMatchObject({
      code: INCIDENT_ERROR_CODES.CONFLICT,
      retriable: true,
    });
    // Nothing was written under the phantom incident.
    expect(await h.store.query('IncidentIndex', 'incident#inc-ghost')).toEqual([]);
    h.clock.advance(30_000);
    expect(await h.manager.handleSignal(signal)).toEqual({
      action: 'opened',
      incident_id: 'inc-1',
    });
    const claim = await h.store.get('IncidentIndex', {
      pk: `cause#failure_signature:${SIG_A}`,
      sk: 'claim',
    });
    expect(claim?.data.incident_id).toBe('inc-1');
  });
});
