import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@signal-factory/core/testing';
import { describe, expect, it } from 'vitest';
import { makeSignal } from '../incidents/fixtures.test-data';
import { evidence } from '../runtime/fixtures.test-data';
import type { EngineRuntime } from '../runtime/engine-runtime';
import {
  ENGINES_EXIT,
  resolveEnginesConfig,
  runEnginesCommand,
  type EnginesCommandParts,
} from './run-engines-command';

function io(env: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (c: string) => out.push(c) },
      stderr: { write: (c: string) => err.push(c) },
      env,
      ...extra,
    },
  };
}

describe('runEnginesCommand', () => {
  it('prints usage', async () => {
    const t = io();
    expect(await runEnginesCommand(['--help'], t.io)).toBe(ENGINES_EXIT.OK);
    expect(t.out.join('')).toContain('signal-factory-engines');
  });

  it('rejects unknown arguments and engines with exit 2', async () => {
    const a = io();
    expect(await runEnginesCommand(['--bogus'], a.io)).toBe(ENGINES_EXIT.USAGE);
    expect(a.err.join('')).toContain('unknown argument --bogus');
    const b = io();
    expect(await runEnginesCommand(['--engines', 'freshness,nope'], b.io)).toBe(ENGINES_EXIT.USAGE);
    expect(b.err.join('')).toContain('unknown engine(s) nope');
    const c = io({ SF_ENGINES_WINDOW_MS: 'five' });
    expect(await runEnginesCommand(['config'], c.io)).toBe(ENGINES_EXIT.USAGE);
    expect(c.err.join('')).toContain('SF_ENGINES_WINDOW_MS');
  });

  it('resolves the config file, then the environment, then flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-engines-'));
    writeFileSync(
      join(dir, 'engines.json'),
      JSON.stringify({ windowMs: 60_000, engines: ['volume'], kafka: { brokers: ['a:1'] } }),
    );
    writeFileSync(join(dir, 'datasets.json'), JSON.stringify([{ urn: 'urn:dp:a:b', tier: 1 }]));
    const config = await resolveEnginesConfig(
      ['--config', 'engines.json', '--datasets', 'datasets.json', '--engines', 'freshness'],
      { cwd: dir, env: { SF_KAFKA_BROKERS: 'b:2,c:3', SF_ENGINES_GRACE_MS: '1000' } },
    );
    expect(config).toMatchObject({
      windowMs: 60_000,
      graceMs: 1000,
      engines: ['freshness'],
      kafka: { brokers: 'b:2,c:3' },
      datasets: [{ urn: 'urn:dp:a:b', tier: 1 }],
    });
    const t = io({}, { cwd: dir });
    expect(await runEnginesCommand(['config', '--config', 'engines.json'], t.io)).toBe(0);
    expect(JSON.parse(t.out.join(''))).toMatchObject({
      bus: 'kafka',
      state: 'embedded',
      engines: ['volume'],
    });
  });

  it('runs embedded until aborted', async () => {
    const controller = new AbortController();
    let started: EngineRuntime | undefined;
    const t = io(
      { SF_LOG_LEVEL: 'error' },
      {
        signal: controller.signal,
        onStarted: (r: EngineRuntime) => {
          started = r;
          setTimeout(() => controller.abort(), 20);
        },
      },
    );
    const code = await runEnginesCommand(
      ['run', '--engines', 'freshness,volume,contract,drift'],
      t.io,
    );
    expect(code).toBe(ENGINES_EXIT.OK);
    expect(Object.keys(started!.metrics().engines).sort()).toEqual([
      'contract',
      'drift',
      'freshness',
      'volume',
    ]);
  });
  it('runs the incident manager on the signals topic: a CRITICAL signal becomes a persisted incident', async () => {
    const controller = new AbortController();
    let parts: EnginesCommandParts | undefined;
    const t = io(
      { SF_LOG_LEVEL: 'error' },
      {
        signal: controller.signal,
        onStarted: (_r: EngineRuntime, p: EnginesCommandParts) => {
          parts = p;
        },
      },
    );
    const running = runEnginesCommand(['run', '--engines', 'contract'], t.io);
    await waitFor(() => parts !== undefined);
    expect(parts?.incidents).toBeDefined();
    expect(parts?.graph).toBeUndefined();
    const signal = makeSignal({ dataset_urn: 'urn:dp:orders:created', now: Date.now() });
    await parts!.bus.publish('signal_factory.signals', [
      { key: signal.dataset_urn, value: JSON.stringify(signal) },
    ]);
    await waitFor(async () => (await parts!.incidents!.list()).length > 0);
    const [incident] = await parts!.incidents!.list();
    expect(incident).toMatchObject({
      status: 'OPEN',
      dataset_urns: ['urn:dp:orders:created'],
      signal_ids: [signal.signal_id],
    });
    // Persisted in the state store the command runs on (IncidentIndex), not only in memory.
    const row = await parts!.state.get('IncidentIndex', {
      pk: `incident#${incident!.incident_id}`,
      sk: 'incident',
    });
    expect(row?.data).toMatchObject({ incident_id: incident!.incident_id, status: 'OPEN' });
    controller.abort();
    expect(await running).toBe(ENGINES_EXIT.OK);
  });

  it('alerts a webhook when an incident opens (SF_ALERT_WEBHOOK_URL), with the incident link', async () => {
    const received: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    const controller = new AbortController();
    let parts: EnginesCommandParts | undefined;
    const t = io(
      {
        SF_LOG_LEVEL: 'error',
        SF_ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/T0/B0/secret`,
        SF_ALERT_LINK_BASE: 'https://copilot.example/incidents',
      },
      {
        signal: controller.signal,
        onStarted: (_r: EngineRuntime, p: EnginesCommandParts) => {
          parts = p;
        },
      },
    );
    try {
      const running = runEnginesCommand(['run', '--engines', 'contract'], t.io);
      await waitFor(() => parts !== undefined);
      const signal = makeSignal({ dataset_urn: 'urn:dp:orders:created', now: Date.now() });
      await parts!.bus.publish('signal_factory.signals', [
        { key: signal.dataset_urn, value: JSON.stringify(signal) },
      ]);
      await waitFor(() => received.length > 0);
      const [incident] = await parts!.incidents!.list();
      expect(received[0]).toMatchObject({
        schema_version: 'alert/v1',
        kind: 'opened',
        incident_id: incident!.incident_id,
        dataset_urns: ['urn:dp:orders:created'],
        link: `https://copilot.example/incidents/${incident!.incident_id}`,
      });
      controller.abort();
      expect(await running).toBe(ENGINES_EXIT.OK);
    } finally {
      server.close();
    }
    // `config` shows the routing without the secret in the URL
    const c = io({ SF_ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/T0/B0/secret` });
    expect(await runEnginesCommand(['config'], c.io)).toBe(ENGINES_EXIT.OK);
    const printed = c.out.join('');
    expect(JSON.parse(printed).alerts).toEqual({
      sinks: [{ name: 'webhook', url: `http://127.0.0.1:${port}/***` }],
      defaultRoute: { sinks: ['webhook'] },
    });
    expect(printed).not.toContain('secret');
  });

  it('rejects a bad alerts configuration with exit 2 and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-engines-alerts-'));
    const file = join(dir, 'engines.json');
    for (const [alerts, field] of [
      [{ sinks: [{ name: 'x', url: 'ftp://nowhere' }] }, 'sinks[0]'],
      [{ sinks: [{ name: 'x', type: 'carrier-pigeon', url: 'http://x' }] }, 'sinks[0].type'],
      [
        { sinks: [{ name: 'x', url: 'http://x' }], routes: [{ sinks: ['y'] }] },
        'routes[0].sinks[0]',
      ],
      ['everything', 'must be an object'],
    ] as const) {
      writeFileSync(file, JSON.stringify({ alerts }));
      const t = io();
      expect(await runEnginesCommand(['config', '--config', file], t.io)).toBe(ENGINES_EXIT.USAGE);
      expect(t.err.join('')).toContain(field);
    }
  });

  it('turns incidents off with --no-incidents or SF_ENGINES_INCIDENTS=false, and names the graph', async () => {
    for (const [argv, env] of [
      [['run', '--no-incidents'], { SF_LOG_LEVEL: 'error' }],
      [['run'], { SF_LOG_LEVEL: 'error', SF_ENGINES_INCIDENTS: 'false' }],
    ] as const) {
      const controller = new AbortController();
      let parts: EnginesCommandParts | undefined;
      const t = io(
        { ...env },
        {
          signal: controller.signal,
          onStarted: (_r: EngineRuntime, p: EnginesCommandParts) => {
            parts = p;
            controller.abort();
          },
        },
      );
      expect(await runEnginesCommand([...argv], t.io)).toBe(ENGINES_EXIT.OK);
      expect(parts).toBeDefined();
      expect(parts?.incidents).toBeUndefined();
    }
    const c = io({ SF_GREMLIN_URL: 'ws://127.0.0.1:1/gremlin' });
    expect(await runEnginesCommand(['config'], c.io)).toBe(ENGINES_EXIT.OK);
    expect(JSON.parse(c.out.join(''))).toMatchObject({
      gremlin: { url: 'ws://127.0.0.1:1/gremlin' },
      graph: 'gremlin',
      incidents: true,
    });
    const bad = io({ SF_ENGINES_INCIDENTS: 'maybe' });
    expect(await runEnginesCommand(['config'], bad.io)).toBe(ENGINES_EXIT.USAGE);
    expect(bad.err.join('')).toContain('SF_ENGINES_INCIDENTS');
    const badUrl = io({ SF_GREMLIN_URL: 'http://x' });
    expect(await runEnginesCommand(['config'], badUrl.io)).toBe(ENGINES_EXIT.USAGE);
    expect(badUrl.err.join('')).toContain('gremlin.url');
  });
});

describe('runEnginesCommand with the dq engine', () => {
  const contractsDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-dq-contracts-'));
    writeFileSync(
      join(dir, 'orders.odcs.yaml'),
      readFileSync(
        new URL(
          '../../../../../shared/scenarios/examples/orders-created.odcs.yaml',
          import.meta.url,
        ),
        'utf8',
      ),
    );
    writeFileSync(join(dir, 'dataset.yaml'), 'kind: Dataset\nurn: urn:dp:orders:created\n');
    return dir;
  };

  it('needs a contracts directory, and reports what it loaded and skipped', async () => {
    const none = io();
    expect(await runEnginesCommand(['config', '--engines', 'dq'], none.io)).toBe(
      ENGINES_EXIT.USAGE,
    );
    expect(none.err.join('')).toContain('--contracts <dir>');
    const missing = io({ SF_ENGINES_CONTRACTS_DIR: '/nonexistent/sf-contracts' });
    expect(await runEnginesCommand(['config', '--engines', 'dq'], missing.io)).toBe(
      ENGINES_EXIT.USAGE,
    );
    const ok = io();
    expect(
      await runEnginesCommand(['config', '--engines', 'dq', '--contracts', contractsDir()], ok.io),
    ).toBe(ENGINES_EXIT.OK);
    const printed = JSON.parse(ok.out.join('')) as { dqRules: Record<string, unknown[]> };
    expect(printed.dqRules['urn:dp:orders:created']).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'nullValues', path: 'email' })]),
    );
    expect(ok.err.join('')).toContain('skipped dataset.yaml');
  });

  it("judges the contracts' aggregate rules: 20 % null emails is DQ CRITICAL", async () => {
    const controller = new AbortController();
    let parts: EnginesCommandParts | undefined;
    const t = io(
      {
        SF_LOG_LEVEL: 'error',
        SF_ENGINES_WINDOW_MS: '1000',
        SF_ENGINES_GRACE_MS: '100',
        SF_ENGINES_TICK_MS: '50',
      },
      {
        signal: controller.signal,
        onStarted: (_r: EngineRuntime, p: EnginesCommandParts) => {
          parts = p;
        },
      },
    );
    const running = runEnginesCommand(
      ['run', '--engines', 'dq', '--contracts', contractsDir(), '--no-incidents'],
      t.io,
    );
    await waitFor(() => parts !== undefined);
    const signals: Array<{ signal_type: string; state: string; reason: string }> = [];
    const sub = await parts!.bus.subscribe(
      { groupId: 'it-dq-signals', topics: ['signal_factory.signals'] },
      async (batch) => {
        for (const m of batch) signals.push(JSON.parse(m.value) as (typeof signals)[number]);
      },
    );
    const now = Date.now();
    const records = Array.from({ length: 100 }, (_, i) =>
      evidence('urn:dp:orders:created', now, {
        contract: { id: 'urn:dp:orders:created', version: '3.0.0' },
        ...(i % 5 === 0 ? { dq: ['nullValues:email'] } : {}),
      }),
    );
    await parts!.bus.publish(
      'signal_factory.evidence',
      records.map((r) => ({ key: r.dataset_urn ?? '', value: JSON.stringify(r) })),
    );
    await waitFor(() => signals.some((s) => s.signal_type === 'DQ'), { timeoutMs: 10_000 });
    expect(signals.find((s) => s.signal_type === 'DQ')).toMatchObject({
      state: 'CRITICAL',
      reason: expect.stringContaining('email nullValues 20% (must be < 1%)'),
    });
    await sub.close();
    controller.abort();
    expect(await running).toBe(ENGINES_EXIT.OK);
  });
});
