/* global setTimeout, performance, gc */
// Signal engines: the runtime's hot path and footprint, each against a baseline in the same run.
//  1. Kafka: evidence consumed + aggregated per second by one engine instance (volume engine,
//     KafkaEvidenceBus, embedded state) / a raw kafkajs eachBatch consumer that does nothing,
//     same topic, same records (target >= 0.8). Medians of alternating runs; rates measured from
//     the first batch to the last record (group joins excluded).
//  2. Embedded bus: the same against a no-op subscriber of InMemoryEvidenceBus.
//  3. State memory per active dataset (freshness + volume; target < 4 KB): heap delta of the
//     runtime's own state after 4,000 datasets (the store keeps only versions, as DynamoDB would
//     keep the data off-heap), and the persisted JSON bytes.
//  4. Signal latency at 10,000 evidence/s in real time: window close time (end + grace) → signal
//     emitted, and window end → signal (target < 5 s after the grace period).
// Broker: SF_KAFKA_BROKERS, else a KRaft broker started with test/harness. Imports
// packages/engines/dist when built, else src via tsx (SF_BENCH_FROM_SRC=1 forces src).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';
import { fmt, median, percentile } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const started = Date.now();
const deadline = started + 57_000;

async function load(pkg) {
  const dist = join(root, 'packages', pkg, 'dist', 'index.js');
  const depsBuilt = ['core', 'kafka', 'engines'].every((p) =>
    existsSync(join(root, 'packages', p, 'dist', 'index.js')),
  );
  if (depsBuilt && process.env.SF_BENCH_FROM_SRC !== '1') {
    try {
      return { mod: await import(pathToFileURL(dist).href), from: 'dist' };
    } catch {
      // fall through to src
    }
  }
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport(pathToFileURL(join(root, 'packages', pkg, 'src', 'index.ts')).href, {
    parentURL: import.meta.url,
    tsconfig: join(root, 'tsconfig.json'),
  });
  return { mod, from: 'src (tsx)' };
}

async function broker() {
  if (process.env.SF_KAFKA_BROKERS)
    return { brokers: process.env.SF_KAFKA_BROKERS, stop: async () => {} };
  const { tsImport } = await import('tsx/esm/api');
  const { startKafka } = await tsImport(
    pathToFileURL(join(root, 'test', 'harness', 'kafka.ts')).href,
    import.meta.url,
  );
  const server = await startKafka({ timeoutMs: 180_000, log: () => {} });
  return { brokers: server.endpoint, stop: () => server.stop() };
}

const { mod: engines, from } = await load('engines');
const { mod: core } = await load('core');
const { mod: kafkaPkg } = await load('kafka');
const { createEngineRuntime, createVolumeEngine, createFreshnessEngine } = engines;
const { InMemoryEvidenceBus, InMemoryStateStore } = core;
const { KafkaEvidenceBus } = kafkaPkg;

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const FP = `sha256:${'ab'.repeat(32)}`;
let seq = 0;
/** A ~600-byte Evidence v1 document like the sidecar's. */
function evidenceJson(urn, eventTime, weight = 1) {
  seq += 1;
  const t = new Date(eventTime).toISOString();
  return JSON.stringify({
    schema_version: 'evidence/v1',
    evidence_id: `ev_${seq.toString(16).padStart(32, '0')}`,
    dataset_urn: urn,
    topic: 'orders.created',
    partition: 3,
    offset: String(seq),
    producer: {
      service: 'orders-svc',
      version: '1.4.2',
      identity_confidence: 'HIGH',
      identity_method: 'header',
    },
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    event_time: t,
    produce_time: t,
    processing_time: t,
    schema_fingerprint: FP,
    contract: { id: 'orders-created', version: '2.1.0' },
    gates: [
      { gate: 'G1', name: 'resolution', result: 'PASS', reason_codes: [] },
      { gate: 'G2', name: 'identity', result: 'PASS', reason_codes: [] },
      { gate: 'G3', name: 'schema', result: 'PASS', reason_codes: [] },
      { gate: 'G4', name: 'contract', result: 'PASS', reason_codes: [] },
      { gate: 'G5', name: 'pii', result: 'PASS', reason_codes: [] },
    ],
    result: 'PASS',
    reason_codes: [],
    pii_findings: [],
    sample_weight: weight,
    enforcement: 'observe',
    source: 'sidecar',
  });
}

const DATASETS = 200;
const urnOf = (i) => `urn:dp:bench:ds${i % DATASETS}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, timeoutMs = 60_000, stepMs = 2) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(stepMs);
  }
}

// SF_BENCH_ONLY=kafka,embedded,memory,latency runs a subset (development).
const only = process.env.SF_BENCH_ONLY?.split(',');
const runs = (part) => only === undefined || only.includes(part);
const results = [];
const report = (name, value, unit, note = '') => {
  results.push({ name, value, unit, note });
  console.log(`${name.padEnd(58)} ${String(value).padStart(14)} ${unit}${note ? `  ${note}` : ''}`);
};

// ---------------------------------------------------------------------------------------------
// 1. Kafka
const RECORDS = Number(process.env.SF_BENCH_RECORDS ?? 40_000);
const PARTITIONS = 4;
const payloads = Array.from({ length: RECORDS }, (_, i) => ({
  key: urnOf(i),
  value: evidenceJson(urnOf(i), T0 + Math.floor((i / RECORDS) * 8 * 60_000)),
}));
if (runs('kafka')) await kafkaSection();
async function kafkaSection() {
  const { brokers, stop } = await broker();
  const { Kafka, logLevel } = kafkajs;
  const kafka = new Kafka({
    clientId: 'bench-engines',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const topic = `bench.engines.evidence.${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < payloads.length; i += 2000)
    await producer.send({ topic, acks: -1, messages: payloads.slice(i, i + 2000) });
  await producer.disconnect();

  let groupSeq = 0;
  const rawRunCpu = [];
  const parseOnlyRunCpu = [];
  /**
   * A raw kafkajs eachBatch consumer from the beginning of the topic; `perRecord` (optional) runs
   * on each message. Rate and CPU per record from the first batch to the last record.
   */
  async function rawConsumerRun(name, cpuPerRecord, perRecord) {
    const consumer = kafka.consumer({
      groupId: `bench-${name}-${Date.now()}-${groupSeq++}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    let first = 0;
    let last = 0;
    let cpu0;
    let cpu1;
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) {
          first = performance.now();
          cpu0 = process.cpuUsage();
        }
        if (perRecord !== undefined) for (const m of batch.messages) perRecord(m);
        count += batch.messages.length;
        last = performance.now();
        cpu1 = process.cpuUsage(cpu0);
      },
    });
    await until(() => count >= RECORDS);
    await consumer.disconnect();
    cpuPerRecord.push((cpu1.user + cpu1.system) / RECORDS);
    return RECORDS / ((last - first) / 1000);
  }
  const rawRun = () => rawConsumerRun('raw', rawRunCpu);
  /**
   * The floor of any engine that reads JSON evidence with kafkajs: the raw consumer plus
   * `JSON.parse` of each value (no validation, no aggregation, no state).
   */
  async function parseOnlyRun() {
    let sink = 0;
    const rate = await rawConsumerRun('parse', parseOnlyRunCpu, (m) => {
      sink += JSON.parse(m.value.toString()).sample_weight;
    });
    if (sink !== RECORDS) throw new Error('parse-only consumer lost records');
    return rate;
  }

  /** A no-op subscriber through the KafkaEvidenceBus port (what the engine runtime sits on). */
  async function busRunKafka() {
    const bus = new KafkaEvidenceBus({
      brokers: brokers.split(','),
      clientId: 'bench-engines',
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 },
    });
    let count = 0;
    let first = 0;
    let last = 0;
    const sub = await bus.subscribe(
      { groupId: `bench-bus-${Date.now()}-${groupSeq++}`, topics: [topic], maxBatchSize: 1000 },
      async (batch) => {
        if (first === 0) first = performance.now();
        count += batch.length;
        last = performance.now();
      },
    );
    await until(() => count >= RECORDS);
    await sub.close();
    await bus.close();
    return RECORDS / ((last - first) / 1000);
  }

  async function engineRunKafka() {
    const bus = new KafkaEvidenceBus({
      brokers: brokers.split(','),
      clientId: 'bench-engines',
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 },
    });
    const clock = { now: () => T0 + 9 * 60_000 };
    const runtime = createEngineRuntime({
      bus,
      state: new InMemoryStateStore(),
      engines: [createVolumeEngine()],
      clock,
      autoTick: false,
      topics: { evidence: topic, signals: null, dlq: null },
      groupPrefix: `bench-eng-${Date.now()}-${groupSeq++}.`,
    });
    let first = 0;
    await runtime.start();
    const m = () => runtime.metrics().engines.volume;
    await until(() => m().consumed > 0, 60_000, 1);
    first = performance.now();
    await until(() => m().consumed >= RECORDS, 60_000, 1);
    const last = performance.now();
    const observed = m().observed;
    await runtime.close();
    await bus.close();
    if (observed !== RECORDS) throw new Error(`engine observed ${observed} of ${RECORDS}`);
    return RECORDS / ((last - first) / 1000);
  }

  const raw = [];
  const viaBus = [];
  const eng = [];
  const parseOnly = [];
  for (let r = 0; r < 3 && Date.now() < started + 30_000; r++) {
    raw.push(await rawRun());
    parseOnly.push(await parseOnlyRun());
    viaBus.push(await busRunKafka());
    eng.push(await engineRunKafka());
  }
  await stop();
  const rawMed = median(raw);
  const engMed = median(eng);
  console.log(
    `signal engines bench (engines from ${from}; broker ${brokers}; ${fmt(RECORDS)} evidence x ~600 B over ${DATASETS} datasets, ${PARTITIONS} partitions; ${raw.length} alternating runs)`,
  );
  report('kafka: raw kafkajs eachBatch no-op consumer', fmt(rawMed), 'records/s');
  report(
    'kafka: raw kafkajs + JSON.parse only (floor of a JSON engine)',
    fmt(median(parseOnly)),
    'records/s',
    `ratio to raw ${fmt(median(parseOnly) / rawMed, 2)}`,
  );
  // kafkajs fetches, then runs the handler, then fetches again (src/consumer/fetcher.js), so a
  // handler's CPU adds to the wall time; even a consumer that fetched ahead could not run faster
  // than one record per (decode + JSON.parse) of CPU on its one JavaScript thread.
  const parseCpu = median(parseOnlyRunCpu);
  report(
    'kafka: CPU per record, raw no-op / raw + JSON.parse',
    `${fmt(median(rawRunCpu), 1)} / ${fmt(parseCpu, 1)}`,
    'µs',
    `fetch-ahead bound ${fmt(1e6 / parseCpu)} records/s = ${fmt(1e6 / parseCpu / rawMed, 2)} of raw`,
  );
  report('kafka: no-op subscriber via the KafkaEvidenceBus port', fmt(median(viaBus)), 'records/s');
  report('kafka: engine runtime (volume), one instance', fmt(engMed), 'records/s');
  report('kafka: ratio engine / KafkaEvidenceBus no-op', fmt(engMed / median(viaBus), 2), 'x');
  report(
    'kafka: ratio engine / raw (target >= 0.8)',
    fmt(engMed / rawMed, 2),
    'x',
    engMed / rawMed >= 0.8 ? 'OK' : 'BELOW TARGET',
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Embedded bus
async function embeddedRuns() {
  const bus = new InMemoryEvidenceBus({ defaultPartitions: PARTITIONS, maxBatchSize: 1000 });
  await bus.publish('signal_factory.evidence', payloads);
  const rawRates = [];
  const engRates = [];
  for (let r = 0; r < 3; r++) {
    let count = 0;
    let t0 = performance.now();
    const sub = await bus.subscribe(
      { groupId: `raw-${r}`, topics: ['signal_factory.evidence'], maxBatchSize: 1000 },
      async (batch) => {
        count += batch.length;
      },
    );
    await until(() => count >= RECORDS, 60_000, 0);
    rawRates.push(RECORDS / ((performance.now() - t0) / 1000));
    await sub.close();
    const runtime = createEngineRuntime({
      bus,
      state: new InMemoryStateStore(),
      engines: [createVolumeEngine()],
      clock: { now: () => T0 + 9 * 60_000 },
      autoTick: false,
      topics: { signals: null, dlq: null },
      groupPrefix: `eng-${r}.`,
    });
    t0 = performance.now();
    await runtime.start();
    await runtime.flush();
    engRates.push(RECORDS / ((performance.now() - t0) / 1000));
    if (runtime.metrics().engines.volume.observed !== RECORDS)
      throw new Error('embedded: not all observed');
    await runtime.close();
  }
  await bus.close();
  return { rawRates, engRates };
}
if (runs('embedded')) {
  const emb = await embeddedRuns();
  report('embedded: no-op InMemoryEvidenceBus subscriber', fmt(median(emb.rawRates)), 'records/s');
  report('embedded: engine runtime (volume), one instance', fmt(median(emb.engRates)), 'records/s');
  report(
    'embedded: ratio engine / no-op',
    fmt(median(emb.engRates) / median(emb.rawRates), 3),
    'x',
    `${fmt(1e6 / median(emb.engRates), 1)} µs per record (parse + Evidence v1 validation + aggregate)`,
  );
  // Where a record's time goes: JSON.parse + Evidence v1 validation alone, same records.
  const decode = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (const p of payloads) core.isEvidence(JSON.parse(p.value));
    decode.push(((performance.now() - t0) * 1000) / payloads.length);
  }
  // The one-process platform runs four engine groups on the same records: each record is
  // parsed and validated once for all of them (EvidenceDecoder).
  const four = [];
  for (let r = 0; r < 2; r++) {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: PARTITIONS, maxBatchSize: 1000 });
    await bus.publish('signal_factory.evidence', payloads);
    const runtime = createEngineRuntime({
      bus,
      state: new InMemoryStateStore(),
      engines: [
        createFreshnessEngine(),
        createVolumeEngine(),
        engines.createContractEngine(),
        engines.createSchemaDriftEngine(),
      ],
      clock: { now: () => T0 + 9 * 60_000 },
      autoTick: false,
      topics: { signals: null, dlq: null },
    });
    const t0 = performance.now();
    await runtime.start();
    await runtime.flush();
    four.push(((performance.now() - t0) * 1000) / RECORDS);
    await runtime.close();
    await bus.close();
  }
  report(
    'embedded: 4 engines in one runtime (all groups), per record',
    fmt(median(four), 1),
    'µs per record',
  );
  report(
    'embedded: JSON.parse + Evidence v1 validation alone',
    fmt(median(decode), 1),
    'µs per record',
  );
}

// ---------------------------------------------------------------------------------------------
// 3. State memory per active dataset
/** A stand-in for DynamoDB: keeps only the version of each engine item (the data lives off-heap there). */
class VersionOnlyStore {
  versions = new Map();
  async get() {
    return undefined;
  }
  async put(table, key, data) {
    let version = 1;
    if (key.sk.startsWith('engine#')) {
      const id = `${key.pk}#${key.sk}`;
      version = (this.versions.get(id) ?? 0) + 1;
      this.versions.set(id, version);
      if (lastJsonBytes.size < 200 || lastJsonBytes.has(id))
        lastJsonBytes.set(id, JSON.stringify(data).length);
    }
    return { ...key, data, version };
  }
  async query() {
    return [];
  }
  async delete() {}
  async close() {}
}
const lastJsonBytes = new Map();
async function memoryRun(engineList, datasets) {
  const engineCount = engineList().length;
  // Bounded retention: the bus holds only the last chunk, so its memory does not grow with the run.
  const bus = new InMemoryEvidenceBus({
    defaultPartitions: PARTITIONS,
    maxRecordsPerPartition: 400,
  });
  const store = new VersionOnlyStore();
  // Pre-size the stand-in store's version map (its keys are not engine state).
  for (let d = 0; d < datasets; d++)
    for (const type of ['FRESHNESS', 'VOLUME'])
      store.versions.set(`urn:dp:mem:ds${d}#engine#${type}`, 0);
  const clock = { now: () => T0 + 4 * 60_000 };
  const runtime = createEngineRuntime({
    bus,
    state: store,
    engines: engineList(),
    clock,
    autoTick: false,
    topics: { signals: null, dlq: null },
  });
  await runtime.start();
  const chunk = (from, to, minute) => {
    const msgs = [];
    for (let d = from; d < to; d++)
      msgs.push({
        key: `urn:dp:mem:ds${d}`,
        value: evidenceJson(`urn:dp:mem:ds${d}`, T0 + minute * 60_000 + d),
      });
    return msgs;
  };
  // Fill the bus to its retention with evidence of no dataset, so its size is the same before and after.
  const filler = [];
  for (let i = 0; i < 4000; i++) {
    const e = JSON.parse(evidenceJson('urn:dp:mem:none', T0));
    e.dataset_urn = null;
    filler.push({ key: `filler-${i}`, value: JSON.stringify(e) });
  }
  await bus.publish('signal_factory.evidence', filler);
  await runtime.flush();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let minute = 0; minute < 3; minute++)
    for (let d = 0; d < datasets; d += 500) {
      await bus.publish('signal_factory.evidence', chunk(d, Math.min(datasets, d + 500), minute));
      await runtime.flush();
    }
  // close the first windows (the volume baseline learns), emit the first signals
  clock.now = () => T0 + 20 * 60_000;
  await runtime.tick();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const active = Object.values(runtime.metrics().engines).reduce((n, m) => n + m.activeDatasets, 0);
  await runtime.close();
  await bus.close();
  return { perDataset: (after - before) / datasets, active, engineCount };
}
const DS = 3000;
if (runs('memory')) {
  const both = await memoryRun(() => [createFreshnessEngine(), createVolumeEngine()], DS);
  const vol = await memoryRun(() => [createVolumeEngine()], DS);
  const jsonBytes = [...lastJsonBytes.values()];
  report(
    'memory: runtime state per active dataset (freshness + volume)',
    fmt(both.perDataset),
    'bytes',
    both.perDataset < 4096 ? 'OK (< 4 KB)' : 'ABOVE TARGET',
  );
  report('memory: runtime state per active dataset (volume only)', fmt(vol.perDataset), 'bytes');
  report('memory: persisted JSON per dataset and engine (median)', fmt(median(jsonBytes)), 'bytes');
}

// ---------------------------------------------------------------------------------------------
// 4. Signal latency at 10,000 evidence/s (real time, embedded bus)
async function latencyRun() {
  const WINDOW = 3000;
  const GRACE = 1500;
  const RATE = 10_000;
  const seconds = Math.max(4, Math.min(8, Math.floor((deadline - Date.now()) / 1000) - 4));
  const bus = new InMemoryEvidenceBus({ defaultPartitions: PARTITIONS, maxBatchSize: 1000 });
  const latencies = [];
  const fromEnd = [];
  // A probe engine that flips state every window, so every window of every dataset emits a signal.
  const probe = {
    type: 'ANOMALY',
    id: 'probe@1',
    group: 'probe',
    initialState: () => ({ n: 0, k: 0 }),
    observe: (s) => ({ ...s, n: s.n + 1 }),
    closeWindow: (s) => ({
      state: { n: 0, k: s.k + 1 },
      verdict: { state: s.k % 2 ? 'OK' : 'WARNING', reason: 'probe', metrics: { n: s.n } },
    }),
  };
  const runtime = createEngineRuntime({
    bus,
    state: new InMemoryStateStore(),
    engines: [createVolumeEngine(), probe],
    windowMs: WINDOW,
    graceMs: GRACE,
    tickMs: 1000,
    topics: { dlq: null },
    signalSink: (s) => {
      if (s.signal_type !== 'ANOMALY' || !s.window) return;
      const now = Date.now();
      const end = Date.parse(s.window.end);
      latencies.push(now - (end + GRACE));
      fromEnd.push(now - end);
    },
  });
  await runtime.start();
  const t0 = Date.now();
  let sent = 0;
  while (Date.now() - t0 < seconds * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    const batch = [];
    for (; sent < due; sent++) {
      const urn = `urn:dp:lat:ds${sent % 100}`;
      batch.push({ key: urn, value: evidenceJson(urn, Date.now()) });
    }
    if (batch.length > 0) await bus.publish('signal_factory.evidence', batch);
    await sleep(5);
  }
  await sleep(WINDOW + GRACE + 1500);
  const m = runtime.metrics().engines;
  await runtime.close();
  await bus.close();
  return { latencies, fromEnd, rate: sent / seconds, late: m.volume.late, seconds };
}
if (runs('latency')) {
  const lat = await latencyRun();
  report(`latency: evidence rate offered (${lat.seconds} s)`, fmt(lat.rate), 'evidence/s');
  report(
    'latency: window close (end + grace) → signal, p50',
    fmt(percentile(lat.latencies, 50)),
    'ms',
  );
  report(
    'latency: window close (end + grace) → signal, p99',
    fmt(percentile(lat.latencies, 99)),
    'ms',
    percentile(lat.latencies, 99) < 5000 ? 'OK (< 5 s)' : 'ABOVE TARGET',
  );
  report(
    'latency: window end → signal, p99 (grace 1.5 s included)',
    fmt(percentile(lat.fromEnd, 99)),
    'ms',
  );
  report('latency: late evidence during the run', fmt(lat.late), 'records');
}
console.log(`done in ${fmt((Date.now() - started) / 1000, 1)} s`);
process.exit(0);
