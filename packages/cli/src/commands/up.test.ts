import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../cli/main';
import { exampleScenario } from '../test-support/paths';

const SCENARIO = `
name: up-smoke
start: 2026-03-02T08:00:00Z
duration: 15m
seed: 5
datasets:
  - urn: urn:dp:orders:created
    topic: raw.orders.events
    producer: orders-svc
    identity: header
    tier: 1
    contract: ${JSON.stringify(exampleScenario('orders-created.odcs.yaml'))}
lineage:
  - { job: finance-pipeline, owner: finance-team, tier: 1, reads: [urn:dp:orders:created] }
services:
  - { name: orders-svc, version: "3.16", owner: orders-team }
traffic:
  - dataset: urn:dp:orders:created
    rate: 100/min
    record:
      order_id: uuid
      customer_id: { pattern: "C[0-9]{6}" }
      amount: { float: [5, 500] }
      currency: { enum: [EUR, USD, GBP] }
      created_at: event_time
deployments:
  - { at: "+6m", service: orders-svc, version: "3.17", commit: 9f31c2d, effect: { drop_fields: [customer_id] } }
expect:
  incident_count: 1
`;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('signal-factory up', () => {
  it('plays the scenario, prints the RCA last, then serves the copilot API until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-up-'));
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    const controller = new AbortController();
    const io = capture();
    const running = runCli(
      ['up', '--scenario', 'scenario.yaml', '--copilot-port', '0', '--lineage-port', '0'],
      { stdout: io.stdout, stderr: io.stderr, cwd: dir, signal: controller.signal },
    );
    let url: string | undefined;
    for (let i = 0; i < 600 && url === undefined; i++) {
      url = /copilot {2}(http:\/\/127\.0\.0\.1:\d+)\/v1\/incidents/.exec(io.out())?.[1];
      if (url === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, io.err()).toBeDefined();
    const text = io.out();
    // progress, expectations, then the RCA report, then the API addresses
    expect(text.indexOf('⇪ deploy orders-svc 3.17')).toBeGreaterThan(0);
    expect(text.indexOf('PASSED')).toBeGreaterThan(text.indexOf('⇪ deploy'));
    expect(text.indexOf('Root cause: deployment')).toBeGreaterThan(text.indexOf('PASSED'));
    expect(text).toContain('orders-svc 3.17 (commit 9f31c2d)');

    const list = (await (await fetch(`${url}/v1/incidents`)).json()) as {
      incidents: Array<{ incident_id: string; severity: string }>;
    };
    expect(list.incidents).toHaveLength(1);
    const id = list.incidents[0]!.incident_id;
    const rca = await runCli(['rca', id, '--json', '--url', url!], capture());
    expect(rca).toBe(0);
    const viaCli = capture();
    await runCli(['rca', id, '--json', '--url', url!], viaCli);
    expect(JSON.parse(viaCli.out())).toMatchObject({
      incident_id: id,
      root_cause: { kind: 'deployment', deployment: { service: 'orders-svc', version: '3.17' } },
    });
    const missing = capture();
    expect(await runCli(['rca', 'inc-nope', '--url', url!], missing)).toBe(3);

    controller.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/v1/incidents`)).rejects.toThrow();
  }, 180_000);

  it('live mode (no scenario, wall clock) also serves the sidecar hop', async () => {
    const controller = new AbortController();
    const io = capture();
    const running = runCli(
      ['up', '--copilot-port', '0', '--lineage-port', '0', '--sidecar-port', '0'],
      { stdout: io.stdout, stderr: io.stderr, signal: controller.signal },
    );
    let hop: string | undefined;
    for (let i = 0; i < 300 && hop === undefined; i++) {
      hop = /sidecar {2}(http:\/\/127\.0\.0\.1:\d+)\/v1\/produce/.exec(io.out())?.[1];
      if (hop === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(hop, io.err()).toBeDefined();
    expect(io.out()).toContain('platform up: bus embedded · state embedded · graph embedded');
    const response = await fetch(`${hop}/v1/produce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ topic: 'raw.unknown', key: 'k', value: '{"a":1}' }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      results: Array<{ status: string; reasonCodes: string[] }>;
    };
    expect(body.results[0]?.status).toBe('produced');
    expect(body.results[0]?.reasonCodes).toContain('UNRESOLVED_TOPIC');
    controller.abort();
    expect(await running).toBe(0);
  }, 60_000);
});
