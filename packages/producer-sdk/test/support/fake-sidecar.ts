import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A record as it arrives on `POST /v1/produce` (docs/protocols/sidecar-hop.md). */
export interface WireRecord {
  topic?: string;
  key: string | null;
  value: string | null;
  valueEncoding?: 'utf8' | 'base64';
  headers?: Record<string, string>;
  partition?: number;
  timestamp?: string;
}

export interface WireResult {
  index: number;
  status: 'produced' | 'quarantined' | 'rejected' | 'error';
  topic?: string;
  partition?: number;
  offset?: string;
  outcome?: 'PASS' | 'WARN' | 'FAIL';
  reasonCodes?: string[];
  evidenceId?: string;
  error?: { code: string; message: string; retriable: boolean };
}

/** How the fake answers the next request; default `normal`. */
export type FakeMode =
  | 'normal'
  | { status: number; body: string }
  | 'hang'
  | ((records: WireRecord[]) => WireResult[] | Promise<WireResult[]>);

export type ProduceFn = (records: WireRecord[]) => Promise<{ partition: number; offset: string }[]>;

/**
 * A small stand-in for the real sidecar that speaks the hop protocol: validates the request
 * shape, "produces" every record through `produce` (kafkajs in integration tests, memory in
 * unit tests), then acknowledges. `kill()` stops it the way a crashed pod would.
 */
export class FakeSidecar {
  readonly received: WireRecord[][] = [];
  mode: FakeMode = 'normal';
  /** Records written to Kafka whose acknowledgement could not be delivered (the sidecar died first). */
  writtenButUnacknowledged = 0;
  /** Delay before answering, in ms. */
  delayMs = 0;
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #port = 0;
  #produce: ProduceFn;
  #dead = false;

  constructor(produce?: ProduceFn) {
    const offsets = new Map<string, number>();
    this.#produce =
      produce ??
      (async (records) =>
        records.map((r) => {
          const p = r.partition ?? 0;
          const k = `${r.topic}/${p}`;
          const o = offsets.get(k) ?? 0;
          offsets.set(k, o + 1);
          return { partition: p, offset: String(o) };
        }));
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Records acknowledged so far. */
  get acknowledged(): number {
    return this.received.reduce((n, b) => n + b.length, 0);
  }

  async start(port = 0): Promise<this> {
    this.#dead = false;
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    return this;
  }

  /**
   * Crashes the sidecar: requests not yet produced are dropped with their connection (so they
   * were never written), open connections are cut, and the port stops listening.
   */
  async kill(): Promise<void> {
    this.#dead = true;
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.#dead) {
      req.socket.destroy();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/produce') {
      res.writeHead(404).end();
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      res.writeHead(415).end();
      return;
    }
    let records: WireRecord[];
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records?: WireRecord[] };
      if (!Array.isArray(body.records)) throw new Error('records');
      records = body.records;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            code: 'SF_ERR_SIDECAR_BAD_REQUEST',
            message: 'malformed body',
            retriable: false,
          },
        }),
      );
      return;
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const mode = this.mode;
    if (mode === 'hang') return;
    if (this.#dead) {
      req.socket.destroy();
      return;
    }
    if (typeof mode === 'object') {
      res.writeHead(mode.status, { 'content-type': 'application/json' }).end(mode.body);
      return;
    }
    let results: WireResult[];
    if (typeof mode === 'function') {
      results = await mode(records);
    } else {
      const written = await this.#produce(records);
      results = records.map((r, index) => ({
        index,
        status: 'produced',
        topic: r.topic,
        partition: written[index]!.partition,
        offset: written[index]!.offset,
        outcome: 'PASS',
        reasonCodes: [],
        evidenceId: `ev_${index}`,
      }));
    }
    if (this.#dead || req.socket.destroyed) {
      this.writtenButUnacknowledged += records.length;
      req.socket.destroy();
      return;
    }
    this.received.push(records);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
  }
}
