import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, isSignalFactoryError, listenOn } from '@signal-factory/core';
import type { Copilot } from '../copilot';
import { COPILOT_ERROR_CODES, copilotError, type Problem } from '../errors';
import { safeLogger, type Logger } from '../logger';

export interface CopilotHttpServerOptions {
  /** The copilot to serve. Required. */
  copilot: Copilot;
  /** Time allowed to receive a whole request, ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

/** The body of every non-2xx answer. */
export interface CopilotHttpErrorBody {
  error: {
    /** Stable `SF_ERR_COPILOT_*` code. */
    code: string;
    message: string;
    retriable: boolean;
    problems?: Problem[];
  };
}

const STATUS: Record<string, number> = {
  [COPILOT_ERROR_CODES.INVALID_ARGUMENT]: 400,
  [COPILOT_ERROR_CODES.INCIDENT_NOT_FOUND]: 404,
  [COPILOT_ERROR_CODES.DATASET_NOT_FOUND]: 404,
  [COPILOT_ERROR_CODES.ROUTE_NOT_FOUND]: 404,
  [COPILOT_ERROR_CODES.METHOD_NOT_ALLOWED]: 405,
  [COPILOT_ERROR_CODES.INCIDENT_INVALID]: 422,
  [COPILOT_ERROR_CODES.BACKEND_UNAVAILABLE]: 503,
  [COPILOT_ERROR_CODES.CLOSED]: 503,
};

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: unknown, logger: Logger): void {
  let code: string = COPILOT_ERROR_CODES.INTERNAL;
  let message = 'Internal error';
  let retriable = false;
  let problems: Problem[] | undefined;
  if (isSignalFactoryError(error) && error.code.startsWith('SF_ERR_COPILOT_')) {
    code = error.code;
    message = error.message;
    retriable = error.retriable;
    const p = error.details?.problems;
    if (Array.isArray(p) && p.every((x) => typeof x === 'object' && x !== null && 'path' in x)) {
      problems = p as Problem[];
    }
  } else {
    logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'copilot HTTP handler failed',
    );
  }
  const status = STATUS[code] ?? 500;
  const body: CopilotHttpErrorBody = {
    error: { code, message, retriable, ...(problems !== undefined ? { problems } : {}) },
  };
  send(response, status, body, status === 503 ? { 'retry-after': '1' } : {});
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw copilotError(
      COPILOT_ERROR_CODES.INVALID_ARGUMENT,
      'the path is not valid percent-encoding',
      {
        details: { problems: [{ path: 'path', message: 'bad percent-encoding' }] },
      },
    );
  }
}

function intParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!/^\d{1,7}$/.test(raw) || !Number.isInteger(value)) {
    throw copilotError(COPILOT_ERROR_CODES.INVALID_ARGUMENT, `${name} must be a positive integer`, {
      details: { problems: [{ path: `query.${name}`, message: 'must be a positive integer' }] },
    });
  }
  return value;
}

/**
 * The copilot's HTTP API (node:http, JSON):
 * `GET /v1/incidents`, `GET /v1/incidents/:id`, `GET /v1/incidents/:id/rca`,
 * `GET /v1/datasets/:urn/blast-radius`, `GET /healthz`.
 */
export class CopilotHttpServer {
  readonly #copilot: Copilot;
  readonly #logger: Logger;
  readonly #server: Server;

  constructor(options: CopilotHttpServerOptions) {
    const problems: Problem[] = [];
    if (typeof options?.copilot?.rca !== 'function')
      problems.push({ path: 'copilot', message: 'must be a Copilot' });
    const timeout = options?.requestTimeoutMs;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) {
      problems.push({ path: 'requestTimeoutMs', message: 'must be a positive integer' });
    }
    if (problems.length > 0) {
      throw copilotError(
        COPILOT_ERROR_CODES.OPTIONS_INVALID,
        `Invalid copilot HTTP server options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        { details: { problems } },
      );
    }
    this.#copilot = options.copilot;
    this.#logger = safeLogger(options.logger);
    this.#server = createServer({ requestTimeout: timeout ?? 30_000 }, (request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) sendError(response, error, this.#logger);
        else response.destroy();
      });
    });
  }

  /** The underlying `node:http` server. */
  get server(): Server {
    return this.#server;
  }

  /** Starts listening; resolves with the bound address. Default 127.0.0.1, any free port. */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return listenOn(this.#server, port, host);
  }

  /** Stops accepting connections and closes idle ones; idempotent. Does not close the copilot. */
  close(): Promise<void> {
    return closeServer(this.#server);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // Split the raw path so an encoded `/` inside a segment stays inside it.
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const route = this.#route(segments);
    if (route === undefined) {
      throw copilotError(
        COPILOT_ERROR_CODES.ROUTE_NOT_FOUND,
        `no route ${request.method} ${url.pathname}`,
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      throw copilotError(
        COPILOT_ERROR_CODES.METHOD_NOT_ALLOWED,
        `${request.method} is not allowed here; use GET`,
      );
    }
    request.resume();
    const params = url.searchParams;
    switch (route.name) {
      case 'health':
        send(response, 200, { status: 'ok' });
        return;
      case 'incidents': {
        const limit = intParam(params, 'limit');
        const status = params.get('status') ?? undefined;
        const incidents = await this.#copilot.listIncidents({
          ...(limit !== undefined ? { limit } : {}),
          ...(status !== undefined ? { status } : {}),
        });
        send(response, 200, { incidents });
        return;
      }
      case 'incident':
        send(response, 200, await this.#copilot.getIncident(route.id));
        return;
      case 'rca': {
        const summary = params.get('summary') ?? 'auto';
        if (summary !== 'auto' && summary !== 'template' && summary !== 'llm') {
          throw copilotError(
            COPILOT_ERROR_CODES.INVALID_ARGUMENT,
            'summary must be auto, template or llm',
            {
              details: {
                problems: [{ path: 'query.summary', message: 'must be auto, template or llm' }],
              },
            },
          );
        }
        send(response, 200, await this.#copilot.rca(route.id, { summary }));
        return;
      }
      case 'blast': {
        const maxDepth = intParam(params, 'depth');
        const limit = intParam(params, 'limit');
        const column = params.get('column') ?? undefined;
        send(
          response,
          200,
          await this.#copilot.blastRadius(route.id, {
            ...(maxDepth !== undefined ? { maxDepth } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(column !== undefined ? { column } : {}),
          }),
        );
        return;
      }
    }
  }

  #route(
    segments: string[],
  ):
    | { name: 'health' | 'incidents' }
    | { name: 'incident' | 'rca' | 'blast'; id: string }
    | undefined {
    const [a, b, c, d, ...rest] = segments;
    if (rest.length > 0) return undefined;
    if (a === 'healthz' && b === undefined) return { name: 'health' };
    if (a !== 'v1') return undefined;
    if (b === 'incidents') {
      if (c === undefined) return { name: 'incidents' };
      if (d === undefined) return { name: 'incident', id: decodeSegment(c) };
      if (d === 'rca') return { name: 'rca', id: decodeSegment(c) };
      return undefined;
    }
    if (b === 'datasets' && c !== undefined && d === 'blast-radius') {
      return { name: 'blast', id: decodeSegment(c) };
    }
    return undefined;
  }
}
