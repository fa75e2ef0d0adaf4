import { request } from 'node:http';
import { InMemoryGraphStore, InMemoryStateStore } from '@signal-factory/core';
import { createLineageGraph } from '@signal-factory/lineage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCopilot } from '../copilot';
import { seedSteelThread, type SteelThread } from '../test-support/fixtures';
import { CopilotHttpServer } from './copilot-http-server';

async function call(
  base: string,
  path: string,
  method = 'GET',
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>; // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  body: any;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text === '' ? undefined : JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CopilotHttpServer', () => {
  let server: CopilotHttpServer;
  let base: string;
  let st: SteelThread;

  beforeAll(async () => {
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const state = new InMemoryStateStore();
    st = await seedSteelThread(graph, state);
    const copilot = createCopilot({
      graph,
      state,
      clock: () => Date.parse('2026-01-15T10:05:00Z'),
    });
    server = new CopilotHttpServer({ copilot });
    const { port } = await server.listen();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server.close();
    await server.close();
  });

  it('GET /v1/incidents lists incidents', async () => {
    const res = await call(base, '/v1/incidents?status=OPEN&limit=10');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      incidents: [
        {
          incident_id: st.incidentId,
          status: 'OPEN',
          severity: 'SEV-1',
          dataset_urns: [st.orders],
          opened_at: '2026-01-15T10:01:01.000Z',
        },
      ],
    });
  });

  it('GET /v1/incidents/:id/rca returns the report', async () => {
    const res = await call(base, `/v1/incidents/${encodeURIComponent(st.incidentId)}/rca`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      schema_version: 'rca-report/v1',
      incident_id: st.incidentId,
      root_cause: { kind: 'deployment', deployment: { version: '3.17' } },
      confidence: { level: 'HIGH' },
      summary: { source: 'template' },
    });
    const incident = await call(base, `/v1/incidents/${st.incidentId}`);
    expect(incident.body).toMatchObject({
      schema_version: 'incident/v1',
      incident_id: st.incidentId,
    });
  });

  it('unknown incident: 404 with a typed body', async () => {
    const res = await call(base, '/v1/incidents/inc-nope/rca');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        code: 'SF_ERR_COPILOT_INCIDENT_NOT_FOUND',
        message: 'no incident "inc-nope"',
        retriable: false,
      },
    });
  });

  it('GET /v1/datasets/:urn/blast-radius, with 400 for a bad URN and 404 for an unknown one', async () => {
    const ok = await call(base, `/v1/datasets/${encodeURIComponent(st.orders)}/blast-radius`);
    expect(ok.status).toBe(200);
    expect(ok.body.dataset_urn).toBe(st.orders);
    expect(ok.body.entries.map((e: { name: string }) => e.name)).toEqual([
      'finance-pipeline',
      'analytics-dashboard',
      st.revenue,
    ]);
    const column = await call(
      base,
      `/v1/datasets/${st.orders}/blast-radius?column=customer_id&depth=1`,
    );
    expect(column.body.entries.map((e: { name: string }) => e.name)).toEqual(['finance-pipeline']);
    const bad = await call(base, '/v1/datasets/not-a-urn/blast-radius');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
      retriable: false,
      problems: [{ path: 'datasetUrn', message: 'not a dataset URN' }],
    });
    const unknown = await call(base, '/v1/datasets/urn:dp:nope:nope/blast-radius');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SF_ERR_COPILOT_DATASET_NOT_FOUND');
    const badDepth = await call(base, `/v1/datasets/${st.orders}/blast-radius?depth=x`);
    expect(badDepth.status).toBe(400);
    expect(badDepth.body.error.problems).toEqual([
      { path: 'query.depth', message: 'must be a positive integer' },
    ]);
  });

  it('unknown routes, methods, bad encodings and bad parameters', async () => {
    expect((await call(base, '/v2/nothing')).body.error.code).toBe(
      'SF_ERR_COPILOT_ROUTE_NOT_FOUND',
    );
    const post = await call(base, '/v1/incidents', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.body.error.code).toBe('SF_ERR_COPILOT_METHOD_NOT_ALLOWED');
    const enc = await call(base, '/v1/incidents/%E0%A4%A/rca');
    expect(enc.status).toBe(400);
    const summary = await call(base, `/v1/incidents/${st.incidentId}/rca?summary=poetry`);
    expect(summary.status).toBe(400);
    const status = await call(base, '/v1/incidents?status=open');
    expect(status.status).toBe(400);
    expect((await call(base, '/healthz')).body).toEqual({ status: 'ok' });
  });

  it('rejects bad options', () => {
    expect(() => new CopilotHttpServer({ copilot: {} as never, requestTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'SF_ERR_COPILOT_OPTIONS_INVALID' }),
    );
  });
});
