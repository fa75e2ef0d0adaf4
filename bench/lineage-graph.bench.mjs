// Knowledge-graph benchmark (issue 6): bounded traversals on the embedded graph at 10,000 datasets,
// 50,000 job edges and 500,000 column edges; the same queries on Gremlin Server at 1,000 datasets;
// OpenLineage ingestion throughput; memory per 10,000 datasets.
// Baseline (same run): a plain-JS breadth-first walk over arrays of the same topology, the floor
// any graph store sits on. Runs against dist/ (bench/run.mjs builds first).
// Gremlin: uses SF_BENCH_GREMLIN_URL (a server it may wipe), else starts the harness's Gremlin Server (test/harness) through tsx;
// prints a note and skips that part when neither works.
import { fmt, median, percentile } from './stats.mjs';

// A 300 MB embedded graph wants a larger young generation: with Node's default semi-space, scavenges
// that promote into the big old space land in the p99. Re-run with the setting the README recommends
// for large embedded graphs (set SF_BENCH_DEFAULT_HEAP=1 to measure with Node's defaults).
if (
  !process.execArgv.some((a) => a.startsWith('--max-semi-space-size')) &&
  process.env.SF_BENCH_DEFAULT_HEAP !== '1'
) {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const flags = [
    '--expose-gc',
    '--max-semi-space-size=64',
    ...process.execArgv.filter((a) => a !== '--expose-gc'),
  ];
  const child = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}
console.log(`node ${process.version} ${process.execArgv.join(' ')}`);
const started = Date.now();
const core = await import('@signal-factory/core');
const lineage = await import('@signal-factory/lineage');
const { createLineageGraph, createDatasetResolver, GremlinGraphStore } = lineage;
const { InMemoryGraphStore } = core;
if (typeof InMemoryGraphStore !== 'function') {
  console.log(
    'lineage-graph: @signal-factory/core exports no InMemoryGraphStore; nothing to measure',
  );
  process.exit(1);
}

const DATASETS = 10_000;
const LAYERS = 10;
const JOBS = 10_000; // each reads 2 and writes 3 datasets: 50,000 job edges
const COLUMNS = 20; // per dataset: 200,000 HAS_COLUMN edges
const JOB_COLUMN_EDGES = 30; // per job: 300,000 READS_COL / WRITES_COL edges → 500,000 column edges
const INCIDENTS = 1_000;
const SAMPLES = 1_000;

// Deterministic pseudo-random numbers (mulberry32) so every run builds the same graph.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const urn = (i) => `urn:dp:d${i % LAYERS}:ds-${i}`;
const perLayer = DATASETS / LAYERS;
const inLayer = (layer, r) => layer * perLayer + Math.floor(r() * perLayer);
// Dataset i sits in layer floor(i / perLayer); datasets are numbered so layers are contiguous.
const datasetUrn = (i) => urn(i);

/** Builds the topology once as plain arrays (also the baseline's input). */
function topology({ datasets, jobs, columns, jobColumnEdges, seed }) {
  const r = rng(seed);
  const layers = LAYERS;
  const per = datasets / layers;
  const pick = (layer) => layer * per + Math.floor(r() * per);
  const jobList = [];
  for (let j = 0; j < jobs; j++) {
    const layer = j % (layers - 1);
    const reads = [pick(layer), pick(layer)];
    const writes = [pick(layer + 1), pick(layer + 1), pick(layer + 1)];
    const colReads = [];
    const colWrites = [];
    for (let c = 0; c < jobColumnEdges; c++) {
      if (c % 2 === 0) colReads.push([reads[c % 2], Math.floor(r() * columns)]);
      else colWrites.push([writes[c % 3], Math.floor(r() * columns)]);
    }
    jobList.push({ id: `job:bench:j-${j}`, tier: 1 + (j % 3), reads, writes, colReads, colWrites });
  }
  return { datasets, columns, jobs: jobList };
}

async function build(store, topo) {
  const run = async (tasks) => {
    for (const task of tasks) await task();
  };
  const vertices = [];
  for (let i = 0; i < topo.datasets; i++) {
    const id = datasetUrn(i);
    vertices.push(() =>
      store.upsertVertex({ id, label: 'Dataset', properties: { urn: id, tier: 1 + (i % 3) } }),
    );
    for (let c = 0; c < topo.columns; c++) {
      vertices.push(() =>
        store.upsertVertex({
          id: `${id}#c${c}`,
          label: 'Column',
          properties: { dataset: id, path: `c${c}` },
        }),
      );
    }
  }
  for (const job of topo.jobs)
    vertices.push(() =>
      store.upsertVertex({ id: job.id, label: 'Job', properties: { tier: job.tier } }),
    );
  await run(vertices);
  const edges = [];
  const edge = (from, label, to, properties = {}) =>
    edges.push(() => store.upsertEdge({ from, label, to, properties }));
  for (let i = 0; i < topo.datasets; i++)
    for (let c = 0; c < topo.columns; c++)
      edge(datasetUrn(i), 'HAS_COLUMN', `${datasetUrn(i)}#c${c}`);
  const confidence = ['HIGH', 'MEDIUM', 'LOW'];
  for (const [n, job] of topo.jobs.entries()) {
    for (const d of job.reads)
      edge(job.id, 'READS', datasetUrn(d), { confidence: confidence[n % 3] });
    for (const d of job.writes) edge(job.id, 'WRITES', datasetUrn(d), { confidence: 'HIGH' });
    for (const [d, c] of job.colReads)
      edge(job.id, 'READS_COL', `${datasetUrn(d)}#c${c}`, { confidence: 'HIGH' });
    for (const [d, c] of job.colWrites)
      edge(job.id, 'WRITES_COL', `${datasetUrn(d)}#c${c}`, { confidence: 'HIGH' });
  }
  await run(edges);
}

async function buildIncidents(ingestor, count) {
  for (let i = 0; i < count; i++) {
    const service = `svc-${i % 50}`;
    await ingestor.ingestDeployment({
      service,
      version: `1.${i}`,
      time: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      owner: `team-${i % 10}`,
    });
    await ingestor.recordFailureSignature({
      hash: `sha256:${i}`,
      datasetUrn: datasetUrn(i),
      introducedBy: { service, version: `1.${i}`, confidence: 'HIGH' },
    });
    await ingestor.recordSignal({ id: `sig-${i}-a`, causedBy: [`sha256:${i}`] });
    await ingestor.recordSignal({ id: `sig-${i}-b`, causedBy: [`sha256:${i}`] });
    await ingestor.recordIncident({ id: `inc-${i}`, signals: [`sig-${i}-a`, `sig-${i}-b`] });
  }
}

async function latencies(n, fn) {
  globalThis.gc?.(); // each phase starts on a collected heap
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    median: median(times),
  };
}

/** The floor: breadth-first over plain arrays, READS → WRITES, 3 hops. */
function baselineIndex(topo) {
  const readers = Array.from({ length: topo.datasets }, () => []);
  for (const job of topo.jobs) for (const d of job.reads) readers[d].push(job);
  return (start) => {
    const seen = new Set([start]);
    let frontier = [start];
    let found = 0;
    for (let depth = 1; depth <= 3; depth++) {
      const next = [];
      for (const d of frontier) {
        for (const job of readers[d]) {
          if (seen.has(job.id)) continue;
          seen.add(job.id);
          found++;
          for (const w of job.writes) {
            if (seen.has(w)) continue;
            seen.add(w);
            next.push(w);
            found++;
          }
        }
      }
      frontier = next;
    }
    return found;
  };
}

const line = (name, s, base) =>
  console.log(
    `${name.padEnd(44)} p50 ${fmt(s.p50, 3).padStart(8)} ms  p95 ${fmt(s.p95, 3).padStart(8)} ms  p99 ${fmt(s.p99, 3).padStart(8)} ms${base ? `  (×${fmt(s.p50 / base, 1)} baseline p50)` : ''}`,
  );

// ---- embedded graph ----
const gc = globalThis.gc ?? (() => undefined);
const topo = topology({
  datasets: DATASETS,
  jobs: JOBS,
  columns: COLUMNS,
  jobColumnEdges: JOB_COLUMN_EDGES,
  seed: 42,
});
gc();
const heapBefore = process.memoryUsage().heapUsed;
const store = new InMemoryGraphStore();
let t = Date.now();
await build(store, topo);
const graph = createLineageGraph({ store });
await buildIncidents(graph.ingestor, INCIDENTS);
const buildMs = Date.now() - t;
gc();
const heapAfter = process.memoryUsage().heapUsed;
const columnEdges = DATASETS * COLUMNS + JOBS * JOB_COLUMN_EDGES;
console.log(
  `embedded graph: ${fmt(DATASETS)} datasets, ${fmt(JOBS)} jobs, ${fmt(JOBS * 5)} job edges, ${fmt(columnEdges)} column edges; built in ${fmt(buildMs)} ms`,
);
console.log(
  `memory per 10,000 datasets (with their jobs, columns and edges): ${fmt((heapAfter - heapBefore) / 1024 / 1024, 1)} MiB heap`,
);

const baseline = baselineIndex(topo);
const r = rng(7);
const starts = Array.from({ length: SAMPLES }, () => inLayer(Math.floor(r() * 6), r));
const base = await latencies(SAMPLES, (i) => baseline(starts[i]));
line('baseline: plain-array BFS, 3 hops', base);
// Warm up the JIT and the store's paths.
for (let i = 0; i < 100; i++) await graph.queries.blastRadius({ dataset: datasetUrn(starts[i]) });
const blast = await latencies(SAMPLES, (i) =>
  graph.queries.blastRadius({ dataset: datasetUrn(starts[i]) }),
);
line('embedded blast radius, dataset, 3 hops', blast, base.p50);
const sampleHits = (await graph.queries.blastRadius({ dataset: datasetUrn(starts[0]) })).hits
  .length;
const columnBlast = await latencies(SAMPLES, (i) =>
  graph.queries.blastRadius({ dataset: datasetUrn(starts[i]), column: `c${i % COLUMNS}` }),
);
line('embedded blast radius, column, 3 hops', columnBlast, base.p50);
for (let i = 0; i < 100; i++) await graph.queries.causalPath(`inc-${i}`);
const causal = await latencies(SAMPLES, (i) => graph.queries.causalPath(`inc-${i % INCIDENTS}`));
line('embedded causal path, 5 hops', causal, base.p50);
const readers = await latencies(SAMPLES, (i) => graph.queries.readersOf(datasetUrn(starts[i])));
line('embedded readersOf (index)', readers, base.p50);
console.log(`(a sample blast radius returns ${sampleHits} hits)`);
const target = 20;
console.log(
  `target embedded p99 < ${target} ms: blast ${blast.p99 < target ? 'MET' : 'MISSED'}, column ${columnBlast.p99 < target ? 'MET' : 'MISSED'}, causal ${causal.p99 < target ? 'MET' : 'MISSED'}`,
);
await store.close();

// ---- OpenLineage ingestion throughput (embedded) ----
{
  const ingestStore = new InMemoryGraphStore();
  const resolver = createDatasetResolver({
    patterns: [{ pattern: 'topic.*.*', urn: 'urn:dp:$1:$2' }],
  });
  const { ingestor } = createLineageGraph({ store: ingestStore, resolver });
  const P = { _producer: 'https://bench', _schemaURL: 'https://bench/schema.json' };
  const fields = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, type: 'string' }));
  const event = (i) => ({
    eventType: i % 2 ? 'COMPLETE' : 'START',
    eventTime: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    producer: 'https://bench/producer',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8' },
    job: { namespace: 'bench', name: `job-${i % 2000}` },
    inputs: [0, 1].map((k) => ({
      namespace: 'kafka://b:9092',
      name: `topic.d${(i + k) % 10}.in-${(i + k) % 3000}`,
      facets: { schema: { ...P, fields } },
    })),
    outputs: [
      {
        namespace: 'kafka://b:9092',
        name: `topic.d${i % 10}.out-${i % 3000}`,
        facets: {
          columnLineage: {
            ...P,
            fields: {
              f0: {
                inputFields: [
                  {
                    namespace: 'kafka://b:9092',
                    name: `topic.d${i % 10}.in-${i % 3000}`,
                    field: 'f0',
                  },
                ],
              },
            },
          },
        },
      },
    ],
  });
  for (let i = 0; i < 500; i++) await ingestor.ingestOpenLineage(event(i));
  const N = 3_000;
  const t0 = process.hrtime.bigint();
  for (let i = 500; i < 500 + N; i++) await ingestor.ingestOpenLineage(event(i));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = ingestor.stats();
  console.log(
    `OpenLineage ingestion (embedded): ${fmt(N / seconds)} events/s (2 inputs with 10-field schemas, 1 output with column lineage; ${stats.accepted} accepted, ${stats.rejected} rejected)`,
  );
  await ingestStore.close();
}

// ---- Gremlin Server at 1,000 datasets ----
// This part wipes the graph (fixed vertex ids), so it never reuses the shared SF_GREMLIN_URL of
// the test harness: it starts its own server unless SF_BENCH_GREMLIN_URL names one it may wipe.
let gremlinUrl = process.env.SF_BENCH_GREMLIN_URL;
let stopGremlin;
if (!gremlinUrl) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    const harness = await import('../test/harness/gremlin.ts');
    const server = await harness.startGremlin({ log: () => undefined, timeoutMs: 60_000 });
    gremlinUrl = server.endpoint;
    stopGremlin = () => server.stop();
  } catch (error) {
    console.log(
      `Gremlin part skipped: no SF_BENCH_GREMLIN_URL and the harness could not start Gremlin Server (${String(error?.message ?? error).split('\n')[0]})`,
    );
  }
}
if (gremlinUrl) {
  const gstore = new GremlinGraphStore({ url: gremlinUrl });
  try {
    await gstore.clear();
    // Sequential writes: TinkerGraph (the harness's graph) is not safe under concurrent mutation.
    const small = topology({
      datasets: 1_000,
      jobs: 1_000,
      columns: 0,
      jobColumnEdges: 0,
      seed: 42,
    });
    t = Date.now();
    await build(gstore, small);
    const ggraph = createLineageGraph({ store: gstore });
    await buildIncidents(ggraph.ingestor, 50);
    console.log(
      `Gremlin graph: 1,000 datasets, 500 jobs, 2,500 job edges, 50 incident chains; built in ${fmt(Date.now() - t)} ms`,
    );
    const gr = rng(9);
    const per = 100;
    const gstarts = Array.from(
      { length: 200 },
      () => Math.floor(gr() * 6) * per + Math.floor(gr() * per),
    );
    for (let i = 0; i < 20; i++)
      await ggraph.queries.blastRadius({ dataset: datasetUrn(gstarts[i]) });
    const gblast = await latencies(200, (i) =>
      ggraph.queries.blastRadius({ dataset: datasetUrn(gstarts[i]) }),
    );
    line('Gremlin blast radius, dataset, 3 hops', gblast, base.p50);
    const gcausal = await latencies(200, (i) => ggraph.queries.causalPath(`inc-${i % 50}`));
    line('Gremlin causal path, 5 hops', gcausal, base.p50);
    console.log(
      `target Gremlin p99 < 500 ms: blast ${gblast.p99 < 500 ? 'MET' : 'MISSED'}, causal ${gcausal.p99 < 500 ? 'MET' : 'MISSED'}`,
    );
    await gstore.clear();
  } catch (error) {
    console.log(`Gremlin part FAILED: ${String(error?.message ?? error).split('\n')[0]}`);
    process.exitCode = 1;
  } finally {
    await gstore.close();
    await stopGremlin?.();
  }
}
console.log(`lineage-graph bench done in ${fmt((Date.now() - started) / 1000, 1)} s`);
