import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../cli/main';
import { platformConfigProblems } from '../config/platform-config';
import { exampleScenario } from '../test-support/paths';
import { ORDERS_RECORD_YAML } from '../test-support/orders-record';

// A tier-1 dataset whose producer drops a required field 10 minutes in.
const SCENARIO = `
name: alerting-bad-deploy
start: 2026-02-02T08:00:00Z
duration: 20m
seed: 3
datasets:
  - urn: urn:dp:shop:payments
    topic: raw.payments
    producer: payments-svc
    identity: header
    tier: 1
    contract: ${JSON.stringify(exampleScenario('orders-created.odcs.yaml'))}
    policy: observe
services:
  - { name: payments-svc, version: "1.0", owner: payments-team }
traffic:
  - dataset: urn:dp:shop:payments
    rate: 120/min
${ORDERS_RECORD_YAML}
deployments:
  - { at: "+10m", service: payments-svc, version: "1.1", commit: abc1234, effect: { drop_fields: [amount] } }
expect:
  incident_count: 1
`;

describe('platform alerts', () => {
  it("routes an incident's alert to the configured webhook by severity, with the link base", async () => {
    const received: Array<{ path: string; body: Record<string, unknown> }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'sf-alerts-'));
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    writeFileSync(
      join(dir, 'platform.yaml'),
      [
        'alerts:',
        '  sinks:',
        `    - { name: pager, url: "${base}/pager" }`,
        `    - { name: chat, url: "${base}/chat" }`,
        '  routes:',
        '    - { severities: [SEV-1], sinks: [pager] }',
        '  defaultRoute: { sinks: [chat] }',
        '  linkBase: https://copilot.example/incidents',
      ].join('\n'),
    );
    const out: string[] = [];
    try {
      const code = await runCli(
        ['simulate', join(dir, 'scenario.yaml'), '--config', join(dir, 'platform.yaml'), '--json'],
        { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => undefined } },
      );
      expect(code).toBe(0);
    } finally {
      server.close();
    }
    const report = JSON.parse(out.join('')) as { incidents: Array<{ incident_id: string }> };
    const id = report.incidents[0]!.incident_id;
    expect(received.map((r) => [r.path, r.body.kind, r.body.severity])).toContainEqual([
      '/pager',
      'opened',
      'SEV-1',
    ]);
    expect(received.every((r) => r.path === '/pager')).toBe(true);
    expect(received[0]!.body.link).toBe(`https://copilot.example/incidents/${id}`);
  }, 120_000);

  it('reports a bad alerts section with its path', () => {
    expect(platformConfigProblems({ alerts: { sinks: [] } })).toEqual([
      { path: 'alerts.sinks', message: 'must list at least one sink' },
    ]);
    const problems = platformConfigProblems({
      alerts: { sinks: [{ name: 'pager', url: 'http://x' }], routes: [{ sinks: ['nobody'] }] },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('routes[0].sinks[0]');
    expect(platformConfigProblems({ alerts: { sinks: [], paging: true } })[0]).toMatchObject({
      path: 'alerts.paging',
    });
  });
});
