import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { COMMANDS, runCli } from './main';

function io(extra: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: {},
      ...extra,
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sf-cli-'));

describe('runCli dispatch', () => {
  it('knows every subcommand of the architecture', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(
      ['contract', 'copilot', 'engines', 'lineage', 'rca', 'sidecar', 'simulate', 'up'].sort(),
    );
  });

  it('prints the usage with --help (exit 0) and without a command (exit 2)', async () => {
    const help = io();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('simulate <file> [--json]');
    const none = io();
    expect(await runCli([], none.io)).toBe(2);
    expect(none.err()).toContain('Usage: signal-factory <command>');
  });

  it('rejects an unknown command with exit 2 and names it', async () => {
    const t = io();
    expect(await runCli(['frobnicate'], t.io)).toBe(2);
    expect(t.err()).toContain('unknown command "frobnicate"');
  });

  it.each(['up', 'simulate', 'sidecar', 'lineage', 'copilot'])(
    '%s --help prints its own usage',
    async (command) => {
      const t = io();
      expect(await runCli([command, '--help'], t.io)).toBe(0);
      expect(t.out()).toContain(`signal-factory ${command}`);
    },
  );

  it('delegates engines, rca and contract to their packages', async () => {
    const engines = io();
    expect(await runCli(['engines', '--help'], engines.io)).toBe(0);
    expect(engines.out()).toContain('signal-factory-engines [run]');
    const rca = io();
    expect(await runCli(['rca', '--help'], rca.io)).toBe(0);
    expect(rca.out()).toContain('signal-factory rca <incident-id>');
    const contract = io();
    expect(await runCli(['contract'], contract.io)).toBe(2);
    expect(contract.err() + contract.out()).toContain('signal-factory contract');
  });

  it('unknown flags and missing arguments are usage errors (exit 2), not stack traces', async () => {
    const flag = io();
    expect(await runCli(['simulate', 'x.yaml', '--frob'], flag.io)).toBe(2);
    expect(flag.err()).toMatch(/simulate: Unknown option '--frob'/);
    expect(flag.err()).not.toContain('    at ');
    const missing = io();
    expect(await runCli(['simulate'], missing.io)).toBe(2);
    expect(missing.err()).toContain('missing <scenario.yaml>');
    const seed = io();
    expect(await runCli(['simulate', 'x.yaml', '--seed', 'abc'], seed.io)).toBe(2);
    expect(seed.err()).toContain('--seed must be an integer');
  });

  it('simulate reports every scenario problem with file, line and path (exit 2)', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: Not Kebab\nstart: yesterday\nduration: 10x\n');
    const t = io();
    expect(await runCli(['simulate', file], t.io)).toBe(2);
    expect(t.err()).toContain(`${file}:1:`);
    expect(t.err()).toMatch(/broken\.yaml:2:\d+ start:/);
    expect(t.err()).toMatch(/broken\.yaml:3:\d+ duration:/);
  });

  it('a bad --config file is reported with its paths and lines before anything starts', async () => {
    const file = join(dir, 'bad-config.yaml');
    writeFileSync(
      file,
      'kafka:\n  brokers: ["127.0.0.1:9092", "nohost"]\ngremlin:\n  url: http://x\nfoo: 1\n',
    );
    const t = io({ cwd: dir });
    expect(await runCli(['up', '--config', 'bad-config.yaml', '--no-serve'], t.io)).toBe(2);
    const err = t.err();
    expect(err).toContain('SF_ERR_CLI_CONFIG_INVALID');
    expect(err).toContain('line 2: kafka.brokers[1]: must be host:port');
    expect(err).toContain('line 4: gremlin.url: must be a ws or wss URL');
    expect(err).toContain('line 5: foo: unknown section');
  });
});
