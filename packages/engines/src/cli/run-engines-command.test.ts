import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineRuntime } from '../runtime/engine-runtime';
import { ENGINES_EXIT, resolveEnginesConfig, runEnginesCommand } from './run-engines-command';

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
});
