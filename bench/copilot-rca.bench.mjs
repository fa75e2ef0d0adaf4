// Copilot RCA latency (issue 8): deterministic `rca(incidentId)` with 10,000 datasets, 5,000 jobs and
// 1,000 open incidents, on the embedded graph (target p99 < 100 ms) and on Gremlin Server (target
// p99 < 1 s). Every timed RCA is cold: the report cache is off (`cacheTtlMs: 0`, which also makes an
// upstream incident's RCA be recomputed inside a downstream one); one line measures cache hits.
// Baseline (same run, same graph, interleaved with the RCAs): a plain LineageQueries.blastRadius of
// the incident's dataset — one of the several graph questions an RCA asks.
// Gremlin: the embedded graph, once seeded through the ingestor, is copied vertex for vertex and
// edge for edge into Gremlin Server with batched `inject(maps).unfold().mergeV()/mergeE()`
// traversals (the same ids, labels and properties GremlinGraphStore writes), under a per-run id
// namespace, then dropped by id at the end. Server: SF_GREMLIN_URL, else one started through the test
// harness (test/harness/gremlin.ts via tsx); if neither works the Gremlin part prints "skipped".
// Runs against dist/ (bench/run.mjs builds first; or: cd packages/copilot && npx tsup).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fmt, median, percentile } from './stats.mjs';

const started = Date.now();
const { InMemoryGraphStore, InMemoryStateStore, failureSignatureId } =
  await import('@signal-factory/core');
const { createLineageGraph, GremlinGraphStore, VERTEX_LABELS } =
  await import('@signal-factory/lineage');
const { createCopilot } = await import('@signal-factory/copilot');

const DATASETS = 10_000;
const INCIDENTS = 1_000;
const GREMLIN_SAMPLES = 500; // timed RCAs on Gremlin (fewer if GREMLIN_TIME_BUDGET_MS runs out)
const GREMLIN_TIME_BUDGET_MS = 25_000;
const BATCH = 1_000; // vertices / edges per mergeV / mergeE traversal

const T0 = Date.parse('2026-01-15T09:00:00Z');
const iso = (ms) => new Date(ms).toISOString();
const NOW = T0 + 3 * 3_600_000;
// One id namespace per run (dataset URNs, services, jobs, owners, signals, incidents): the shared
// Gremlin Server may hold other people's vertices.
const NS = `x${randomUUID().replaceAll('-', '').slice(0, 8)}`;

/** Deterministic shuffle (mulberry32), so any prefix of the timed order mixes every incident kind. */
function shuffled(items, seed) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

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
      owner: `team${ns}-${j % 20}`, // per run: no Owner vertex shared with other runs
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

/**
 * Times `rca()` (cold) and, right after each, the baseline blast radius of the same dataset.
 * `warm` incidents are run first and not timed; `order` is timed until `budgetMs` runs out.
 */
async function measure(label, copilot, queries, { warm, order, budgetMs = Infinity }) {
  for (const inc of warm) {
    await copilot.rca(inc.incidentId);
    await queries.blastRadius({ dataset: inc.urn });
  }
  copilot.invalidate();
  const rca = [];
  const baseline = [];
  const kinds = {};
  const byId = new Map();
  const until = performance.now() + budgetMs;
  for (const inc of order) {
    if (performance.now() > until) break;
    let t = performance.now();
    const report = await copilot.rca(inc.incidentId);
    rca.push(performance.now() - t);
    kinds[report.root_cause.kind] = (kinds[report.root_cause.kind] ?? 0) + 1;
    byId.set(inc.incidentId, report.root_cause.kind);
    t = performance.now();
    await queries.blastRadius({ dataset: inc.urn });
    baseline.push(performance.now() - t);
  }
  const { cacheHits, reports } = copilot.stats();
  if (cacheHits !== 0) throw new Error(`${label}: ${cacheHits} report cache hits in a cold run`);
  const r50 = median(rca);
  const r99 = percentile(rca, 99);
  const b50 = median(baseline);
  const b99 = percentile(baseline, 99);
  console.log(
    `${label}: rca p50 ${fmt(r50, 2)} ms, p99 ${fmt(r99, 2)} ms, max ${fmt(Math.max(...rca), 2)} ms (n=${rca.length}); ` +
      `baseline blastRadius p50 ${fmt(b50, 2)} ms, p99 ${fmt(b99, 2)} ms; ratio rca/baseline p50 ${fmt(r50 / b50, 1)}x`,
  );
  console.log(
    `${label}: root causes ${JSON.stringify(kinds)}; ${reports} reports built (warm-up and upstream incidents' included), 0 cache hits`,
  );
  return { r50, r99, byId };
}

/** Every vertex and out-edge of an embedded store, through the GraphStore port only. */
async function snapshot(store) {
  const vertices = [];
  for (const label of Object.values(VERTEX_LABELS)) {
    vertices.push(...(await store.findVertices(label, {}, 10_000_000)));
  }
  const edges = [];
  for (const v of vertices) {
    edges.push(...(await store.edges(v.id, { direction: 'out', limit: 10_000_000 })));
  }
  return { vertices, edges };
}

/** Gremlin Server from SF_GREMLIN_URL, else one started through the test harness (tsx). */
async function gremlinServer() {
  const url = process.env.SF_GREMLIN_URL;
  if (url !== undefined && url !== '') return { url, stop: async () => undefined, started: false };
  const t = Date.now();
  const { register } = await import('tsx/esm/api');
  register();
  const harness = await import('../test/harness/gremlin.ts');
  const server = await harness.startGremlin({ log: () => undefined, timeoutMs: 60_000 });
  console.log(
    `gremlin: no SF_GREMLIN_URL; started the harness's Gremlin Server in ${fmt((Date.now() - t) / 1000, 1)} s`,
  );
  return { url: server.endpoint, stop: () => server.stop(), started: true };
}

/**
 * Bulk loader on the raw `gremlin` client: `BATCH` elements per traversal, each a Map with T.id,
 * T.label (and Direction.OUT / IN for edges) plus the properties, created by mergeV / mergeE.
 * Tracks what it created so `drop()` can remove exactly that.
 */
async function gremlinLoader(url) {
  const gremlinModule = await import('gremlin');
  const gremlin = gremlinModule.default ?? gremlinModule;
  const { t: T, direction } = gremlin.process;
  const connection = new gremlin.driver.DriverRemoteConnection(url);
  const g = gremlin.process.AnonymousTraversalSource.traversal().withRemote(connection);
  const created = [];
  const count = async (traversal) => Number((await traversal.next()).value);
  try {
    await count(g.V().limit(1).count()); // reachable and speaking GraphBinary bytecode?
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  const load = async (maps, step) => {
    for (let i = 0; i < maps.length; i += BATCH) {
      const part = maps.slice(i, i + BATCH);
      const n = await count(step(g.inject(part).unfold()).count());
      if (n !== part.length) throw new Error(`loaded ${n} of ${part.length} in one batch`);
    }
  };
  return {
    async vertices(vertices) {
      const maps = vertices.map(
        (v) => new Map([[T.id, v.id], [T.label, v.label], ...Object.entries(v.properties)]),
      );
      // Recorded before the load, so a partial load is dropped too.
      created.push(...vertices.map((v) => v.id));
      await load(maps, (t) => t.mergeV());
    },
    async edges(edges) {
      const maps = edges.map(
        (e) =>
          new Map([
            [T.id, e.id],
            [T.label, e.label],
            [direction.out, e.from],
            [direction.in, e.to],
            ...Object.entries(e.properties),
          ]),
      );
      await load(maps, (t) => t.mergeE());
    },
    /** Drops every vertex this loader created (their edges go with them); returns how many remain. */
    async drop() {
      const ids = [...new Set(created)];
      for (let i = 0; i < ids.length; i += 500) {
        await g
          .V(...ids.slice(i, i + 500))
          .drop()
          .iterate();
      }
      let left = 0;
      for (let i = 0; i < ids.length; i += 500) {
        left += await count(g.V(...ids.slice(i, i + 500)).count());
      }
      created.length = 0;
      return left;
    },
    close: () => connection.close().catch(() => undefined),
  };
}

// --- embedded ---------------------------------------------------------------------------------
const embeddedStore = new InMemoryGraphStore();
const state = new InMemoryStateStore();
let incidents;
let embeddedKinds;
{
  const graph = createLineageGraph({ store: embeddedStore });
  const t = Date.now();
  incidents = await seed({
    ingestor: graph.ingestor,
    state,
    datasets: DATASETS,
    incidents: INCIDENTS,
    ns: NS,
  });
  console.log(
    `embedded: seeded ${fmt(DATASETS)} datasets, ${fmt(DATASETS / 2)} jobs, ${fmt(INCIDENTS)} open incidents in ${fmt((Date.now() - t) / 1000, 1)} s`,
  );
  const copilot = createCopilot({ graph, state, clock: () => NOW, cacheTtlMs: 0 });
  const order = shuffled(incidents, 1);
  const { r99, byId } = await measure('embedded (cold)', copilot, graph.queries, {
    warm: order.slice(0, 100),
    order,
  });
  embeddedKinds = byId;
  console.log(`embedded: target p99 < 100 ms: ${r99 < 100 ? 'met' : 'MISSED'}`);
  const cached = createCopilot({ graph, state, clock: () => NOW });
  for (const inc of order.slice(0, 200)) await cached.rca(inc.incidentId);
  const hits = [];
  for (const inc of order.slice(0, 200)) {
    const s = performance.now();
    await cached.rca(inc.incidentId);
    hits.push(performance.now() - s);
  }
  console.log(
    `embedded (cached): rca p50 ${fmt(median(hits), 3)} ms, p99 ${fmt(percentile(hits, 99), 3)} ms`,
  );
}

// --- Gremlin Server ---------------------------------------------------------------------------
let server;
try {
  server = await gremlinServer();
} catch (error) {
  console.log(
    `gremlin: skipped: set SF_GREMLIN_URL or run npm run servers (the harness could not start Gremlin Server: ${String(error?.message ?? error).split('\n')[0]})`,
  );
}
let loader;
if (server !== undefined) {
  try {
    loader = await gremlinLoader(server.url);
  } catch (error) {
    console.log(
      `gremlin: skipped: set SF_GREMLIN_URL or run npm run servers (${server.url} does not answer: ${String(error?.message ?? error).split('\n')[0]})`,
    );
    await server.stop();
  }
}
if (loader !== undefined) {
  const store = new GremlinGraphStore({ url: server.url, requestTimeoutMs: 60_000 });
  const cleanup = async () => {
    const t = Date.now();
    const left = await loader.drop();
    console.log(
      `gremlin: dropped this run's vertices in ${fmt((Date.now() - t) / 1000, 1)} s${left > 0 ? ` (${left} LEFT)` : ''}`,
    );
  };
  const onSignal = (signal) => {
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let t = Date.now();
    const { vertices, edges } = await snapshot(embeddedStore);
    const snapMs = Date.now() - t;
    t = Date.now();
    await loader.vertices(vertices);
    await loader.edges(edges);
    console.log(
      `gremlin: loaded the same graph (${fmt(vertices.length)} vertices, ${fmt(edges.length)} edges: ` +
        `${fmt(DATASETS)} datasets, ${fmt(DATASETS / 2)} jobs, ${fmt(INCIDENTS)} open incidents) in ` +
        `${fmt((Date.now() - t) / 1000, 1)} s (${BATCH} per mergeV/mergeE traversal; snapshot ${snapMs} ms; state in memory)`,
    );
    // A fresh graph over the server: its writers/readers index starts empty and fills from Gremlin.
    const graph = createLineageGraph({ store });
    const copilot = createCopilot({ graph, state, clock: () => NOW, cacheTtlMs: 0 });
    const order = shuffled(incidents, 2);
    const { r99, byId } = await measure('gremlin (cold)', copilot, graph.queries, {
      warm: order.slice(-30),
      order: order.slice(0, Math.min(GREMLIN_SAMPLES, order.length - 30)),
      budgetMs: GREMLIN_TIME_BUDGET_MS,
    });
    let same = 0;
    for (const [id, kind] of byId) if (embeddedKinds.get(id) === kind) same += 1;
    console.log(
      `gremlin: root cause equals the embedded one for ${same} of ${byId.size} incidents`,
    );
    if (same !== byId.size) process.exitCode = 1;
    console.log(`gremlin: target p99 < 1000 ms: ${r99 < 1000 ? 'met' : 'MISSED'}`);
  } catch (error) {
    console.log(`gremlin: FAILED: ${String(error?.message ?? error).split('\n')[0]}`);
    process.exitCode = 1;
  } finally {
    await cleanup().catch((error) =>
      console.log(`gremlin: drop FAILED: ${String(error?.message ?? error).split('\n')[0]}`),
    );
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await loader.close();
    await store.close();
    await server.stop();
  }
}
await embeddedStore.close();
console.log(`total ${fmt((Date.now() - started) / 1000, 1)} s`);
