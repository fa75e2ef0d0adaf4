// (c) End to end: producer SDK → sidecar (separate process, gates + Kafka + evidence) → Kafka,
// against raw kafkajs produce → consume on the same broker, in the same run. Also reports evidence
// latency (receipt → evidence readable) and the sidecar's RSS. Needs Java and the harness's cached
// Kafka jars (test/harness starts a broker on loopback). Target: >= 0.75 of raw kafkajs.
// Run: (build the packages, e.g. npm run build) then node --import tsx bench/sidecar-e2e.bench.ts
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// @ts-expect-error -- stats.mjs is plain JavaScript shared by every benchmark (no declarations).
import { fmt, percentile } from './stats.mjs';

const RECORDS = 20_000;
const BATCH = 100;
const IN_FLIGHT = 8;

{
  const { startKafka } = await import('../test/harness/kafka');
  const { Kafka, logLevel } = await import('kafkajs');
  const { createProducer } = await import('@signal-factory/producer-sdk');
  const { orderEvent } = await import('../packages/sidecar/src/testing/fixtures');
  const started = Date.now();
  const server = await startKafka({ timeoutMs: 40_000, log: () => undefined });
  console.log(`broker ${server.endpoint} ready in ${Date.now() - started} ms`);
  const brokers = [server.endpoint];
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  let child: ChildProcess | undefined;
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: ['bench.raw', 'bench.sidecar', 'bench.evidence'].map((topic) => ({
        topic,
        numPartitions: 4,
      })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    const payload = JSON.stringify(orderEvent());
    const batches = Array.from({ length: RECORDS / BATCH }, (_, b) =>
      Array.from({ length: BATCH }, (_, i) => ({
        key: `k${b}-${i}`,
        value: payload,
        headers: { 'x-obs-producer-service': 'orders-svc' },
      })),
    );

    /** Consumes `topic` until `count` records arrived; resolves with receive times by key. */
    const consumeAll = async (
      topic: string,
      count: number,
      onMessage?: (value: Buffer) => void,
    ): Promise<number> => {
      const consumer = kafka.consumer({ groupId: `bench-${topic}-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let seen = 0;
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) onMessage?.(m.value as Buffer);
            seen += batch.messages.length;
            if (seen >= count) resolve();
          },
        });
      });
      const done = performance.now();
      await consumer.disconnect();
      return done;
    };

    const pump = async (
      send: (batch: (typeof batches)[number]) => Promise<unknown>,
    ): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < batches.length) await send(batches[next++] as (typeof batches)[number]);
        }),
      );
    };

    // Raw kafkajs: produce (acks=all, batches of 100, 8 in flight) → consume.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const rawConsumed = consumeAll('bench.raw', RECORDS);
    const rawStart = performance.now();
    await pump((messages) => producer.send({ topic: 'bench.raw', acks: -1, messages }));
    const rawRate = RECORDS / (((await rawConsumed) - rawStart) / 1000);
    await producer.disconnect();

    // SDK → sidecar (its own process, from dist/: bench/run.mjs builds first) → Kafka, with evidence.
    child = fork(
      fileURLToPath(new URL('./sidecar-e2e.server.mjs', import.meta.url)),
      [server.endpoint],
      {
        // Same heap cap as the container image (Dockerfile NODE_OPTIONS).
        execArgv: ['--max-old-space-size=96'],
      },
    );
    const { url } = await new Promise<{ url: string }>((resolve) =>
      child?.once('message', (m) => resolve(m as { url: string })),
    );
    const sdk = createProducer(kafka, {
      service: { name: 'orders-svc' },
      transport: 'sidecar',
      sidecar: { url, failMode: 'closed', batchSize: BATCH },
    });
    await sdk.connect();
    const evidenceLag: number[] = [];
    const evidenceConsumed = consumeAll('bench.evidence', RECORDS, (value) => {
      const e = JSON.parse(value.toString()) as { processing_time: string };
      evidenceLag.push(Date.now() - Date.parse(e.processing_time));
    });
    const sideConsumed = consumeAll('bench.sidecar', RECORDS);
    const sideStart = performance.now();
    await pump((messages) => sdk.send({ topic: 'bench.sidecar', messages }));
    const sideRate = RECORDS / (((await sideConsumed) - sideStart) / 1000);
    await evidenceConsumed;
    await sdk.disconnect();
    child.send('stop');
    const { peakRss } = await new Promise<{ peakRss: number }>((resolve) =>
      child?.once('message', (m) => resolve(m as { peakRss: number })),
    );

    console.log(`(c) raw kafkajs produce→consume:           ${fmt(rawRate)} records/s`);
    console.log(
      `(c) SDK → sidecar → Kafka produce→consume:  ${fmt(sideRate)} records/s (with evidence)`,
    );
    console.log(
      `(c) ratio sidecar / raw:                    ${fmt(sideRate / rawRate, 3)} (target >= 0.75)`,
    );
    console.log(
      `(c) evidence lag p50 / p99:                 ${fmt(percentile(evidenceLag, 50))} / ${fmt(percentile(evidenceLag, 99))} ms (target p99 <= 2,000)`,
    );
    console.log(
      `(c) sidecar peak RSS:                       ${fmt(peakRss / 1024 / 1024, 1)} MB (target < 150)`,
    );
  } finally {
    child?.kill();
    await server.stop();
  }
  process.exit(0);
}
