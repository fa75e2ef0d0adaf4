#!/usr/bin/env node
// Runs every bench/*.bench.{mjs,ts} file in its own process, one after another, so one
// benchmark's garbage and JIT state never skews the next. Each file prints its own medians
// and ratios against a baseline it measures in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => /\.bench\.(mjs|ts)$/.test(f))
  .filter((f) => !filter || f.includes(filter))
  .sort();

const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: join(here, '..') });
if (build.status !== 0) {
  console.error('bench: `npm run build` failed; benchmarks run against dist/.');
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const args = file.endsWith('.ts') ? ['--import', 'tsx', join(here, file)] : [join(here, file)];
  const run = spawnSync(process.execPath, ['--expose-gc', ...args], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed += 1;
    console.error(`bench: ${file} exited with ${run.status}`);
  }
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
