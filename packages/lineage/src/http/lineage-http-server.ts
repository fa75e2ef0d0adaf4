import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { closeServer, isSignalFactoryError, listenOn } from '@signal-factory/core';
import { LINEAGE_ERROR_CODES, lineageError, type Problem } from '../errors';
import type { LineageIngestor } from '../ingest/lineage-ingestor';
import type { IngestResult } from '../ingest/types';
import { safeLogger, type Logger } from '../logger';

export interface LineageHttpServerOptions {
  ingestor: LineageIngestor;
  /** Largest request body after decompression, in bytes. Default 5 MiB. */
  maxBodyBytes?: number;
  /** Most events in one batch (a JSON array body). Default 1,000. */
  maxBatchSize?: number;
  /** Time allowed to receive a whole request, in ms (slow clients are cut off). Default 30,000. */
  requestTimeoutMs?: number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

/** The error body every non-2xx response carries. */
export interface HttpErrorBody {
  error: { code: string; message: string; retriable: boolean; problems?: Problem[] };
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
    /** The request body was not fully read: close the connection after answering. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  problems?: Problem[],
  retriable = false,
): void {
  const body: HttpErrorBody = {
    error: { code, message, retriable, ...(problems ? { problems } : {}) },
  };
  send(response, status, body);
}

// Oversized bodies up to this multiple of the cap are read and discarded so the client sees the
// 413 instead of a reset connection; anything larger is cut off.
const DRAIN_FACTOR = 4;

async function drain(source: AsyncIterable<unknown>, budget: number): Promise<boolean> {
  let size = 0;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > budget) return false;
  }
  return true;
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (what: string, drained: boolean): HttpProblem =>
    new HttpProblem(
      413,
      LINEAGE_ERROR_CODES.PAYLOAD_TOO_LARGE,
      `${what} over the ${maxBytes}-byte cap`,
      undefined,
      !drained,
    );
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    const drained =
      declared <= maxBytes * DRAIN_FACTOR && (await drain(request, declared).catch(() => false));
    throw tooLarge(`Body is ${declared} bytes,`, drained);
  }
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    const drained = await drain(request, maxBytes * DRAIN_FACTOR).catch(() => false);
    throw new HttpProblem(
      415,
      LINEAGE_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
      `Content-Encoding ${encoding} is not supported (use gzip or none)`,
      undefined,
      !drained,
    );
  }
  const source = encoding === 'gzip' ? request.pipe(createGunzip()) : request;
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        const drained =
          encoding === 'identity' &&
          (await drain(request, maxBytes * DRAIN_FACTOR - size).catch(() => false));
        throw tooLarge('Body is', drained);
      }
      parts.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw new HttpProblem(
      400,
      LINEAGE_ERROR_CODES.PAYLOAD_MALFORMED,
      `Body could not be read: ${(error as Error).message}`,
      undefined,
      true,
    );
  }
  return Buffer.concat(parts);
}

function statusOf(result: IngestResult): number {
  if (result.ok) return 201;
  return result.code === LINEAGE_ERROR_CODES.PAYLOAD_TOO_LARGE ? 413 : 400;
}

/**
 * The lineage HTTP API on `node:http`:
 * - `POST /api/v1/lineage` — one OpenLineage event (the path OpenLineage's HTTP transport uses), or a
 *   JSON array of events (a batch), or `POST /api/v1/lineage/batch` with an array;
 * - `POST /api/v1/lineage-specs` — one LineageSpec or an array;
 * - `POST /api/v1/deployments` — one DeploymentEvent or an array;
 * - `GET /healthz`.
 * JSON only (`application/json`, optionally gzip-encoded), size-capped; errors carry
 * `{ error: { code, message, retriable, problems? } }`.
 */
export class LineageHttpServer {
  readonly #ingestor: LineageIngestor;
  readonly #maxBodyBytes: number;
  readonly #maxBatchSize: number;
  readonly #logger: Logger;
  readonly #server: Server;

  constructor(options: LineageHttpServerOptions) {
    const problems: Problem[] = [];
    if (typeof options?.ingestor?.ingest !== 'function')
      problems.push({ path: 'ingestor', message: 'must be a LineageIngestor' });
    for (const key of ['maxBodyBytes', 'maxBatchSize', 'requestTimeoutMs'] as const) {
      const value = options?.[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1))
        problems.push({ path: key, message: 'must be a positive integer' });
    }
    if (problems.length > 0) {
      throw lineageError(
        LINEAGE_ERROR_CODES.OPTIONS_INVALID,
        `Invalid lineage HTTP server options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        {
          details: { problems },
        },
      );
    }
    this.#ingestor = options.ingestor;
    this.#maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
    this.#maxBatchSize = options.maxBatchSize ?? 1_000;
    this.#logger = safeLogger(options.logger);
    this.#server = createServer(
      { requestTimeout: options.requestTimeoutMs ?? 30_000 },
      (request, response) => {
        this.#handle(request, response).catch((error: unknown) => {
          this.#logger.error({ err: String(error) }, 'lineage HTTP handler failed');
          if (!response.headersSent)
            sendError(response, 500, 'SF_ERR_LINEAGE_INTERNAL', 'Internal error');
          else response.destroy();
        });
      },
    );
  }

  /** The underlying `node:http` server. */
  get server(): Server {
    return this.#server;
  }

  /** Starts listening; resolves with the bound address. Default host 127.0.0.1, port 0 (any free). */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return listenOn(this.#server, port, host);
  }

  /** Stops accepting connections and closes idle ones; idempotent. */
  close(): Promise<void> {
    return closeServer(this.#server);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      send(response, 200, { status: 'ok' });
      return;
    }
    const routes: Record<string, 'lineage' | 'spec' | 'deployment'> = {
      '/api/v1/lineage': 'lineage',
      '/api/v1/lineage/batch': 'lineage',
      '/api/v1/lineage-specs': 'spec',
      '/api/v1/deployments': 'deployment',
    };
    const route = path === undefined ? undefined : routes[path];
    if (route === undefined) {
      sendError(
        response,
        404,
        LINEAGE_ERROR_CODES.NOT_FOUND,
        `No route for ${request.method} ${path}`,
      );
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      sendError(response, 405, LINEAGE_ERROR_CODES.NOT_FOUND, `${path} accepts POST only`);
      return;
    }
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (
      type !== 'application/json' &&
      !(type?.startsWith('application/') && type.endsWith('+json'))
    ) {
      request.resume();
      sendError(
        response,
        415,
        LINEAGE_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
        'Content-Type must be application/json',
      );
      return;
    }
    let body: unknown;
    try {
      const raw = await readBody(request, this.#maxBodyBytes);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new HttpProblem(
          400,
          LINEAGE_ERROR_CODES.PAYLOAD_MALFORMED,
          `Body is not JSON: ${(error as Error).message}`,
        );
      }
    } catch (error) {
      if (error instanceof HttpProblem) {
        if (error.closeConnection) response.setHeader('connection', 'close');
        sendError(response, error.status, error.code, error.message, error.problems);
        return;
      }
      throw error;
    }
    const batch = Array.isArray(body);
    if (path === '/api/v1/lineage/batch' && !batch) {
      sendError(
        response,
        400,
        LINEAGE_ERROR_CODES.PAYLOAD_MALFORMED,
        'The batch endpoint takes a JSON array of events',
      );
      return;
    }
    const items = batch ? (body as unknown[]) : [body];
    if (items.length > this.#maxBatchSize) {
      sendError(
        response,
        413,
        LINEAGE_ERROR_CODES.PAYLOAD_TOO_LARGE,
        `Batch of ${items.length} events is over the ${this.#maxBatchSize}-event cap`,
      );
      return;
    }
    const ingest = (item: unknown): Promise<IngestResult> =>
      route === 'lineage'
        ? this.#ingestor.ingestOpenLineage(item)
        : route === 'spec'
          ? this.#ingestor.ingestLineageSpec(item)
          : this.#ingestor.ingestDeployment(item);
    const results: IngestResult[] = [];
    try {
      for (const item of items) results.push(await ingest(item));
    } catch (error) {
      // The graph store failed: the client should retry the whole request.
      const retriable = isSignalFactoryError(error) ? error.retriable : true;
      const code = isSignalFactoryError(error) ? error.code : 'SF_ERR_LINEAGE_INTERNAL';
      this.#logger.error({ err: String(error), code }, 'lineage ingestion failed');
      sendError(
        response,
        503,
        code,
        'The lineage graph is unavailable; retry later',
        undefined,
        retriable,
      );
      return;
    }
    if (!batch) {
      const [result] = results as [IngestResult];
      if (result.ok) send(response, 201, result);
      else
        sendError(
          response,
          statusOf(result),
          result.code,
          `${result.kind ?? 'Input'} rejected`,
          result.problems,
        );
      return;
    }
    const accepted = results.filter((r) => r.ok).length;
    // A batch answers 200 with one result per event, unless every event was rejected.
    send(response, accepted === 0 && results.length > 0 ? 400 : 200, {
      accepted,
      rejected: results.length - accepted,
      results,
    });
  }
}
