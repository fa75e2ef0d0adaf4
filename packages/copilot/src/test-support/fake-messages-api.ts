// A local HTTP server speaking the Anthropic Messages API wire format (POST /v1/messages), for
// testing the real @anthropic-ai/sdk client against scripted answers, errors, 429s and hangs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export type Scripted =
  | { kind: 'text'; text: string; stopReason?: string; model?: string }
  | { kind: 'content'; content: unknown[]; stopReason?: string }
  | {
      kind: 'error';
      status: number;
      type: string;
      message?: string;
      headers?: Record<string, string>;
    }
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  | { kind: 'hang' };

export class FakeMessagesApi {
  readonly requests: RecordedRequest[] = [];
  readonly #script: Scripted[] = [];
  #fallback: Scripted = { kind: 'error', status: 500, type: 'api_error', message: 'no script' };
  readonly #server: Server;
  readonly #hung = new Set<ServerResponse>();
  #counter = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  /** Answers for the next requests, in order; then `always`. */
  enqueue(...answers: Scripted[]): this {
    this.#script.push(...answers);
    return this;
  }

  always(answer: Scripted): this {
    this.#fallback = answer;
    return this;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // recorded as empty
    }
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
    });
    const requestId = `req_test_${++this.#counter}`;
    if (req.method !== 'POST' || req.url !== '/v1/messages') {
      this.#json(
        res,
        404,
        {
          type: 'error',
          error: { type: 'not_found_error', message: 'Not found' },
          request_id: requestId,
        },
        requestId,
      );
      return;
    }
    const answer = this.#script.shift() ?? this.#fallback;
    switch (answer.kind) {
      case 'hang':
        this.#hung.add(res);
        return;
      case 'raw':
        res.writeHead(answer.status, {
          'content-type': answer.contentType ?? 'application/json',
          'request-id': requestId,
        });
        res.end(answer.body);
        return;
      case 'error':
        this.#json(
          res,
          answer.status,
          {
            type: 'error',
            error: { type: answer.type, message: answer.message ?? answer.type },
            request_id: requestId,
          },
          requestId,
          answer.headers,
        );
        return;
      case 'text':
      case 'content': {
        const content =
          answer.kind === 'text' ? [{ type: 'text', text: answer.text }] : answer.content;
        this.#json(
          res,
          200,
          {
            id: `msg_test_${this.#counter}`,
            type: 'message',
            role: 'assistant',
            model:
              (answer.kind === 'text' ? answer.model : undefined) ??
              String(body.model ?? 'claude-test'),
            content,
            stop_reason: answer.stopReason ?? 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 1200, output_tokens: 80 },
          },
          requestId,
        );
        return;
      }
    }
  }

  #json(
    res: ServerResponse,
    status: number,
    body: unknown,
    requestId: string,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'request-id': requestId,
      ...headers,
    });
    res.end(text);
  }
}
