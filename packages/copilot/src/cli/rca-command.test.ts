import { InMemoryGraphStore, InMemoryStateStore } from '@signal-factory/core';
import { createLineageGraph } from '@signal-factory/lineage';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCopilot, type Copilot } from '../copilot';
import { CopilotHttpServer } from '../http/copilot-http-server';
import { seedSteelThread } from '../test-support/fixtures';
import { runRcaCommand, type RcaCommandIo } from './rca-command';

function io(
  copilot?: Copilot,
  env: Record<string, string> = {},
): RcaCommandIo & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    stdout: { write: (s: string) => (sink.out += s) },
    stderr: { write: (s: string) => (sink.err += s) },
    env,
    ...(copilot !== undefined ? { copilot } : {}),
  };
  return sink;
}

describe('signal-factory rca', () => {
  let copilot: Copilot;
  let incidentId: string;
  beforeAll(async () => {
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const state = new InMemoryStateStore();
    incidentId = (await seedSteelThread(graph, state)).incidentId;
    copilot = createCopilot({ graph, state, clock: () => Date.parse('2026-01-15T10:05:00Z') });
  });

  it('prints a readable report', async () => {
    const sink = io(copilot);
    expect(await runRcaCommand([incidentId], sink)).toBe(0);
    const lines = sink.out.split('\n');
    expect(lines[0]).toBe('Incident inc-steel · SEV-1 · OPEN · opened 2026-01-15T10:01:01.000Z');
    expect(sink.out).toContain(
      'Root cause: deployment orders-svc 3.17 (commit 9f31c2d) introduced MISSING_FIELD:customer_id at 09:58:02; last good 09:57:59;',
    );
    expect(sink.out).toContain('Confidence: HIGH');
    expect(sink.out).toContain('First bad:  2026-01-15T09:58:02.000Z  raw.orders.events/3@48213');
    expect(sink.out).toContain(
      '  1. finance-pipeline  Job  tier 1  depth 1  reads customer_id  owner finance-team',
    );
    expect(sink.out).toContain('  1. Roll back orders-svc to 3.16');
    expect(sink.out).toMatch(/\n {2}E1 {3}incident/);
    expect(sink.err).toBe('');
  });

  it('--json prints the report as JSON', async () => {
    const sink = io(copilot);
    expect(await runRcaCommand([incidentId, '--json', '--no-llm'], sink)).toBe(0);
    const report = JSON.parse(sink.out);
    expect(report).toEqual(await copilot.rca(incidentId));
  });

  it('exit codes: not found 3, usage 2, help 0', async () => {
    const missing = io(copilot);
    expect(await runRcaCommand(['inc-nope'], missing)).toBe(3);
    expect(missing.err).toBe(
      'signal-factory rca: SF_ERR_COPILOT_INCIDENT_NOT_FOUND: no incident "inc-nope"\n',
    );
    const usage = io(copilot);
    expect(await runRcaCommand(['--bogus'], usage)).toBe(2);
    expect(usage.err).toContain('unknown option --bogus; missing <incident-id>');
    expect(await runRcaCommand(['a', 'b'], io(copilot))).toBe(2);
    expect(await runRcaCommand(['a', '--summary', 'poem'], io(copilot))).toBe(2);
    expect(await runRcaCommand(['a'], io())).toBe(2);
    const help = io();
    expect(await runRcaCommand(['--help'], help)).toBe(0);
    expect(help.out).toMatch(/^Usage: signal-factory rca <incident-id>/);
  });

  it('--url asks a running copilot HTTP API', async () => {
    const server = new CopilotHttpServer({ copilot });
    const { port } = await server.listen();
    try {
      const url = `http://127.0.0.1:${port}`;
      const sink = io(undefined);
      expect(await runRcaCommand([incidentId, '--json', `--url=${url}`], sink)).toBe(0);
      expect(JSON.parse(sink.out).root_cause.kind).toBe('deployment');
      const viaEnv = io(undefined, { SF_COPILOT_URL: url });
      expect(await runRcaCommand([incidentId], viaEnv)).toBe(0);
      expect(viaEnv.out).toContain('Root cause: deployment');
      const missing = io(undefined, { SF_COPILOT_URL: url });
      expect(await runRcaCommand(['inc-nope'], missing)).toBe(3);
      expect(missing.err).toContain('SF_ERR_COPILOT_INCIDENT_NOT_FOUND');
    } finally {
      await server.close();
    }
  });
});
