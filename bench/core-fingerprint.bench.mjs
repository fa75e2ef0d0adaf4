// Hot path of gate G3 and of evidence ids: shape fingerprint and RFC 8785 canonicalisation of a
// ~500-byte order event, against JSON.parse of the same payload measured in the same run.
// Run: (cd packages/core && npx tsup) && node bench/core-fingerprint.bench.mjs
import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, median, opsPerSecond } from './stats.mjs';

const distUrl = new URL('../packages/core/dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(distUrl))) {
  console.error(
    'core-fingerprint: packages/core/dist/index.js is missing; build it first: cd packages/core && npx tsup',
  );
  process.exit(1);
}
const { canonicalize, createShapeFingerprinter, shapeFingerprint } = await import(distUrl.href);

const payload = JSON.stringify({
  order_id: 'ord_01HZX3K9Q7M2',
  created_at: '2026-11-25T10:00:00.123Z',
  status: 'PAID',
  channel: 'web',
  customer: { id: 'cus_8812', email: 'jane.doe@example.com', tier: 'gold', country: 'DE' },
  amount: { total: 129.9, currency: 'EUR', tax: 20.74, discount: 0 },
  items: [
    { sku: 'SKU-1001', name: 'Trail shoe', qty: 1, unit_price: 99.9 },
    { sku: 'SKU-2002', name: 'Sock pack', qty: 2, unit_price: 15 },
  ],
  shipping: { method: 'express', address: { city: 'Berlin', postcode: '10115' } },
  coupon: null,
  gift: false,
});
const event = JSON.parse(payload);
const uncached = createShapeFingerprinter({ cacheSize: 0 });
const ROUNDS = 7;
const ITERATIONS = 30_000;

let sink = 0;
const cases = [
  ['JSON.parse (baseline)', () => (sink += JSON.parse(payload).items.length)],
  ['shapeFingerprint (cache hit)', () => (sink += shapeFingerprint(event).length)],
  ['shapeFingerprint (no cache)', () => (sink += uncached.fingerprint(event).length)],
  ['canonicalize (RFC 8785)', () => (sink += canonicalize(event).length)],
];

// Rounds interleave the cases so load changes on a shared machine hit them all alike.
for (const [, fn] of cases) for (let i = 0; i < 10_000; i++) fn();
const rates = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach(([, fn], index) =>
    rates[index].push(opsPerSecond(fn, { iterations: ITERATIONS, runs: 1, warmup: 0 })),
  );
}

console.log(
  `payload: ${Buffer.byteLength(payload)} bytes; median of ${ROUNDS} interleaved runs x ${fmt(ITERATIONS)} events`,
);
const baseline = median(rates[0]);
cases.forEach(([name], index) => {
  const rate = median(rates[index]);
  console.log(
    `${name.padEnd(30)} ${fmt(rate).padStart(12)} events/s  ${fmt(1e6 / rate, 2).padStart(7)} µs/event  ${fmt(rate / baseline, 2).padStart(6)}x JSON.parse`,
  );
});
if (sink === 0) console.log('unreachable');
