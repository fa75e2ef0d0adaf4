#!/usr/bin/env node
// Watchdog started (detached) by the test harness. The harness writes lines to our stdin:
//   "+<pgid>" a process group to kill, "-<pgid>" forget it, "+dir:<path>" a temp dir to remove,
//   "-dir:<path>" forget it. When stdin ends - the harness closed it, or its process died in any way
//   (SIGKILL included) - we kill what is still registered and remove the dirs, so no JVM outlives
//   the test run. Plain JS so it runs with bare `node`.
import { rmSync } from 'node:fs';
import { setTimeout } from 'node:timers';

const groups = new Set();
const dirs = new Set();
let buffered = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    const sign = line[0];
    const rest = line.slice(1);
    const target = rest.startsWith('dir:') ? dirs : groups;
    const value = rest.startsWith('dir:') ? rest.slice(4) : Number(rest);
    if (target === groups && !(Number.isInteger(value) && value > 1)) continue;
    if (sign === '+') target.add(value);
    else if (sign === '-') target.delete(value);
  }
});

function signalAll(signal) {
  let alive = 0;
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
      alive++;
    } catch {
      groups.delete(pgid);
    }
  }
  return alive;
}

function removeDirs() {
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

process.stdin.on('end', finish);
process.stdin.on('error', finish);
process.on('SIGTERM', () => undefined);
process.on('SIGINT', () => undefined);

let finishing = false;
function finish() {
  if (finishing) return;
  finishing = true;
  if (signalAll('SIGTERM') === 0) {
    removeDirs();
    process.exit(0);
  }
  setTimeout(() => {
    signalAll('SIGKILL');
    setTimeout(() => {
      removeDirs();
      process.exit(0);
    }, 500);
  }, 5000);
}
