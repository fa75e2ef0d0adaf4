import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOn } from '@signal-factory/core';

import { SIDECAR_ERROR_CODES } from '../errors';
import type { Logger } from '../logger';
import type { RecordProcessor } from '../pipeline/record-processor';
import type { RegistryCache } from '../registry/registry-cache';
import type { RecordSink } from '../sink/record-sink';
import { parseWindow, type TrustTracker } from '../trust/trust-tracker';
import { decodeRecord, type RecordLimits } from './decode-request';
import type { SidecarMetrics } from './metrics';

export interface HttpServerOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  maxBatchRecords: number;
  maxInFlightRecords: number;
  limits: RecordLimits;
  processor: RecordProcessor;
  registry: RegistryCache;
  sink: RecordSink;
  trust: TrustTracker;
  metrics: SidecarMetrics;
  logger: Logger;
  /** Clock (epoch ms) for the registry age gauge. Default `Date.now`. */
  now?: () => number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retriable = false,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > max) {
      reject(
        new HttpError(413, SIDECAR_ERROR_CODES.BODY_TOO_LARGE, `body larger than ${max} bytes`),
      );
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > max) {
        failed = true;
        chunks.length = 0;
        reject(
          new HttpError(413, SIDECAR_ERROR_CODES.BODY_TOO_LARGE, `body larger than ${max} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
      failed = true;
    });
  });
}

/** The sidecar's HTTP/1.1 server (node:http, no framework). */
export class SidecarHttpServer {
  readonly #o: HttpServerOptions;
  readonly #server: Server;

  constructor(options: HttpServerOptions) {
    this.#o = options;
    this.#server = createServer(
      { maxHeaderSize: 16 * 1024, requestTimeout: 60_000 },
      (req, res) => {
        void this.#handle(req, res);
      },
    );
    this.#server.keepAliveTimeout = 65_000;
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Malformed HTTP never reaches a handler; answer it and drop the connection.
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
      if (socket.writable)
        socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      else socket.destroy();
    });
  }

  /** Whether produce requests are accepted now, and why not. */
  readiness(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    const status = this.#o.registry.status;
    if (!status.loaded) reasons.push('registry not loaded');
    if (!this.#o.sink.healthy) reasons.push('record sink unavailable');
    if (this.#o.processor.inFlight >= this.#o.maxInFlightRecords) reasons.push('queue full');
    return { ready: reasons.length === 0, reasons };
  }

  async listen(): Promise<string> {
    const address = await listenOn(this.#server, this.#o.port, this.#o.host);
    return `http://${address.address}:${address.port}`;
  }

  close(): Promise<void> {
    return closeServer(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://sidecar');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    let status = 500;
    try {
      status = await this.#route(route, url, req, res);
    } catch (error) {
      if (error instanceof HttpError) {
        status = error.status;
        if (!res.headersSent) {
          if (status === 413) res.setHeader('connection', 'close');
          send(res, status, {
            error: { code: error.code, message: error.message, retriable: error.retriable },
          });
        }
      } else {
        this.#o.logger.error({ err: error }, 'unexpected error in HTTP handler');
        status = 500;
        if (!res.headersSent)
          send(res, 500, {
            error: { code: 'SF_ERR_SIDECAR_INTERNAL', message: 'internal error', retriable: true },
          });
      }
    } finally {
      const known = [
        'POST /v1/produce',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /v1/trust',
      ].includes(route);
      this.#o.metrics.requests.inc({ route: known ? route : 'other', status: String(status) });
      if (route === 'POST /v1/produce')
        this.#o.metrics.requestLatency.observe((performance.now() - started) / 1000);
    }
  }

  async #route(
    route: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<number> {
    switch (route) {
      case 'POST /v1/produce':
        return this.#produce(req, res);
      case 'GET /healthz':
        send(res, 200, { status: 'ok' });
        return 200;
      case 'GET /readyz': {
        const { ready, reasons } = this.readiness();
        const registry = this.#o.registry.status;
        send(res, ready ? 200 : 503, {
          ready,
          reasons,
          registry: { ...registry, servingLastGood: registry.stale },
          sink: { healthy: this.#o.sink.healthy },
          queue: { depth: this.#o.processor.inFlight, max: this.#o.maxInFlightRecords },
        });
        return ready ? 200 : 503;
      }
      case 'GET /metrics': {
        const m = this.#o.metrics;
        const reg = this.#o.registry.status;
        m.registryStale.set(reg.stale ? 1 : 0);
        m.registryFailures.set(reg.consecutiveFailures);
        m.registryAge.set(
          reg.lastSuccessAt === undefined
            ? -1
            : ((this.#o.now ?? Date.now)() - reg.lastSuccessAt) / 1000,
        );
        m.ready.set(this.readiness().ready ? 1 : 0);
        send(res, 200, m.render(), 'text/plain; version=0.0.4; charset=utf-8');
        return 200;
      }
      case 'GET /v1/trust': {
        const dataset = url.searchParams.get('dataset');
        const windowMs = parseWindow(url.searchParams.get('window'));
        if (dataset === null || dataset === '') {
          throw new HttpError(
            400,
            SIDECAR_ERROR_CODES.BAD_REQUEST,
            'query parameter "dataset" (a dataset URN) is required',
          );
        }
        if (windowMs === undefined) {
          throw new HttpError(
            400,
            SIDECAR_ERROR_CODES.BAD_REQUEST,
            'window must look like 30s, 5m or 1h (at most 1h)',
          );
        }
        send(res, 200, this.#o.trust.report(dataset, windowMs));
        return 200;
      }
      default:
        req.resume();
        throw new HttpError(404, SIDECAR_ERROR_CODES.NOT_FOUND, `no route ${route.slice(0, 200)}`);
    }
  }

  async #produce(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      throw new HttpError(
        415,
        SIDECAR_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
        'content-type must be application/json',
      );
    }
    const body = await readBody(req, this.#o.maxBodyBytes);
    if (!isUtf8(body))
      throw new HttpError(400, SIDECAR_ERROR_CODES.BAD_REQUEST, 'body is not valid UTF-8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, SIDECAR_ERROR_CODES.BAD_REQUEST, 'body is not valid JSON');
    }
    const records = (parsed as { records?: unknown } | null)?.records;
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(records)) {
      throw new HttpError(400, SIDECAR_ERROR_CODES.BAD_REQUEST, 'body must be {"records": [...]}');
    }
    if (records.length > this.#o.maxBatchRecords) {
      throw new HttpError(
        400,
        SIDECAR_ERROR_CODES.BAD_REQUEST,
        `at most ${this.#o.maxBatchRecords} records per request`,
      );
    }
    if (!this.#o.registry.status.loaded) {
      throw new HttpError(503, SIDECAR_ERROR_CODES.NOT_READY, 'registry not loaded yet', true);
    }
    if (this.#o.processor.inFlight + records.length > this.#o.maxInFlightRecords) {
      throw new HttpError(
        503,
        SIDECAR_ERROR_CODES.QUEUE_FULL,
        'too many records waiting for Kafka; retry later',
        true,
      );
    }
    const decoded = records.map((r) => decodeRecord(r, this.#o.limits));
    const results = await this.#o.processor.produce(decoded);
    send(res, 200, { results });
    return 200;
  }
}
