// Simulator speed: simulated minutes per wall second for the steel thread's first 20 minutes on
// the embedded platform (every record through the producer SDK, the sidecar gates, the evidence
// bus and four engines), against a baseline measured in the same run: generating the same
// traffic plan without sending it. Imports the cli from src via tsx (the cli is not a library).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createTrafficPlan, parseScenario } from '../packages/cli/src/scenario/index';
import { simulate } from '../packages/cli/src/simulate/simulate';
// @ts-expect-error -- stats.mjs is plain JavaScript shared by every benchmark (no declarations).
import { fmt, median } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'examples', 'scenarios', 'steel-thread.yaml');
const text = readFileSync(file, 'utf8')
  .replace('duration: 75m', 'duration: 20m')
  .replace(/\nexpect:[\s\S]*$/, '\n');
const parsed = parseScenario(text, { file });
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const scenario = parsed.scenario;
const minutes = scenario.duration / 60_000;
const RUNS = 3;

const planRates: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const started = performance.now();
  let n = 0;
  for (const e of createTrafficPlan(scenario)) if (e.kind === 'record') n++;
  planRates.push(n / ((performance.now() - started) / 1000));
}

const simMinutesPerSecond: number[] = [];
const simMinutesPerCpuSecond: number[] = [];
const recordRates: number[] = [];
await simulate(scenario); // warm-up: module loading, ajv compiles
for (let r = 0; r < RUNS; r++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await simulate(scenario);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  simMinutesPerSecond.push(minutes / seconds);
  simMinutesPerCpuSecond.push(minutes / ((used.user + used.system) / 1e6));
  recordRates.push(report.stats.records / seconds);
}

const platform = median(recordRates);
const plan = median(planRates);
console.log(`scenario: steel-thread, ${minutes} simulated minutes, ${RUNS} runs (medians)`);
console.log(`  traffic plan only (baseline)      ${fmt(plan)} records/s`);
console.log(`  full embedded platform            ${fmt(platform)} records/s`);
console.log(
  `  simulator speed                   ${fmt(median(simMinutesPerSecond), 1)} simulated minutes per wall second`,
);
console.log(
  `  simulator speed per CPU second     ${fmt(median(simMinutesPerCpuSecond), 1)} simulated minutes (wall time inflates on a shared machine)`,
);
console.log(`  platform / plan ratio             ${fmt(platform / plan, 3)}`);
console.log(
  `  75-minute steel thread ≈ ${fmt(75 / median(simMinutesPerSecond), 1)} s of wall time`,
);
