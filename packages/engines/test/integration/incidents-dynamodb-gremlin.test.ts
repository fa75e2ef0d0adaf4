import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Incident } from '@signal-factory/core';
import { checkIncident } from '@signal-factory/core';
import { createTestClock, randomRunId, waitFor } from '@signal-factory/core/testing';
import { DynamoDbStateStore } from '@signal-factory/dynamodb';
import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { createLineageGraph, GremlinGraphStore, type LineageGraph } from '@signal-factory/lineage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AlertRouter } from '../../src/alerting/alert-router';
import type { Alert } from '../../src/alerting/types';
import { WebhookAlertSink } from '../../src/alerting/webhook-alert-sink';
import { makeSignal } from '../../src/incidents/fixtures.test-data';
import { IncidentManager } from '../../src/incidents/incident-manager';

const endpoint = inject('dynamoEndpoint');
const brokers = inject('kafkaBrokers');
const gremlinUrl = inject('gremlinUrl');
const run = randomRunId();
const T0 = Date.parse('2026-11-25T10:05:00Z');
// Unique names: the servers are shared with other suites (no graph clearing here).
const ORDERS = `urn:dp:it${run}:orders`;
const PAYMENTS = `urn:dp:it${run}:payments`;
const REVENUE = `urn:dp:it${run}:revenue`;
const SIG = `sha256:${run.repeat(8)}`;
const SERVICE = `orders-svc-${run}`;

describe('IncidentManager on dynalite and Gremlin Server', () => {
  const clock = createTestClock(T0);
  const stores: DynamoDbStateStore[] = [];
  let graph: LineageGraph;
  let gremlin: GremlinGraphStore;
  let server: Server;
  const alerts: Alert[] = [];
  let router: AlertRouter;
  let a: IncidentManager;
  let b: IncidentManager;

  const dynamo = (): DynamoDbStateStore => {
    const store = new DynamoDbStateStore({
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      tablePrefix: `sf-inc-${run}-`,
      autoCreateTables: true,
      clock: clock.now,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    const first = dynamo();
    await first.ensureTables(['IncidentIndex']);
    gremlin = new GremlinGraphStore({ url: gremlinUrl });
    graph = createLineageGraph({ store: gremlin });
    await graph.ingestor.ingestDeployment({
      service: SERVICE,
      version: '3.17',
      time: new Date(T0 - 900_000).toISOString(),
    });
    await graph.ingestor.recordFailureSignature({
      hash: SIG,
      datasetUrn: ORDERS,
      reasonCodes: ['MISSING_FIELD:customer_id'],
      failedGates: ['G4'],
      introducedBy: { service: SERVICE, version: '3.17' },
    });
    await graph.ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: `it${run}`, name: 'revenue-rollup' } },
      inputs: [{ dataset: ORDERS }],
      outputs: [{ dataset: REVENUE }],
      confidence: 'HIGH',
    });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as Alert);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    router = new AlertRouter({
      sinks: [new WebhookAlertSink({ name: 'hook', url })],
      defaultRoute: { sinks: ['hook'] },
      now: clock.now,
      dedupStore: { store: first },
    });
    const info = (urn: string) =>
      urn === ORDERS || urn === PAYMENTS
        ? { tier: 1 as const, team: 'orders', producerService: SERVICE }
        : { tier: 3 as const, team: 'finance' };
    const options = {
      lineage: graph,
      now: clock.now,
      datasetInfo: info,
      alerts: router,
      autoResolveAfterMs: 600_000,
      tickIntervalMs: 0,
    };
    a = new IncidentManager({ ...options, store: first });
    b = new IncidentManager({ ...options, store: dynamo() });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await router?.close();
    await Promise.all(stores.map((s) => s.close()));
    await gremlin?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  let incidentId = '';

  it('two instances racing on one failure signature open one incident, stored per the protocol', async () => {
    const signals = [
      makeSignal({
        dataset_urn: ORDERS,
        failure_signature_ids: [SIG],
        producer: { service: SERVICE },
        now: T0,
      }),
      makeSignal({ dataset_urn: PAYMENTS, failure_signature_ids: [SIG], now: T0 }),
      makeSignal({ dataset_urn: REVENUE, signal_type: 'FRESHNESS', now: T0 }),
    ];
    const results = await Promise.all([a.handleSignal(signals[0]), b.handleSignal(signals[1])]);
    expect(results.filter((r) => r.action === 'opened')).toHaveLength(1);
    // The stall of a dataset downstream of ORDERS joins through lineage (upstream-dataset rule).
    const downstream = await b.handleSignal(signals[2]);
    expect(downstream.joined_by).toBe('upstream_dataset');
    results.push(downstream);
    const ids = new Set(results.map((r) => r.incident_id));
    expect(ids.size).toBe(1);
    incidentId = [...ids][0] as string;

    // Read back exactly as the copilot does.
    const reader = dynamo();
    const listing = await reader.query('IncidentIndex', 'incidents', { descending: true });
    expect(listing.map((i) => i.data.incident_id)).toEqual([incidentId]);
    const item = await reader.get('IncidentIndex', {
      pk: `incident#${incidentId}`,
      sk: 'incident',
    });
    const incident = item?.data as unknown as Incident;
    expect(checkIncident(incident).valid).toBe(true);
    expect(incident.status).toBe('OPEN');
    expect(incident.severity).toBe('SEV-1');
    expect(incident.probable_cause).toEqual({ kind: 'failure_signature', ref: SIG });
    expect([...incident.dataset_urns].sort()).toEqual([ORDERS, PAYMENTS, REVENUE].sort());
    expect(incident.signal_ids).toHaveLength(3);
    const perDataset = await reader.query('IncidentIndex', REVENUE, { skPrefix: 'incident#' });
    expect(perDataset.map((i) => i.data)).toEqual([{ incident_id: incidentId, status: 'OPEN' }]);
  });

  it('writes Incident ← TRIGGERED ← Signal ← CAUSED ← FailureSignature ← INTRODUCED ← Deployment to Gremlin', async () => {
    const path = await graph.queries.causalPath(incidentId);
    expect(path.found).toBe(true);
    expect(path.roots.map((r) => r.deploymentId)).toEqual([`deployment:${SERVICE}:3.17`]);
    const longest = path.chains[0]?.vertices ?? [];
    expect(longest[0]).toBe(`incident:${incidentId}`);
    expect(longest).toContain(`failure-signature:${SIG}`);
    expect(longest).toContain(`deployment:${SERVICE}:3.17`);
    const triggered = await gremlin.edges(`incident:${incidentId}`, {
      direction: 'in',
      labels: ['TRIGGERED'],
    });
    expect(triggered).toHaveLength(3);
  });

  it('acknowledges on one instance, rejects a stale move on the other, auto-resolves, and alerts once per transition', async () => {
    const acked = await a.acknowledge(incidentId);
    expect(acked.status).toBe('ACKNOWLEDGED');
    await expect(b.acknowledge(incidentId)).rejects.toMatchObject({
      code: 'SF_ERR_INCIDENT_TRANSITION_INVALID',
    });
    clock.advance(60_000);
    for (const urn of [ORDERS, PAYMENTS]) {
      await a.handleSignal(makeSignal({ dataset_urn: urn, state: 'OK', now: clock.now() }));
    }
    await b.handleSignal(
      makeSignal({ dataset_urn: REVENUE, signal_type: 'FRESHNESS', state: 'OK', now: clock.now() }),
    );
    clock.advance(600_000);
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect([...ra.autoResolved, ...rb.autoResolved]).toEqual([incidentId]);
    const stored = await b.get(incidentId);
    expect(stored?.status).toBe('RESOLVED');
    expect((await gremlin.getVertex(`incident:${incidentId}`))?.properties.status).toBe('RESOLVED');
    const kinds = alerts.filter((x) => x.incident_id === incidentId).map((x) => x.kind);
    expect(kinds).toEqual(['opened', 'acknowledged', 'resolved']);
    expect(alerts[0]).toMatchObject({ team: 'orders', severity: 'SEV-1' });
  });

  it('consumes signals from Kafka (group signal_engines.incidents) and publishes incidents to Kafka', async () => {
    const bus = new KafkaEvidenceBus({
      brokers: [brokers],
      clientId: `sf-incidents-it-${run}`,
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 },
    });
    const topics = {
      signalsTopic: `it-${run}.signals`,
      incidentsTopic: `it-${run}.incidents`,
      groupId: `it-${run}.incidents`,
    };
    const manager = new IncidentManager({
      ...topics,
      store: dynamo(),
      bus,
      now: clock.now,
      tickIntervalMs: 0,
    });
    const seen: { key: string; transition?: string; incident: Incident }[] = [];
    try {
      await manager.start();
      const reader = await bus.subscribe(
        { groupId: `it-${run}.reader`, topics: [topics.incidentsTopic] },
        async (batch) => {
          for (const m of batch)
            seen.push({
              key: m.key,
              transition: m.headers['x-sf-incident-transition'],
              incident: JSON.parse(m.value) as Incident,
            });
        },
      );
      const urn = `urn:dp:it${run}:kafka`;
      const signal = makeSignal({ dataset_urn: urn, now: clock.now() });
      await bus.publish(topics.signalsTopic, [
        { key: urn, value: '{ not json' },
        { key: urn, value: JSON.stringify(signal) },
        { key: urn, value: JSON.stringify(signal) }, // redelivery: no second change
      ]);
      // `signals` counts on arrival; `duplicates` only once the third record is fully handled.
      await waitFor(() => seen.length >= 1 && manager.stats().duplicates >= 1, {
        timeoutMs: 60_000,
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.transition).toBe('opened');
      expect(seen[0]?.incident.signal_ids).toEqual([signal.signal_id]);
      expect(seen[0]?.key).toBe(seen[0]?.incident.incident_id);
      expect(manager.stats()).toMatchObject({ invalid: 1, opened: 1, duplicates: 1 });
      await reader.close();
    } finally {
      await manager.close();
      await bus.close();
    }
  });
});
