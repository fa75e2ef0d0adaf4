import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_ERROR_CODES } from './errors';
import type { Alert } from './types';
import {
  parseRetryAfter,
  WebhookAlertSink,
  type WebhookAlertSinkOptions,
} from './webhook-alert-sink';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const ALERT: Alert = {
  schema_version: 'alert/v1',
  alert_id: 'inc-1|opened|2026-11-25T10:05:00.000Z',
  kind: 'opened',
  incident_id: 'inc-1',
  severity: 'SEV-1',
  status: 'OPEN',
  title: 'CONTRACT CRITICAL on urn:dp:orders:created',
  dataset_urns: ['urn:dp:orders:created'],
  team: 'orders',
  link: 'signal-factory://incidents/inc-1',
  time: '2026-11-25T10:05:00.000Z',
};

describe('WebhookAlertSink against a local HTTP server', () => {
  let server: Server;
  let base: string;
  let handlers: Handler[] = [];
  const received: {
    method?: string;
    url?: string;
    headers: IncomingMessage['headers'];
    body: string;
  }[] = [];
  const sinks: WebhookAlertSink[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        const handler = handlers.shift() ?? ((_q, _b, r) => r.writeHead(200).end('ok'));
        handler(req, body, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    handlers = [];
    received.length = 0;
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sleeps: number[] = [];
  function sink(options: Partial<WebhookAlertSinkOptions> = {}): WebhookAlertSink {
    sleeps.length = 0;
    const s = new WebhookAlertSink({
      name: 'hook',
      url: `${base}/alerts?team=orders`,
      retryBaseMs: 10,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });
    sinks.push(s);
    return s;
  }

  it('POSTs the alert as JSON with the configured headers', async () => {
    const result = await sink({ headers: { authorization: 'Bearer t' } }).send(ALERT);
    expect(result).toEqual({ ok: true, sink: 'hook', status: 200, attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/alerts?team=orders' });
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(received[0]?.body ?? '')).toEqual(ALERT);
  });

  it('maps the payload through format (the seam for PagerDuty, Slack, Jira)', async () => {
    const s = sink({ format: (a) => ({ text: `${a.severity} ${a.title}` }) });
    expect((await s.send(ALERT)).ok).toBe(true);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ text: `SEV-1 ${ALERT.title}` });
    const bad = sink({
      format: () => {
        throw new Error('bug');
      },
    });
    const result = await bad.send(ALERT);
    expect(result).toMatchObject({
      ok: false,
      attempts: 0,
      error: { code: ALERT_ERROR_CODES.PAYLOAD_INVALID },
    });
  });

  it('retries 5xx with exponential backoff and jitter, then succeeds', async () => {
    handlers = [(_q, _b, r) => r.writeHead(503).end('busy'), (_q, _b, r) => r.writeHead(502).end()];
    const result = await sink().send(ALERT);
    expect(result).toEqual({ ok: true, sink: 'hook', status: 200, attempts: 3 });
    expect(received).toHaveLength(3);
    expect(sleeps).toEqual([5, 10]); // random 0.5 × ceilings 10 and 20 ms
  });

  it('honours Retry-After on 429', async () => {
    handlers = [(_q, _b, r) => r.writeHead(429, { 'retry-after': '2' }).end()];
    const result = await sink().send(ALERT);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(sleeps).toEqual([2_000]);
  });

  it('gives up at once when Retry-After is longer than maxRetryAfterMs', async () => {
    handlers = [(_q, _b, r) => r.writeHead(429, { 'retry-after': '3600' }).end()];
    const result = await sink({ maxRetryAfterMs: 60_000 }).send(ALERT);
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      error: {
        code: ALERT_ERROR_CODES.UNAVAILABLE,
        retriable: true,
        details: { status: 429, retryAfterMs: 3_600_000 },
      },
    });
    expect(sleeps).toEqual([]);
  });

  it('reports UNAVAILABLE after the last retry', async () => {
    handlers = Array.from(
      { length: 3 },
      () => (_q: IncomingMessage, _b: string, r: ServerResponse) =>
        r.writeHead(500).end('{"error":"db"}'),
    );
    const result = await sink({ maxRetries: 2 }).send(ALERT);
    expect(result).toMatchObject({
      ok: false,
      attempts: 3,
      error: {
        code: ALERT_ERROR_CODES.UNAVAILABLE,
        retriable: true,
        details: { status: 500, body: '{"error":"db"}', attempts: 3 },
      },
    });
  });

  it('does not retry a 4xx rejection', async () => {
    handlers = [(_q, _b, r) => r.writeHead(400).end('bad payload')];
    const result = await sink().send(ALERT);
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: ALERT_ERROR_CODES.REJECTED, retriable: false, details: { status: 400 } },
    });
    expect(received).toHaveLength(1);
  });

  it('times out a receiver that never answers', async () => {
    handlers = [() => undefined, () => undefined];
    const started = Date.now();
    const result = await sink({ timeoutMs: 150, maxRetries: 1 }).send(ALERT);
    expect(result).toMatchObject({
      ok: false,
      attempts: 2,
      error: { code: ALERT_ERROR_CODES.TIMEOUT, retriable: true, details: { timeoutMs: 150 } },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports NETWORK when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await sink({ url: `http://127.0.0.1:${port}/x`, maxRetries: 1 }).send(ALERT);
    expect(result).toMatchObject({
      ok: false,
      attempts: 2,
      error: { code: ALERT_ERROR_CODES.NETWORK, retriable: true },
    });
  });

  it('refuses to send once closed, and close is idempotent', async () => {
    const s = sink();
    await s.close();
    await s.close();
    expect(await s.send(ALERT)).toMatchObject({
      ok: false,
      error: { code: ALERT_ERROR_CODES.CLOSED },
    });
  });

  it('validates options with paths', () => {
    expect(() => new WebhookAlertSink({ name: '', url: 'ftp://x', timeoutMs: 0 })).toThrow(
      expect.objectContaining({
        code: ALERT_ERROR_CODES.OPTIONS_INVALID,
        details: {
          problems: [
            { path: 'name', message: 'must be a non-empty string' },
            { path: 'url', message: 'must use http: or https:' },
            { path: 'timeoutMs', message: 'must be an integer ≥ 1' },
          ],
        },
      }),
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
