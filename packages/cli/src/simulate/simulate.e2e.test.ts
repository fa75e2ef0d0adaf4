import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RcaReport } from '@signal-factory/copilot';
import { describe, expect, it } from 'vitest';

import { runCli } from '../cli/main';
import { loadScenario, type Scenario } from '../scenario';
import { exampleScenario } from '../test-support/paths';
import { simulate } from './simulate';

async function scenario(file: string): Promise<Scenario> {
  const loaded = await loadScenario(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.scenario;
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sf-sim-'));

// A short scenario: a drop_fields deploy 12 minutes in, 120 records/min.
const SHORT = `
name: short-bad-deploy
start: 2026-02-02T08:00:00Z
duration: 20m
seed: 3
datasets:
  - urn: urn:dp:shop:payments
    topic: raw.payments
    producer: payments-svc
    identity: header
    tier: 2
    contract: ${JSON.stringify(exampleScenario('orders-created.odcs.yaml'))}
    policy: observe
lineage:
  - job: ledger
    owner: finance-team
    tier: 1
    reads: [urn:dp:shop:payments]
services:
  - { name: payments-svc, version: "1.0", owner: payments-team }
traffic:
  - dataset: urn:dp:shop:payments
    rate: 120/min
    record:
      order_id: uuid
      customer_id: { pattern: "C[0-9]{6}" }
      amount: { float: [5, 500] }
      currency: { enum: [EUR, USD, GBP] }
      created_at: event_time
deployments:
  - { at: "+12m", service: payments-svc, version: "1.1", commit: abc1234, effect: { drop_fields: [amount] } }
expect:
  incident_count: 1
  rca:
    root_cause: { service: payments-svc, version: "1.1" }
    reason_codes_include: ["MISSING_FIELD:amount"]
    blast_radius_includes: [ledger]
`;

describe('simulate (embedded platform, end to end)', () => {
  it('steel thread: every expectation passes and the RCA names orders-svc 3.17', async () => {
    const report = await simulate(await scenario(exampleScenario('steel-thread.yaml')));
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.incidents).toHaveLength(1);
    expect(report.incidents[0]).toMatchObject({
      severity: 'SEV-1',
      dataset_urns: ['urn:dp:orders:created'],
    });
    const rca = report.rca[0]!;
    expect(rca.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { service: 'orders-svc', version: '3.17', commit: '9f31c2d' },
    });
    expect(rca.confidence.level).toBe('HIGH');
    expect(rca.reason_codes.map((r) => r.code)).toContain('MISSING_FIELD:customer_id');
    expect(rca.blast_radius.entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['finance-pipeline', 'analytics-dashboard']),
    );
    // Every record went through the SDK and the gates: evidence for each one (no sampling at tier 1).
    expect(report.stats.evidence).toBe(report.stats.records);
    expect(report.stats.records).toBeGreaterThan(17_000);
  }, 180_000);

  it('quiet deploy: an additive field opens no incident', async () => {
    const report = await simulate(await scenario(exampleScenario('quiet-deploy.yaml')));
    expect(report.incidents).toEqual([]);
    expect(report.passed).toBe(true);
    // The additive drift is seen, but does not page.
    expect(
      report.signals.some((s) => s.signal_type === 'SCHEMA_DRIFT' && s.state === 'WARNING'),
    ).toBe(true);
  }, 180_000);

  it('the same bug rolled back and re-introduced: the second incident blames the second deployment', async () => {
    const report = await simulate(await scenario(exampleScenario('redeploy-same-bug.yaml')));
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.incidents).toHaveLength(2);
    const [first, second] = [...report.incidents].sort((a, b) =>
      a.opened_at.localeCompare(b.opened_at),
    );
    const rcaOf = (id: string | undefined) => report.rca.find((r) => r.incident_id === id);
    // One failure signature, two episodes: INTRODUCED from 3.17 and from 3.19.
    expect(rcaOf(first?.incident_id)?.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { version: '3.17', commit: '9f31c2d' },
    });
    const rca2 = rcaOf(second?.incident_id);
    expect(rca2?.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { version: '3.19', commit: '77aa0e1' },
    });
    expect(rca2?.confidence.level).toBe('HIGH');
    expect(rca2?.first_bad?.time.localeCompare('2026-01-15T10:05:00.000Z')).toBeGreaterThanOrEqual(
      0,
    );
    expect(rca2?.failure_signatures.map((f) => f.introduced_by?.version)).toEqual(['3.19']);
    expect(rca2?.graph.edges.INTRODUCED).toBe(2);
  }, 180_000);

  it('is deterministic for a seed, and --json prints the documented shape', async () => {
    const file = join(dir, 'short.yaml');
    writeFileSync(file, SHORT);
    const first = io();
    const code = await runCli(['simulate', file, '--json'], first.io);
    expect(first.err()).toBe('');
    const doc = JSON.parse(first.out()) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual([
      'checks',
      'incidents',
      'passed',
      'rca',
      'scenario',
      'signals',
    ]);
    expect(doc.scenario).toBe('short-bad-deploy');
    expect(doc.passed).toBe(true);
    expect(code).toBe(0);
    // The DQ rule (no email field) is broken from the start and opens the incident; 1.1 (+12m) is
    // timed against its own failure's first bad record, not the DQ one.
    const rca = (doc.rca as RcaReport[])[0];
    expect(rca?.first_bad?.time.startsWith('2026-02-02T08:00:')).toBe(true);
    expect(rca?.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { service: 'payments-svc', version: '1.1' },
    });
    expect(rca?.root_cause.statement).toMatch(/introduced MISSING_FIELD:amount at 08:12:\d\d\.$/);
    expect(rca?.confidence.level).toBe('HIGH');
    const again = io();
    await runCli(['simulate', file, '--json'], again.io);
    expect(JSON.parse(again.out())).toEqual(doc);
    // Another seed: other records, same conclusion.
    const seeded = io();
    expect(await runCli(['simulate', file, '--json', '--seed', '99'], seeded.io)).toBe(0);
    const other = JSON.parse(seeded.out()) as { signals: Array<{ metrics: unknown }> };
    expect(other.signals).not.toEqual(doc.signals);
  }, 180_000);

  it('exits 1 and says which expectation failed', async () => {
    const file = join(dir, 'wrong.yaml');
    writeFileSync(
      file,
      SHORT.replace('incident_count: 1', 'incident_count: 2').replace(
        'MISSING_FIELD:amount',
        'MISSING_FIELD:currency',
      ),
    );
    const t = io();
    const code = await runCli(['simulate', file, '--quiet'], t.io);
    expect(t.err()).toBe('');
    expect(code).toBe(1);
    expect(t.out()).toMatch(/✘ incident_count: 2 — actual: "1/);
    expect(t.out()).toMatch(/✘ rca\.reason_codes_include: MISSING_FIELD:currency/);
    expect(t.out()).toMatch(/✔ rca\.root_cause: payments-svc 1\.1/);
    expect(t.out()).toContain('FAILED');
  }, 180_000);
});
