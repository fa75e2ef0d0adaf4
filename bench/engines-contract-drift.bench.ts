// Hot path of the contract compliance and schema drift engines: `observe()` per evidence document
// (healthy traffic and 10 % contract failures), against JSON.parse of the same Evidence v1 JSON
// measured in the same run (the floor cost every engine pays to read evidence off the bus).
// Also prints the plain-JSON state size per dataset after a busy window (target < 4 KB).
// Run: node --import tsx bench/engines-contract-drift.bench.ts (from the repository root)

// @ts-expect-error -- stats.mjs is plain JavaScript shared by every benchmark (no declarations).
import { fmt, median, opsPerSecond } from './stats.mjs';

const src = '../packages/engines/src';
const { ContractEngine } = await import(`${src}/contract/contract-engine.ts`);
const { SchemaDriftEngine } = await import(`${src}/drift/schema-drift-engine.ts`);
const { datasetContext, evidence, windowAt } = await import(
  `${src}/contract/evidence-fixtures.test-data.ts`
);

const ds = datasetContext();
const window = windowAt(0);
const POOL = 2_000;
const healthy = Array.from({ length: POOL }, (_, i) =>
  evidence({ i, time: window.start + i * 100 }),
);
const failing = Array.from({ length: POOL }, (_, i) =>
  evidence({
    i,
    time: window.start + i * 100,
    ...(i % 10 === 0 ? { contractCodes: ['MISSING_FIELD:customer_id'] } : {}),
  }),
);
const json = healthy.map((e: unknown) => JSON.stringify(e));

let sink = 0;
const contract = new ContractEngine();
const drift = new SchemaDriftEngine();
let cs = contract.initialState(ds);
let cf = contract.initialState(ds);
let dsState = drift.initialState(ds);
const cases: Array<[string, (i: number) => void]> = [
  [
    'JSON.parse of the evidence (baseline)',
    (i) => (sink += JSON.parse(json[i % POOL] as string).sample_weight),
  ],
  [
    'contract observe, healthy',
    (i) => (cs = contract.observe(cs, healthy[i % POOL], 1, window, ds)),
  ],
  [
    'contract observe, 10 % failing',
    (i) => (cf = contract.observe(cf, failing[i % POOL], 1, window, ds)),
  ],
  ['drift observe', (i) => (dsState = drift.observe(dsState, healthy[i % POOL], 1, window, ds))],
];

const ROUNDS = 7;
const ITERATIONS = 50_000;
for (const [, fn] of cases) for (let i = 0; i < 20_000; i++) fn(i);
const rates: number[][] = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach(([, fn], index) =>
    rates[index]?.push(opsPerSecond(fn, { iterations: ITERATIONS, runs: 1, warmup: 0 })),
  );
}
const baseline = median(rates[0]);
console.log(
  `evidence JSON: ${(json[0] as string).length} bytes; median of ${ROUNDS} interleaved runs x ${fmt(ITERATIONS)}`,
);
cases.forEach(([name], index) => {
  const rate = median(rates[index]);
  console.log(
    `${name.padEnd(40)} ${fmt(rate).padStart(12)} /s  ${fmt(1e6 / rate, 2).padStart(6)} µs  ratio to baseline ${fmt(rate / baseline, 2)}`,
  );
});
const sizes = [
  ['contract state after a healthy window', contract.closeWindow(cs, window, ds, window.end).state],
  ['contract state after a failing window', contract.closeWindow(cf, window, ds, window.end).state],
  ['drift state after a window', drift.closeWindow(dsState, window, ds, window.end).state],
] as const;
for (const [name, state] of sizes)
  console.log(`${name.padEnd(40)} ${JSON.stringify(state).length} bytes (target < 4096)`);
if (sink === -1) console.log('unreachable');
