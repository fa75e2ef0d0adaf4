// The embedded ports on the all-in-one runner's hot paths: evidence through InMemoryEvidenceBus
// (publish in batches of 100, one consumer group, 8 partitions), InMemoryStateStore put + get of a
// signal-state item, and a 3-hop InMemoryGraphStore traversal; each against JSON.parse of the same
// ~500-byte evidence payload measured in the same run.
// Run: (cd packages/core && npx tsup) && node bench/core-memory-ports.bench.mjs
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, median } from './stats.mjs';

const distUrl = new URL('../packages/core/dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(distUrl))) {
  console.error(
    'core-memory-ports: packages/core/dist/index.js is missing; build it first: cd packages/core && npx tsup',
  );
  process.exit(1);
}
const { InMemoryEvidenceBus, InMemoryGraphStore, InMemoryStateStore } = await import(distUrl.href);

const payload = JSON.stringify({
  dataset_urn: 'urn:dp:orders:created',
  producer: { service: 'orders-svc', version: '1.4.2', identity_confidence: 'HIGH' },
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  event_time: '2026-11-25T10:00:00.123Z',
  produce_time: '2026-11-25T10:00:00.150Z',
  processing_time: '2026-11-25T10:00:00.161Z',
  schema_fingerprint: 'sha256:9f2c1e0b7d4a5f6e8c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070605',
  contract: { id: 'orders-created', version: '2.1.0' },
  gates: { G1: 'PASS', G2: 'PASS', G3: 'PASS', G4: 'FAIL', G5: 'PASS' },
  reason_codes: ['MISSING_FIELD:customer_id', 'TYPE_MISMATCH:amount'],
  pii: [],
  sample_weight: 1,
});
const ROUNDS = 5;
const EVENTS = 20_000;
let sink = 0;

async function measure(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return EVENTS / (Number(process.hrtime.bigint() - start) / 1e9);
}

const parse = async () => {
  for (let i = 0; i < EVENTS; i++) sink += JSON.parse(payload).sample_weight;
};

const busRoundTrip = async () => {
  const bus = new InMemoryEvidenceBus({ defaultPartitions: 8 });
  let received = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await bus.subscribe({ groupId: 'bench', topics: ['evidence'] }, async (batch) => {
    received += batch.length;
    if (received === EVENTS) done();
  });
  for (let i = 0; i < EVENTS; i += 100) {
    const batch = [];
    for (let j = 0; j < 100; j++)
      batch.push({ key: `urn:dp:orders:d${(i + j) % 50}`, value: payload });
    await bus.publish('evidence', batch);
  }
  await finished;
  await bus.close();
};

const data = JSON.parse(payload);
const statePutGet = async () => {
  const store = new InMemoryStateStore();
  for (let i = 0; i < EVENTS; i++) {
    const key = { pk: `urn:dp:orders:d${i % 50}`, sk: `window#${i % 12}` };
    await store.put('SignalState', key, data);
    sink += (await store.get('SignalState', key)).version;
  }
};

const graph = new InMemoryGraphStore();
for (let i = 0; i < 400; i++)
  await graph.upsertVertex({ id: `v${i}`, label: 'Dataset', properties: { i } });
for (let i = 0; i < 400; i++) {
  for (const d of [1, 7, 31]) {
    await graph.upsertEdge({
      from: `v${i}`,
      to: `v${(i + d) % 400}`,
      label: 'FEEDS',
      properties: {},
    });
  }
}
const traverse = async () => {
  for (let i = 0; i < EVENTS / 100; i++) {
    sink += (await graph.traverse({ from: [`v${i % 400}`], direction: 'out', maxDepth: 3 })).length;
  }
};

const cases = [
  ['JSON.parse (baseline)', parse, 1],
  ['bus publish+consume, batch 100', busRoundTrip, 1],
  ['state put+get', statePutGet, 1],
  ['graph traverse 3 hops (x100)', traverse, 100],
];
await parse();
await busRoundTrip();
const rates = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, [, fn]] of cases.entries()) rates[index].push(await measure(fn));
}
console.log(
  `evidence payload: ${payload.length} bytes; median of ${ROUNDS} interleaved runs x ${fmt(EVENTS)} events`,
);
const baseline = median(rates[0]);
cases.forEach(([name, , scale], index) => {
  const rate = median(rates[index]) / scale;
  const unit = scale === 1 ? 'events/s' : 'ops/s   ';
  console.log(
    `${name.padEnd(32)} ${fmt(rate).padStart(12)} ${unit}  ${fmt(1e6 / rate, 2).padStart(8)} µs/op  ${fmt(rate / baseline, 3).padStart(7)}x JSON.parse`,
  );
});
if (sink === 0) console.log('unreachable');
