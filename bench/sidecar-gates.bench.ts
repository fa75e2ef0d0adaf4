// Sidecar hot paths. (a) the five gates + evidence JSON in-process on a ~500-byte orders event,
// events/s per core, against JSON.parse + JSON.stringify of the same payload (the floor cost of
// touching a record); target >= 60,000/s. (b) the HTTP hop (node:http server in a child process,
// undici Pool client, batches of 100) against the same processing in-process; target ratio >= 0.8.
// Run: node --import tsx bench/sidecar-gates.bench.ts (from the repository root)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// @ts-expect-error -- stats.mjs is plain JavaScript shared by every benchmark (no declarations).
import { fmt, median, opsPerSecond, percentile } from './stats.mjs';

const src = '../packages/sidecar/src';
const { GatePipeline } = await import(`${src}/pipeline/gate-pipeline.ts`);
const { buildSnapshot } = await import(`${src}/registry/build-snapshot.ts`);
const { buildEvidence } = await import(`${src}/evidence/build-evidence.ts`);
const { registryDocuments, orderEvent } = await import(`${src}/testing/fixtures.ts`);
const { createSidecar } = await import(`${src}/sidecar.ts`);
const { StaticRegistrySource } = await import(`${src}/registry/yaml-registry-source.ts`);

/** A sink that acknowledges without storing (the hop is measured, not Kafka). */
class NullSink {
  healthy = true;
  #offset = 0;
  async start() {}
  async close() {}
  async send(records: Array<{ topic: string }>) {
    return records.map((r) => ({
      ok: true as const,
      topic: r.topic,
      partition: 0,
      offset: String(this.#offset++),
    }));
  }
}
/** A bus that accepts evidence and drops it. */
class NullBus {
  async ensureTopic() {}
  async publish(topic: string, messages: unknown[]) {
    return messages.map((_, i) => ({ topic, partition: 0, offset: String(i) }));
  }
  async subscribe() {
    return { close: async () => undefined };
  }
  async flush() {}
  async close() {}
}

const event = orderEvent({ email: 'jane.doe@example.com' });
const payload = JSON.stringify(event);
const documents = registryDocuments('enforce');
const headers = {
  'x-obs-producer-service': 'orders-svc',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

function sidecarFor(port: number) {
  return createSidecar({
    registry: new StaticRegistrySource(documents),
    sink: new NullSink() as never,
    evidenceBus: new NullBus() as never,
    port,
    registryTtlMs: 0,
  });
}

if (process.argv[2] === 'server') {
  const sidecar = sidecarFor(0);
  const url = await sidecar.start();
  process.send?.(url);
  process.on('message', async () => {
    await sidecar.close();
    process.exit(0);
  });
} else {
  console.log(`payload: ${Buffer.byteLength(payload)} bytes`);
  // (a) in-process gates
  const pipeline = new GatePipeline(
    buildSnapshot(
      documents.map((document: unknown, i: number) => ({ origin: String(i), document })),
    ),
  );
  const value = Buffer.from(payload);
  let sink = 0;
  const ROUNDS = 5;
  const baseline = opsPerSecond(() => (sink += JSON.stringify(JSON.parse(payload)).length), {
    iterations: 50_000,
    runs: ROUNDS,
  });
  let offset = 0;
  const gates = opsPerSecond(
    () => {
      const run = pipeline.run({ topic: 'orders.created', value, headers });
      const evidence = buildEvidence({
        run,
        topic: 'orders.created',
        coordinates: { topic: 'orders.created', partition: 0, offset: String(offset++) },
        key: 'o-1',
        value,
        headers,
        timestamp: 1_764_064_800_000,
        now: 1_764_064_800_100,
        enforcement: 'enforce',
        source: 'sidecar',
        sampleWeight: 1,
        includeSample: false,
      });
      sink += JSON.stringify(evidence).length;
    },
    { iterations: 50_000, runs: ROUNDS },
  );
  console.log(`(a) JSON.parse+JSON.stringify baseline: ${fmt(baseline)} events/s`);
  console.log(
    `(a) gates G1-G5 + evidence JSON:        ${fmt(gates)} events/s per core (target >= 60,000)`,
  );
  console.log(`(a) ratio gates / baseline:             ${fmt(gates / baseline, 3)}`);

  // (b) in-process processor (same sink/bus) vs the HTTP hop, batches of 100
  const BATCH = 100;
  const records = Array.from({ length: BATCH }, (_, i) => ({
    topic: 'orders.created',
    key: `o-${i}`,
    value: payload,
    headers,
  }));
  const local = sidecarFor(0);
  await local.start();
  const decoded = records.map((r) => ({ ...r, value: Buffer.from(r.value) }));
  const inProcessRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < 1000) {
      await local.processor.produce(decoded);
      n += BATCH;
    }
    inProcessRates.push(n / ((performance.now() - started) / 1000));
  }
  await local.close();
  const inProcess = median(inProcessRates);

  const { Pool } = await import('undici');
  const worker = fork(fileURLToPath(import.meta.url), ['server'], {
    execArgv: ['--import', 'tsx'],
  });
  const url: string = await new Promise((resolve) =>
    worker.once('message', (m) => resolve(String(m))),
  );
  const pool = new Pool(url, { connections: 8, pipelining: 1 });
  const body = JSON.stringify({ records });
  const latencies: number[] = [];
  const send = async (): Promise<void> => {
    const t = performance.now();
    const res = await pool.request({
      path: '/v1/produce',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.startsWith('{"results"'))
      throw new Error(`bad answer ${res.statusCode}`);
    latencies.push(performance.now() - t);
  };
  for (let i = 0; i < 50; i++) await send();
  latencies.length = 0;
  const hopRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    let n = 0;
    const deadline = started + 1000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < deadline) {
          await send();
          n += BATCH;
        }
      }),
    );
    hopRates.push(n / ((performance.now() - started) / 1000));
  }
  const hop = median(hopRates);
  console.log(`(b) in-process processor, batch ${BATCH}:  ${fmt(inProcess)} records/s`);
  console.log(
    `(b) HTTP hop, batch ${BATCH}, 8 connections: ${fmt(hop)} records/s; per batch p50 ${fmt(percentile(latencies, 50), 2)} ms, p99 ${fmt(percentile(latencies, 99), 2)} ms`,
  );
  console.log(`(b) ratio hop / in-process:             ${fmt(hop / inProcess, 3)} (target >= 0.8)`);
  await pool.close();
  worker.send('stop');
  await new Promise((resolve) => worker.once('exit', resolve));
  if (sink < 0) console.log(sink);
}
