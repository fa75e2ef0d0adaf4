// Test fixtures (not exported from the package): write signals, incidents and graph records exactly
// as docs/protocols/signals-and-incidents.md says engines do, so tests read them like production.
import type { Incident, Signal, StateStore } from '@signal-factory/core';
import { failureSignatureId } from '@signal-factory/core';
import type { LineageGraph } from '@signal-factory/lineage';

export const T0 = Date.parse('2026-01-15T09:00:00Z');
export const at = (offset: string): string => {
  const m = /^\+(\d+)m(?:(\d+)s)?$/.exec(offset);
  if (m === null) throw new Error(`bad offset ${offset}`);
  return new Date(T0 + Number(m[1]) * 60_000 + Number(m[2] ?? 0) * 1000).toISOString();
};

/** Writes a Signal v1 to its history and current rows (the protocol's SignalState rows). */
export async function putSignal(state: StateStore, signal: Signal): Promise<void> {
  const data = signal as unknown as Record<string, never>;
  await state.put(
    'SignalState',
    { pk: `signals#${signal.dataset_urn}`, sk: `${signal.emitted_at}#${signal.signal_id}` },
    data,
  );
  await state.put(
    'SignalState',
    { pk: `current#${signal.dataset_urn}`, sk: signal.signal_type },
    data,
  );
}

/** Writes an Incident v1 with its listing and per-dataset rows (the protocol's IncidentIndex rows). */
export async function putIncident(state: StateStore, incident: Incident): Promise<void> {
  await state.put(
    'IncidentIndex',
    { pk: `incident#${incident.incident_id}`, sk: 'incident' },
    incident as unknown as Record<string, never>,
  );
  await state.put(
    'IncidentIndex',
    { pk: 'incidents', sk: `${incident.opened_at}#${incident.incident_id}` },
    {
      incident_id: incident.incident_id,
      status: incident.status,
      severity: incident.severity,
      dataset_urns: incident.dataset_urns,
    },
  );
  for (const urn of incident.dataset_urns) {
    await state.put(
      'IncidentIndex',
      { pk: urn, sk: `incident#${incident.opened_at}#${incident.incident_id}` },
      { incident_id: incident.incident_id, status: incident.status },
    );
  }
}

export function signal(
  partial: Partial<Signal> &
    Pick<Signal, 'signal_id' | 'dataset_urn' | 'signal_type' | 'state' | 'emitted_at'>,
): Signal {
  return {
    schema_version: 'signal/v1',
    metrics: {},
    failure_signature_ids: [],
    reason: `${partial.signal_type} ${partial.state}`,
    engine: `${partial.signal_type.toLowerCase()}@0.1.0`,
    defaults_applied: [],
    ...partial,
  };
}

export function incident(
  partial: Partial<Incident> &
    Pick<Incident, 'incident_id' | 'dataset_urns' | 'signal_ids' | 'opened_at'>,
): Incident {
  return {
    schema_version: 'incident/v1',
    status: 'OPEN',
    severity: 'SEV-1',
    title: `incident ${partial.incident_id}`,
    probable_cause: { kind: 'unknown' },
    updated_at: partial.opened_at,
    ...partial,
  };
}

export interface SteelThreadOptions {
  /** Appended to every name so several copies can share one graph/state. */
  ns?: string;
  /** Write the INTRODUCED edge (default true). */
  introduced?: boolean;
  /** INTRODUCED edge confidence (default HIGH). */
  introducedConfidence?: 'HIGH' | 'MEDIUM' | 'LOW';
  /** Deploy time of 3.17 (default +58m). */
  deployAt?: string;
  /** Ingest the 3.16 deployment at start (default true). */
  previousDeployment?: boolean;
  /** Producer version stamped on the failing records (default '3.17'; null: none). */
  recordVersion?: string | null;
}

export interface SteelThread {
  ns: string;
  orders: string;
  revenue: string;
  service: string;
  financeJob: string;
  analyticsJob: string;
  incidentId: string;
  signalId: string;
  fsHash: string;
}

/** The steel thread: orders-svc 3.17 drops customer_id; finance-pipeline and analytics-dashboard read it. */
export async function seedSteelThread(
  graph: LineageGraph,
  state: StateStore,
  options: SteelThreadOptions = {},
): Promise<SteelThread> {
  const { ingestor } = graph;
  const ns = options.ns ?? '';
  const orders = `urn:dp:orders${ns}:created`;
  const revenue = `urn:dp:finance${ns}:revenue-daily`;
  const service = `orders-svc${ns}`;
  const financeJob = `finance-pipeline${ns}`;
  const analyticsJob = `analytics-dashboard${ns}`;
  const incidentId = `inc${ns}-steel`;
  const signalId = `sig${ns}-contract-1`;
  await ingestor.registerDataset({
    urn: orders,
    topic: 'raw.orders.events',
    tier: 1,
    producer: service,
    owner: 'orders-team',
  });
  await ingestor.ingestLineageSpec({
    kind: 'LineageSpec',
    producer: { job: { namespace: 'scenario', name: financeJob } },
    owner: 'finance-team',
    tier: 1,
    inputs: [{ dataset: orders, columns: ['customer_id', 'amount', 'currency'] }],
    outputs: [{ dataset: revenue }],
    confidence: 'HIGH',
  });
  await ingestor.ingestLineageSpec({
    kind: 'LineageSpec',
    producer: { job: { namespace: 'scenario', name: analyticsJob } },
    owner: 'analytics-team',
    tier: 2,
    inputs: [{ dataset: orders, columns: ['amount', 'created_at'] }],
    confidence: 'HIGH',
  });
  if (options.previousDeployment !== false) {
    await ingestor.ingestDeployment({
      service,
      version: '3.16',
      commit: '1a2b3c4',
      time: at('+0m'),
    });
  }
  await ingestor.ingestDeployment({
    service,
    version: '3.17',
    commit: '9f31c2d',
    time: options.deployAt ?? at('+58m'),
  });
  const reasonCodes = ['MISSING_FIELD:customer_id'];
  const fsHash = failureSignatureId({ datasetUrn: orders, failedGates: ['G4'], reasonCodes });
  await ingestor.recordFailureSignature({
    hash: fsHash,
    datasetUrn: orders,
    reasonCodes,
    failedGates: ['G4'],
    firstSeen: Date.parse(at('+58m2s')),
    ...(options.introduced === false
      ? {}
      : {
          introducedBy: {
            service,
            version: '3.17',
            confidence: options.introducedConfidence ?? 'HIGH',
          },
        }),
  });
  // Engines keep the cumulative weighted count on the vertex (LineageSignatureWriter).
  await graph.store.upsertVertex({
    id: `failure-signature:${fsHash}`,
    label: 'FailureSignature',
    properties: { count: 505, lastSeen: Date.parse(at('+60m')) },
  });
  const recordVersion = options.recordVersion === undefined ? '3.17' : options.recordVersion;
  const sig = signal({
    signal_id: signalId,
    dataset_urn: orders,
    signal_type: 'CONTRACT',
    state: 'CRITICAL',
    previous_state: 'OK',
    window: { start: at('+55m'), end: at('+60m') },
    metrics: {
      records: 1250,
      records_failed: 505,
      compliance: 0.596,
      top_reason_code: 'MISSING_FIELD:customer_id',
    },
    expected: { min: 0.95, unit: 'ratio' },
    first_bad: {
      time: at('+58m2s'),
      evidence_id: 'ev_0123456789abcdef0123456789abcdef',
      topic: 'raw.orders.events',
      partition: 3,
      offset: '48213',
    },
    last_good: {
      time: at('+57m59s'),
      evidence_id: 'ev_fedcba9876543210fedcba9876543210',
      topic: 'raw.orders.events',
      partition: 1,
      offset: '48190',
    },
    failure_signature_ids: [fsHash],
    ...(recordVersion === null ? {} : { producer: { service, version: recordVersion } }),
    reason: 'Compliance 59.6 % is below 95 %: MISSING_FIELD:customer_id.',
    emitted_at: at('+61m'),
  });
  await putSignal(state, sig);
  await ingestor.recordSignal({
    id: signalId,
    type: 'CONTRACT',
    state: 'CRITICAL',
    datasetUrn: orders,
    windowStart: Date.parse(at('+55m')),
    causedBy: [fsHash],
  });
  const inc = incident({
    incident_id: incidentId,
    dataset_urns: [orders],
    signal_ids: [signalId],
    opened_at: at('+61m1s'),
    title: `${orders} contract violations`,
    probable_cause: { kind: 'failure_signature', ref: fsHash },
  });
  await putIncident(state, inc);
  await ingestor.recordIncident({
    id: incidentId,
    severity: 'SEV-1',
    status: 'OPEN',
    openedAt: Date.parse(inc.opened_at),
    signals: [signalId],
  });
  return { ns, orders, revenue, service, financeJob, analyticsJob, incidentId, signalId, fsHash };
}

/** A stall: orders stop at +20m; FRESHNESS CRITICAL; deployments only at start. */
export async function seedStall(
  graph: LineageGraph,
  state: StateStore,
  options: { ns?: string; deployAt?: string } = {},
): Promise<{ incidentId: string; orders: string; service: string }> {
  const { ingestor } = graph;
  const ns = options.ns ?? '';
  const orders = `urn:dp:orders${ns}:created`;
  const service = `orders-svc${ns}`;
  await ingestor.registerDataset({ urn: orders, tier: 1, producer: service });
  await ingestor.ingestLineageSpec({
    kind: 'LineageSpec',
    producer: { job: { namespace: 'scenario', name: `finance-pipeline${ns}` } },
    tier: 1,
    inputs: [{ dataset: orders, columns: ['customer_id', 'amount'] }],
    outputs: [{ dataset: `urn:dp:finance${ns}:revenue-daily` }],
    confidence: 'HIGH',
  });
  await ingestor.ingestDeployment({
    service,
    version: '3.16',
    commit: '1a2b3c4',
    time: options.deployAt ?? at('+0m'),
  });
  const sig = signal({
    signal_id: `sig${ns}-fresh-1`,
    dataset_urn: orders,
    signal_type: 'FRESHNESS',
    state: 'CRITICAL',
    window: { start: at('+35m'), end: at('+40m') },
    metrics: { age_seconds: 960, max_delay_seconds: 900 },
    last_good: { time: at('+20m0s'), topic: 'raw.orders.events', partition: 0, offset: '5120' },
    reason: 'No records for 16 min (max 15 min).',
    emitted_at: at('+36m'),
  });
  await putSignal(state, sig);
  await ingestor.recordSignal({
    id: sig.signal_id,
    type: 'FRESHNESS',
    state: 'CRITICAL',
    datasetUrn: orders,
  });
  const incidentId = `inc${ns}-stall`;
  const inc = incident({
    incident_id: incidentId,
    dataset_urns: [orders],
    signal_ids: [sig.signal_id],
    opened_at: at('+36m1s'),
    probable_cause: { kind: 'stall' },
  });
  await putIncident(state, inc);
  await ingestor.recordIncident({ id: incidentId, signals: [sig.signal_id] });
  return { incidentId, orders, service };
}
