// Copilot RCA latency (issue 8): deterministic `rca(incidentId)` on the embedded graph with 10,000
// datasets and 1,000 open incidents (target p99 < 100 ms), and on Gremlin Server when SF_GREMLIN_URL
// is set (target p99 < 1 s). Every RCA is cold (report cache off) unless said otherwise.
// Baseline (same run, same graph): a plain LineageQueries.blastRadius of the incident's dataset —
// one of the several graph questions an RCA asks.
// Runs against dist/ (bench/run.mjs builds first; or: cd packages/copilot && npx tsup).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fmt, median, percentile } from './stats.mjs';

const started = Date.now();
const { InMemoryGraphStore, InMemoryStateStore, failureSignatureId } =
  await import('@signal-factory/core');
const { createLineageGraph, GremlinGraphStore } = await import('@signal-factory/lineage');
const { createCopilot } = await import('@signal-factory/copilot');

const T0 = Date.parse('2026-01-15T09:00:00Z');
const iso = (ms) => new Date(ms).toISOString();
const NOW = T0 + 3 * 3_600_000;

/**
 * Seeds a layered landscape: `datasets` in 10 layers, one job per two datasets (reads 2 in its layer,
 * writes 2 in the next, with column reads), a producing service per 10 datasets with two
 * deployments, and `incidents` incidents: 70 % contract failures after a deploy (INTRODUCED edge),
 * 15 % stalls, 15 % downstream datasets of another incident (upstream root cause).
 */
async function seed({ ingestor, state, datasets, incidents, ns }) {
  const layers = 10;
  const per = datasets / layers;
  const urn = (i) => `urn:dp:b${ns}l${Math.floor(i / per)}:ds-${i}`;
  const service = (i) => `svc${ns}-${Math.floor(i / 10)}`;
  for (let i = 0; i < datasets; i++) {
    await ingestor.registerDataset({ urn: urn(i), tier: 1 + (i % 3), producer: service(i) });
  }
  for (let j = 0; j < datasets / 2; j++) {
    const layer = j % (layers - 1);
    const a = layer * per + ((j * 7) % per);
    const b = layer * per + ((j * 13 + 1) % per);
    const c = (layer + 1) * per + ((j * 7) % per);
    const d = (layer + 1) * per + ((j * 11 + 3) % per);
    await ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: 'bench', name: `job${ns}-${j}` } },
      owner: `team-${j % 20}`,
      tier: 1 + (j % 3),
      inputs: [
        { dataset: urn(a), columns: ['customer_id', 'amount'] },
        { dataset: urn(b), columns: ['amount'] },
      ],
      outputs: [{ dataset: urn(c) }, { dataset: urn(d) }],
      confidence: j % 5 === 0 ? 'MEDIUM' : 'HIGH',
    });
  }
  const ids = [];
  const putSignal = async (s) => {
    await state.put(
      'SignalState',
      { pk: `signals#${s.dataset_urn}`, sk: `${s.emitted_at}#${s.signal_id}` },
      s,
    );
    await state.put('SignalState', { pk: `current#${s.dataset_urn}`, sk: s.signal_type }, s);
  };
  const putIncident = async (inc) => {
    await state.put('IncidentIndex', { pk: `incident#${inc.incident_id}`, sk: 'incident' }, inc);
    await state.put(
      'IncidentIndex',
      { pk: 'incidents', sk: `${inc.opened_at}#${inc.incident_id}` },
      {
        incident_id: inc.incident_id,
        status: inc.status,
        severity: inc.severity,
        dataset_urns: inc.dataset_urns,
      },
    );
    for (const u of inc.dataset_urns) {
      await state.put(
        'IncidentIndex',
        { pk: u, sk: `incident#${inc.opened_at}#${inc.incident_id}` },
        { incident_id: inc.incident_id, status: inc.status },
      );
    }
  };
  const base = (id, u, type, extra) => ({
    schema_version: 'signal/v1',
    signal_id: id,
    dataset_urn: u,
    signal_type: type,
    state: 'CRITICAL',
    metrics: {},
    failure_signature_ids: [],
    reason: `${type} CRITICAL`,
    engine: 'bench@0',
    defaults_applied: [],
    ...extra,
  });
  const contract = Math.floor(incidents * 0.7);
  const stalls = Math.floor(incidents * 0.15);
  for (let n = 0; n < incidents; n++) {
    // Spread incidents over layer 0..8 datasets (downstream ones need an upstream with an incident).
    const kind = n < contract ? 'contract' : n < contract + stalls ? 'stall' : 'downstream';
    const i = kind === 'downstream' ? per + ((n * 37) % per) : (n * 9) % (per * 8);
    const u = urn(i);
    const svc = service(i);
    const deployAt = T0 + 58 * 60_000 + (n % 60) * 1000;
    if (kind !== 'downstream') {
      await ingestor.ingestDeployment({
        service: svc,
        version: '1.0',
        commit: 'aaaaaaa',
        time: iso(T0),
      });
      await ingestor.ingestDeployment({
        service: svc,
        version: '2.0',
        commit: 'bbbbbbb',
        time: iso(deployAt),
      });
    }
    const sigId = `sig${ns}-${n}`;
    const opened = iso(deployAt + 5 * 60_000);
    if (kind === 'contract') {
      const codes = [`MISSING_FIELD:customer_id`];
      const hash = failureSignatureId({ datasetUrn: u, failedGates: ['G4'], reasonCodes: codes });
      await ingestor.recordFailureSignature({
        hash,
        datasetUrn: u,
        reasonCodes: codes,
        failedGates: ['G4'],
        firstSeen: deployAt + 2000,
        introducedBy: { service: svc, version: '2.0', confidence: 'HIGH' },
      });
      await putSignal(
        base(sigId, u, 'CONTRACT', {
          failure_signature_ids: [hash],
          producer: { service: svc, version: '2.0' },
          first_bad: { time: iso(deployAt + 2000), topic: 't', partition: 0, offset: '100' },
          last_good: { time: iso(deployAt - 1000), topic: 't', partition: 0, offset: '99' },
          emitted_at: opened,
        }),
      );
      await ingestor.recordSignal({
        id: sigId,
        type: 'CONTRACT',
        state: 'CRITICAL',
        datasetUrn: u,
        causedBy: [hash],
      });
    } else if (kind === 'stall') {
      await putSignal(
        base(sigId, u, 'FRESHNESS', {
          metrics: { age_seconds: 1200 },
          last_good: { time: iso(T0 + 20 * 60_000) },
          emitted_at: opened,
        }),
      );
      await ingestor.recordSignal({
        id: sigId,
        type: 'FRESHNESS',
        state: 'CRITICAL',
        datasetUrn: u,
      });
    } else {
      await putSignal(
        base(sigId, u, 'VOLUME', {
          metrics: { record_count: 10 },
          first_bad: { time: opened },
          emitted_at: opened,
        }),
      );
      await ingestor.recordSignal({ id: sigId, type: 'VOLUME', state: 'CRITICAL', datasetUrn: u });
    }
    const incidentId = `inc${ns}-${n}`;
    await putIncident({
      schema_version: 'incident/v1',
      incident_id: incidentId,
      status: 'OPEN',
      severity: 'SEV-2',
      title: `bench ${n}`,
      dataset_urns: [u],
      signal_ids: [sigId],
      probable_cause: { kind: 'unknown' },
      opened_at: opened,
      updated_at: opened,
    });
    await ingestor.recordIncident({ id: incidentId, signals: [sigId] });
    ids.push({ incidentId, urn: u, kind });
  }
  return ids;
}

async function measure(label, copilot, queries, incidents, { samples, warmup }) {
  const order = incidents.slice(0, samples);
  for (const inc of order.slice(0, warmup)) {
    await copilot.rca(inc.incidentId);
    await queries.blastRadius({ dataset: inc.urn });
  }
  copilot.invalidate();
  const rca = [];
  const baseline = [];
  const kinds = {};
  for (const inc of order) {
    let t = performance.now();
    const report = await copilot.rca(inc.incidentId);
    rca.push(performance.now() - t);
    kinds[report.root_cause.kind] = (kinds[report.root_cause.kind] ?? 0) + 1;
    t = performance.now();
    await queries.blastRadius({ dataset: inc.urn });
    baseline.push(performance.now() - t);
  }
  const r50 = median(rca);
  const r99 = percentile(rca, 99);
  const b50 = median(baseline);
  const b99 = percentile(baseline, 99);
  console.log(
    `${label}: rca p50 ${fmt(r50, 2)} ms, p99 ${fmt(r99, 2)} ms (n=${rca.length}); ` +
      `baseline blastRadius p50 ${fmt(b50, 2)} ms, p99 ${fmt(b99, 2)} ms; ratio rca/baseline p50 ${fmt(r50 / b50, 1)}x`,
  );
  console.log(`${label}: root causes ${JSON.stringify(kinds)}`);
  return { r50, r99 };
}

// --- embedded ---------------------------------------------------------------------------------
{
  const graph = createLineageGraph({ store: new InMemoryGraphStore() });
  const state = new InMemoryStateStore();
  const t = Date.now();
  const incidents = await seed({
    ingestor: graph.ingestor,
    state,
    datasets: 10_000,
    incidents: 1_000,
    ns: '',
  });
  console.log(
    `embedded: seeded 10,000 datasets, 5,000 jobs, 1,000 open incidents in ${fmt((Date.now() - t) / 1000, 1)} s`,
  );
  const copilot = createCopilot({ graph, state, clock: () => NOW, cacheTtlMs: 0 });
  const { r99 } = await measure('embedded (cold)', copilot, graph.queries, incidents, {
    samples: 1_000,
    warmup: 100,
  });
  console.log(`embedded: target p99 < 100 ms: ${r99 < 100 ? 'met' : 'MISSED'}`);
  const cached = createCopilot({ graph, state, clock: () => NOW });
  for (const inc of incidents.slice(0, 200)) await cached.rca(inc.incidentId);
  const hits = [];
  for (const inc of incidents.slice(0, 200)) {
    const s = performance.now();
    await cached.rca(inc.incidentId);
    hits.push(performance.now() - s);
  }
  console.log(
    `embedded (cached): rca p50 ${fmt(median(hits), 3)} ms, p99 ${fmt(percentile(hits, 99), 3)} ms`,
  );
}

// --- Gremlin Server ---------------------------------------------------------------------------
const gremlinUrl = process.env.SF_GREMLIN_URL;
if (gremlinUrl === undefined || gremlinUrl === '') {
  console.log('gremlin: skipped: no SF_GREMLIN_URL');
} else {
  const store = new GremlinGraphStore({ url: gremlinUrl });
  try {
    const graph = createLineageGraph({ store });
    const state = new InMemoryStateStore();
    const ns = `g${randomUUID().slice(0, 6)}`;
    const t = Date.now();
    const incidents = await seed({
      ingestor: graph.ingestor,
      state,
      datasets: 200,
      incidents: 40,
      ns,
    });
    console.log(
      `gremlin: seeded 200 datasets, 100 jobs, 40 incidents in ${fmt((Date.now() - t) / 1000, 1)} s (state in memory)`,
    );
    const copilot = createCopilot({ graph, state, clock: () => NOW, cacheTtlMs: 0 });
    const { r99 } = await measure('gremlin (cold)', copilot, graph.queries, incidents, {
      samples: 40,
      warmup: 5,
    });
    console.log(`gremlin: target p99 < 1000 ms: ${r99 < 1000 ? 'met' : 'MISSED'}`);
  } catch (error) {
    console.log(`gremlin: skipped: ${String(error?.message ?? error).split('\n')[0]}`);
  } finally {
    await store.close();
  }
}
console.log(`total ${fmt((Date.now() - started) / 1000, 1)} s`);
