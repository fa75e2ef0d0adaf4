import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { startComponent } from './components';

function address(description: string): string {
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(description)?.[1];
  if (url === undefined) throw new Error(`no address in ${description}`);
  return url;
}

describe('components as their own processes (embedded backends)', () => {
  it('sidecar: the hop gates records against a YAML registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-registry-'));
    writeFileSync(
      join(dir, 'orders.yaml'),
      'kind: Dataset\nurn: urn:dp:orders:created\ntopics: [raw.orders.events]\nproducerService: orders-svc\n',
    );
    const sidecar = await startComponent(
      'sidecar',
      {},
      { host: '127.0.0.1', port: 0, registry: dir },
    );
    try {
      const base = address(sidecar.description);
      const response = await fetch(`${base}/v1/produce`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          records: [{ topic: 'raw.orders.events', key: 'k', value: '{"a":1}' }],
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        results: Array<{ status: string; outcome: string }>;
      };
      expect(body.results[0]).toMatchObject({ status: 'produced' });
      expect(sidecar.description).toContain(`registry yaml:${dir}`);
    } finally {
      await sidecar.close();
    }
  });

  it('lineage: deployments are ingested over HTTP', async () => {
    const lineage = await startComponent('lineage', {}, { host: '127.0.0.1', port: 0 });
    try {
      const base = address(lineage.description);
      const response = await fetch(`${base}/api/v1/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'orders-svc',
          version: '3.17',
          time: '2026-01-15T09:58:00Z',
        }),
      });
      expect(response.status).toBe(201);
    } finally {
      await lineage.close();
    }
  });

  it('copilot: the API answers and unknown incidents are a clear 404', async () => {
    const copilot = await startComponent('copilot', {}, { host: '127.0.0.1', port: 0 });
    try {
      const base = address(copilot.description);
      const list = await fetch(`${base}/v1/incidents`);
      expect(list.status).toBe(200);
      const missing = await fetch(`${base}/v1/incidents/inc-nope/rca`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({
        error: { code: 'SF_ERR_COPILOT_INCIDENT_NOT_FOUND' },
      });
    } finally {
      await copilot.close();
    }
  });
});
