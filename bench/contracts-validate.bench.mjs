// Validation throughput of a compiled ODCS contract (the steel-thread orders-created contract)
// against raw ajv validating the equivalent hand-written JSON Schema, in the same process.
// Targets: valid path >= 0.9 of raw ajv; invalid path with full reason codes >= 0.5 of raw ajv
// with allErrors. Runs against packages/contracts/dist (run tsup first; bench/run.mjs builds).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..', 'packages', 'contracts');
const { compileContract, loadContract } = await import(join(pkgDir, 'dist', 'index.js'));
// The same ajv 8 + ajv-formats the contracts package uses (the repo root has eslint's ajv 6).
const requireFromPkg = createRequire(join(pkgDir, 'package.json'));
const Ajv = requireFromPkg('ajv');
const addFormats = requireFromPkg('ajv-formats');

const contractPath = resolve(
  here,
  '..',
  '..',
  'shared',
  'scenarios',
  'examples',
  'orders-created.odcs.yaml',
);
const compiled = compileContract(loadContract(readFileSync(contractPath, 'utf8')));

const handWritten = {
  type: 'object',
  properties: {
    order_id: { type: 'string' },
    customer_id: { type: 'string', pattern: '^C[0-9]{6}$' },
    amount: { type: 'number', minimum: 0 },
    currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
    email: { type: ['string', 'null'], format: 'email' },
    discount_code: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['order_id', 'customer_id', 'amount', 'currency', 'created_at'],
};
const rawFast = new Ajv({ strict: false });
addFormats(rawFast);
const rawValidate = rawFast.compile(handWritten);
const rawAll = new Ajv({ strict: false, allErrors: true });
addFormats(rawAll);
const rawValidateAll = rawAll.compile(handWritten);

const N = 1024;
const valid = [];
const invalid = [];
for (let i = 0; i < N; i++) {
  const r = {
    order_id: `0b6f3c1e-8c1a-4f0e-9d43-${String(100000000000 + i).slice(-12)}`,
    customer_id: `C${String(100000 + i).padStart(6, '0')}`,
    amount: 5 + ((i * 7.31) % 495),
    currency: ['EUR', 'USD', 'GBP'][i % 3],
    email: `user${i}@example.com`,
    created_at: new Date(Date.UTC(2026, 0, 15, 9) + i * 1000).toISOString(),
  };
  valid.push(r);
  const bad = { ...r };
  switch (i % 4) {
    case 0:
      delete bad.customer_id; // the steel-thread fault
      break;
    case 1:
      bad.currency = 'JPY';
      bad.amount = -1;
      break;
    case 2:
      bad.amount = String(bad.amount);
      bad.email = 'not-an-email';
      break;
    default:
      bad.customer_id = null;
      bad.created_at = 'yesterday';
  }
  invalid.push(bad);
}

// Sanity: both sides agree on every record.
for (const r of valid)
  if (!rawValidate(r) || !compiled.validate(r).valid) throw new Error('valid record rejected');
for (const r of invalid)
  if (rawValidate(r) || compiled.validate(r).valid) throw new Error('invalid record accepted');

const mask = N - 1;
let sink = 0;
const cases = {
  'raw ajv, valid': (i) => {
    if (rawValidate(valid[i & mask])) sink++;
  },
  'contract, valid': (i) => {
    if (compiled.validate(valid[i & mask]).valid) sink++;
  },
  'raw ajv allErrors, invalid': (i) => {
    if (!rawValidateAll(invalid[i & mask])) sink += rawValidateAll.errors.length;
  },
  'contract + reason codes, invalid': (i) => {
    sink += compiled.validate(invalid[i & mask]).reasonCodes.length;
  },
};

// Rounds alternate which side runs first, and each ratio is taken within one round, so drift
// from a busy machine hits both sides alike; the reported ratio is the median over rounds.
// Rates are per second of this process's CPU time (user + system), not wall time, so being
// descheduled on a shared machine does not count against either side.
function opsPerCpuSecond(fn, { iterations, warmup }) {
  for (let i = 0; i < warmup; i++) fn(i);
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn(i);
  const used = process.cpuUsage(before);
  return iterations / ((used.user + used.system) / 1e6);
}
const rounds = 11;
const rates = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const validRatios = [];
const invalidRatios = [];
const started = Date.now();
for (let round = 0; round < rounds; round++) {
  const r = {};
  const order = Object.entries(cases);
  if (round % 2 === 1) order.reverse();
  for (const [name, fn] of order) {
    r[name] = opsPerCpuSecond(fn, { iterations: 150_000, warmup: round === 0 ? 50_000 : 5_000 });
    rates[name].push(r[name]);
  }
  validRatios.push(r['contract, valid'] / r['raw ajv, valid']);
  invalidRatios.push(r['contract + reason codes, invalid'] / r['raw ajv allErrors, invalid']);
}

for (const [name, list] of Object.entries(rates)) {
  console.log(
    `${name.padEnd(36)} ${fmt(median(list)).padStart(12)} records per CPU-second (median of ${rounds})`,
  );
}
const validRatio = median(validRatios);
const invalidRatio = median(invalidRatios);
console.log(
  `ratio valid   (contract / raw ajv)            ${validRatio.toFixed(2)}  target >= 0.90 ${validRatio >= 0.9 ? 'PASS' : 'MISS'}`,
);
console.log(
  `ratio invalid (contract+codes / ajv allErrors) ${invalidRatio.toFixed(2)}  target >= 0.50 ${invalidRatio >= 0.5 ? 'PASS' : 'MISS'}`,
);
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s, sink ${sink > 0 ? 'ok' : 'empty'})`);
