// Incident manager hot paths on the embedded state store (no graph, no alerts): the OK heartbeat
// of a dataset in an open incident (the most frequent signal), the CRITICAL heartbeat of a member
// already CRITICAL, and a new dataset joining by failure signature. Baseline in the same run: one
// StateStore `get` plus one conditional `put` per signal, the least any persisted handler does.
// Prints µs per signal (median of 3 runs) and the cost as a multiple of the baseline.
// Run: node --import tsx bench/engines-incidents.bench.ts (from the repository root)

// @ts-expect-error -- stats.mjs is plain JavaScript shared by every benchmark (no declarations).
import { fmt, median } from './stats.mjs';

const src = '../packages';
const { InMemoryStateStore } = await import(`${src}/core/src/index.ts`);
const { IncidentManager } = await import(`${src}/engines/src/incidents/incident-manager.ts`);
const { makeSignal } = await import(`${src}/engines/src/incidents/fixtures.test-data.ts`);

const started = Date.now();
const T0 = Date.parse('2026-11-25T10:00:00Z');
const N = 1_000;
const RUNS = 3;
const SIG = `sha256:${'c'.repeat(64)}`;

async function time(fn: (i: number) => Promise<unknown>, n = N): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - start) / 1e3 / n; // µs per op
}

async function baseline(): Promise<number> {
  const store = new InMemoryStateStore();
  const key = { pk: 'incident#inc-1', sk: 'members' };
  await store.put('IncidentIndex', key, { n: 0 });
  return time(async (i) => {
    const item = await store.get('IncidentIndex', key);
    await store.put('IncidentIndex', key, { n: i }, { expectedVersion: item?.version ?? 0 });
  });
}

async function scenario(kind: 'ok' | 'critical' | 'join'): Promise<number> {
  let now = T0;
  const manager = new IncidentManager({
    store: new InMemoryStateStore(),
    now: () => now,
    tickIntervalMs: 0,
    autoResolveAfterMs: 86_400_000,
  });
  const urn = 'urn:dp:bench:orders';
  await manager.handleSignal(makeSignal({ dataset_urn: urn, failure_signature_ids: [SIG], now }));
  const signals = Array.from({ length: N }, (_, i) =>
    kind === 'join'
      ? makeSignal({
          dataset_urn: `urn:dp:bench:ds${i}`,
          failure_signature_ids: [SIG],
          now: T0 + i,
        })
      : makeSignal({
          dataset_urn: urn,
          state: kind === 'ok' ? (i % 2 === 0 ? 'OK' : 'WARNING') : 'CRITICAL',
          failure_signature_ids: kind === 'critical' ? [SIG] : [],
          now: T0 + i,
        }),
  );
  const result = await time(async (i) => {
    now = T0 + i;
    await manager.handleSignal(signals[i]);
  });
  await manager.close();
  return result;
}

const base: number[] = [];
const results: Record<'ok' | 'critical' | 'join', number[]> = { ok: [], critical: [], join: [] };
for (let r = 0; r < RUNS; r++) base.push(await baseline());
const b = median(base);
console.log(`baseline get+conditional put: ${fmt(b, 1)} µs/op`);
for (const [kind, label] of [
  ['ok', 'OK/WARNING heartbeat of an incident member'],
  ['critical', 'CRITICAL heartbeat (member already CRITICAL)'],
  ['join', 'new dataset joining by failure signature (1,000 datasets into one incident)'],
] as const) {
  for (let r = 0; r < RUNS; r++) results[kind].push(await scenario(kind));
  const m = median(results[kind]);
  console.log(
    `${label}: ${fmt(m, 1)} µs/signal, ${fmt(1e6 / m)} signals/s, ${fmt(m / b, 1)}× baseline`,
  );
}
console.log(`done in ${fmt((Date.now() - started) / 1000, 1)} s`);
