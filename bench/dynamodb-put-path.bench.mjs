// Client-side CPU of one DynamoDbStateStore.put (argument checks, marshalling `data` to a DynamoDB
// map, the 400 KB size check, the result copy and command construction) with a stub client that
// answers at once, against JSON.stringify + JSON.parse of the same document in the same run.
// The network round trip (~1.5 ms on dynalite, ~5 ms on DynamoDB) is not part of it.
// Runs against packages/dynamodb/dist (bench/run.mjs builds first).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { DynamoDbStateStore } = await import(
  join(here, '..', 'packages', 'dynamodb', 'dist', 'index.js')
);

const client = { send: async () => ({}), destroy: () => undefined };
const store = new DynamoDbStateStore({ client });
const data = {
  state: 'WARNING',
  window: { start: '2026-11-25T10:00:00Z', end: '2026-11-25T10:05:00Z' },
  metrics: { count: 1843, failed: 12, lagSeconds: 41.5, p99Ms: 830.25 },
  reasonCodes: ['MISSING_FIELD:customer_id', 'TYPE_MISMATCH:amount', 'NULL_VIOLATION:email'],
  firstBad: { topic: 'orders.created', partition: 17, offset: '88123' },
  lastGood: { topic: 'orders.created', partition: 17, offset: '88100' },
  fingerprint: 'sha256:9f2c4e1a0b7d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a',
};
const key = { pk: 'urn:dp:orders:created', sk: 'FRESHNESS#2026-11-25T10:00:00Z' };
const bytes = JSON.stringify(data).length;

async function rate(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return iterations / (Number(process.hrtime.bigint() - start) / 1e9);
}

const put = (i) => store.put('SignalState', key, data, { expectedVersion: i + 1 });
const json = async () => JSON.parse(JSON.stringify(data));

const runs = 5;
const iterations = 20_000;
await rate(put, 5_000);
await rate(json, 5_000);
const puts = [];
const baselines = [];
for (let r = 0; r < runs; r++) {
  puts.push(await rate(put, iterations));
  baselines.push(await rate(json, iterations));
}
const p = median(puts);
const b = median(baselines);
console.log(`dynamodb put path (${bytes}-byte document, stub client, medians of ${runs})`);
console.log(`  JSON.stringify+parse baseline: ${fmt(b)} ops/s (${fmt(1e6 / b, 1)} µs)`);
console.log(
  `  DynamoDbStateStore.put:        ${fmt(p)} ops/s (${fmt(1e6 / p, 1)} µs)  ratio ${fmt(p / b, 2)}`,
);
await store.close();
