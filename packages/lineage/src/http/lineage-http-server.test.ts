import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryGraphStore } from '@signal-factory/core';
import { readSpecDir } from '../../test/support/shared-specs';
import { createLineageGraph, type LineageGraph } from '../lineage-graph';
import { createDatasetResolver } from '../resolver/dataset-resolver';
import { LineageHttpServer } from './lineage-http-server';

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}

function post(
  port: number,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('LineageHttpServer', () => {
  let graph: LineageGraph;
  let server: LineageHttpServer;
  let port: number;
  const [valid] = readSpecDir('openlineage', 'examples', 'valid').filter(
    ([f]) => f === 'spec_example_full_event.json',
  );
  const [, invalid] = readSpecDir('openlineage', 'examples', 'invalid')[0] as [string, unknown];

  beforeAll(async () => {
    graph = createLineageGraph({
      store: new InMemoryGraphStore(),
      resolver: createDatasetResolver({ patterns: [{ pattern: '*', urn: 'urn:dp:ext:any' }] }),
    });
    server = new LineageHttpServer({
      ingestor: graph.ingestor,
      maxBodyBytes: 200_000,
      maxBatchSize: 3,
    });
    port = (await server.listen()).port;
  });
  afterAll(async () => {
    await server.close();
    await server.close(); // idempotent
  });

  it('POST /api/v1/lineage accepts an OpenLineage event (201)', async () => {
    const reply = await post(port, '/api/v1/lineage', JSON.stringify(valid?.[1]));
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ ok: true, kind: 'RunEvent' });
  });

  it('rejects an invalid event with a typed error body (400)', async () => {
    const reply = await post(port, '/api/v1/lineage', JSON.stringify(invalid));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      code: 'SF_ERR_LINEAGE_OPENLINEAGE_INVALID',
      retriable: false,
    });
    expect(reply.body.error.problems.length).toBeGreaterThan(0);
  });

  it('accepts a batch (a JSON array) with one result per event', async () => {
    const reply = await post(port, '/api/v1/lineage', JSON.stringify([valid?.[1], invalid]));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(reply.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false]);
    expect((await post(port, '/api/v1/lineage/batch', JSON.stringify([invalid]))).status).toBe(400);
    expect(
      (await post(port, '/api/v1/lineage/batch', JSON.stringify(valid?.[1]))).body.error.code,
    ).toBe('SF_ERR_LINEAGE_PAYLOAD_MALFORMED');
    const tooMany = await post(port, '/api/v1/lineage', JSON.stringify([1, 2, 3, 4]));
    expect(tooMany).toMatchObject({
      status: 413,
      body: { error: { code: 'SF_ERR_LINEAGE_PAYLOAD_TOO_LARGE' } },
    });
  });

  it('accepts gzip bodies', async () => {
    const reply = await post(port, '/api/v1/lineage', gzipSync(JSON.stringify(valid?.[1])), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(reply.status).toBe(201);
  });

  it('POST /api/v1/deployments and /api/v1/lineage-specs', async () => {
    const deployed = await post(
      port,
      '/api/v1/deployments',
      JSON.stringify({
        service: 'orders-svc',
        version: '3.17',
        commit: '9f31c2d',
        environment: 'prod',
        time: '2026-01-15T09:58:00Z',
      }),
    );
    expect(deployed.status).toBe(201);
    expect((await graph.queries.deploymentAt('orders-svc', '2026-01-15T10:05:00Z'))?.version).toBe(
      '3.17',
    );
    const bad = await post(port, '/api/v1/deployments', JSON.stringify({ service: 'orders-svc' }));
    expect(bad.body.error.code).toBe('SF_ERR_LINEAGE_DEPLOYMENT_INVALID');
    const spec = await post(
      port,
      '/api/v1/lineage-specs',
      JSON.stringify({
        kind: 'LineageSpec',
        producer: { service: 'svc' },
        outputs: [{ dataset: 'urn:dp:a:b' }],
        confidence: 'MEDIUM',
      }),
    );
    expect(spec.status).toBe(201);
  });

  it('checks content type, size, JSON, method and path', async () => {
    expect(
      await post(port, '/api/v1/lineage', '{}', { 'content-type': 'text/plain' }),
    ).toMatchObject({
      status: 415,
      body: { error: { code: 'SF_ERR_LINEAGE_UNSUPPORTED_MEDIA_TYPE' } },
    });
    expect(await post(port, '/api/v1/lineage', 'x'.repeat(300_000))).toMatchObject({
      status: 413,
      body: { error: { code: 'SF_ERR_LINEAGE_PAYLOAD_TOO_LARGE' } },
    });
    expect(await post(port, '/api/v1/lineage', '{nope')).toMatchObject({
      status: 400,
      body: { error: { code: 'SF_ERR_LINEAGE_PAYLOAD_MALFORMED' } },
    });
    expect(
      await post(port, '/api/v1/lineage', '{}', {
        'content-type': 'application/json',
        'content-encoding': 'br',
      }),
    ).toMatchObject({ status: 415 });
    expect(await post(port, '/api/v1/lineage', '', {}, 'GET')).toMatchObject({ status: 405 });
    expect(await post(port, '/nowhere', '{}')).toMatchObject({
      status: 404,
      body: { error: { code: 'SF_ERR_LINEAGE_NOT_FOUND' } },
    });
    expect(await post(port, '/healthz', '', {}, 'GET')).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('answers 503 (retriable) when the graph store fails', async () => {
    const failing = new InMemoryGraphStore();
    failing.upsertVertex = () =>
      Promise.reject(
        Object.assign(new Error('down'), {
          code: 'SF_ERR_LINEAGE_GREMLIN_UNAVAILABLE',
          retriable: true,
        }),
      );
    const broken = new LineageHttpServer({
      ingestor: createLineageGraph({ store: failing }).ingestor,
    });
    const { port: brokenPort } = await broken.listen();
    const reply = await post(
      brokenPort,
      '/api/v1/deployments',
      JSON.stringify({ service: 's', version: '1', time: '2026-01-01T00:00:00Z' }),
    );
    await broken.close();
    expect(reply).toMatchObject({
      status: 503,
      body: { error: { code: 'SF_ERR_LINEAGE_GREMLIN_UNAVAILABLE', retriable: true } },
    });
  });

  it('validates its options', () => {
    expect(() => new LineageHttpServer({ ingestor: {} as never, maxBodyBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'SF_ERR_LINEAGE_OPTIONS_INVALID' }),
    );
  });
});
