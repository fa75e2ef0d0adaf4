import { Pool } from 'undici';
import { BoundedQueue } from './bounded-queue';
import { SDK_ERROR_CODES, sdkError, SidecarRecordError, type SidecarRecordFailure } from './errors';
import type { ResolvedSidecarOptions } from './options';
import type { ProducerTransport, TransportRecord, TransportSendOptions } from './transport';
import type { SfRecordMetadata } from './types';

/** The outcome of one record sent through the sidecar. */
export type SidecarOutcome =
  | { status: 'acked'; topic: string; partition: number; offset: string }
  | { status: 'failed'; failure: Omit<SidecarRecordFailure, 'index'> }
  | { status: 'unavailable'; error: Error };

interface Item {
  record: TransportRecord;
  done: (outcome: SidecarOutcome) => void;
}

/** Converts one record to the wire shape of `POST /v1/produce` (docs/protocols/sidecar-hop.md). */
export function toWireRecord(r: TransportRecord): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    headers[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  const wire: Record<string, unknown> = {
    topic: r.topic,
    key: r.key === null || r.key === undefined ? null : String(r.key),
    value: Buffer.isBuffer(r.value) ? r.value.toString('base64') : r.value,
    valueEncoding: Buffer.isBuffer(r.value) ? 'base64' : 'utf8',
    headers,
  };
  if (r.partition !== undefined) wire.partition = r.partition;
  if (r.timestamp !== undefined) wire.timestamp = r.timestamp;
  return wire;
}

const STATUSES = new Set(['produced', 'quarantined', 'rejected', 'error']);

/** Checks the 200 body against the protocol; returns why it is garbage, or undefined. */
function checkResponse(body: unknown, expected: number): string | undefined {
  if (typeof body !== 'object' || body === null) return 'body is not a JSON object';
  const results = (body as { results?: unknown }).results;
  if (!Array.isArray(results)) return 'no results array';
  if (results.length !== expected) return `expected ${expected} results, got ${results.length}`;
  const seen = new Set<number>();
  for (const r of results as Record<string, unknown>[]) {
    if (typeof r !== 'object' || r === null) return 'a result is not an object';
    if (typeof r.index !== 'number' || r.index < 0 || r.index >= expected || seen.has(r.index)) {
      return 'a result has a missing, duplicate or out-of-range index';
    }
    seen.add(r.index);
    if (typeof r.status !== 'string' || !STATUSES.has(r.status))
      return `unknown status ${String(r.status)}`;
  }
  return undefined;
}

/**
 * The sidecar hop: records go into a bounded queue (back-pressure when full), leave in batches
 * of `batchSize` or after `lingerMs`, over an undici keep-alive `Pool` (never `fetch`: ~10× the
 * client CPU). A record's promise settles only on the sidecar's acknowledgement or failure.
 */
export class SidecarTransport implements ProducerTransport {
  readonly name = 'sidecar';
  readonly #options: ResolvedSidecarOptions;
  readonly #pool: Pool;
  readonly #queue: BoundedQueue<Item>;
  readonly #onRequestOutcome: ((ok: boolean, error?: Error) => void) | undefined;
  #inflight = 0;
  #linger: NodeJS.Timeout | undefined;
  #flushWaiters: (() => void)[] = [];
  #closed = false;

  constructor(
    options: ResolvedSidecarOptions,
    hooks: { onRequestOutcome?: (ok: boolean, error?: Error) => void } = {},
  ) {
    this.#options = options;
    this.#pool = new Pool(options.url, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connectTimeout: Math.min(options.requestTimeoutMs, 10_000),
    });
    // a dead sidecar is an expected condition, not a crash: swallow pool-level errors
    this.#pool.on('connectionError', () => {});
    this.#queue = new BoundedQueue<Item>(options.maxQueueRecords, options.enqueueTimeoutMs);
    this.#queue.onItems(() => this.#pump());
    this.#onRequestOutcome = hooks.onRequestOutcome;
  }

  /** Records queued or in flight. */
  get pending(): number {
    return this.#queue.pending;
  }

  /** Sends records and resolves with one outcome per record; rejects only on queue-full or closed. */
  async sendDetailed(records: readonly TransportRecord[]): Promise<SidecarOutcome[]> {
    if (this.#closed) throw sdkError(SDK_ERROR_CODES.closed, 'the producer is disconnected');
    const outcomes: Promise<SidecarOutcome>[] = [];
    const items: Item[] = records.map((record) => {
      let done!: (o: SidecarOutcome) => void;
      outcomes.push(new Promise<SidecarOutcome>((resolve) => (done = resolve)));
      return { record, done };
    });
    await this.#queue.push(items);
    return Promise.all(outcomes);
  }

  async send(
    records: readonly TransportRecord[],
    _options?: TransportSendOptions,
  ): Promise<SfRecordMetadata[]> {
    const outcomes = await this.sendDetailed(records);
    const unavailable = outcomes.find((o) => o.status === 'unavailable');
    if (unavailable && unavailable.status === 'unavailable') throw unavailable.error;
    const failures: SidecarRecordFailure[] = [];
    outcomes.forEach((o, index) => {
      if (o.status === 'failed') failures.push({ ...o.failure, index });
    });
    if (failures.length > 0) throw new SidecarRecordError(failures);
    return aggregateMetadata(outcomes);
  }

  flush(): Promise<void> {
    if (this.#queue.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#flushWaiters.push(resolve);
      this.#pump(true);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#queue.rejectWaiters(sdkError(SDK_ERROR_CODES.closed, 'the producer is disconnected'));
    clearTimeout(this.#linger);
    await this.#pool.close().catch(() => {});
  }

  #pump(force = false): void {
    const { batchSize, connections, lingerMs } = this.#options;
    while (this.#queue.length > 0 && this.#inflight < connections) {
      const lingerDue = force || this.#flushWaiters.length > 0 || lingerMs === 0;
      if (this.#queue.length < batchSize && !lingerDue) {
        this.#linger ??= setTimeout(() => {
          this.#linger = undefined;
          this.#pump(true);
        }, lingerMs);
        return;
      }
      clearTimeout(this.#linger);
      this.#linger = undefined;
      force = false;
      const batch = this.#queue.take(batchSize);
      this.#inflight += 1;
      void this.#dispatch(batch).finally(() => {
        this.#inflight -= 1;
        this.#queue.release(batch.length);
        if (this.#queue.pending === 0) for (const w of this.#flushWaiters.splice(0)) w();
        this.#pump(this.#flushWaiters.length > 0);
      });
    }
  }

  async #dispatch(batch: Item[]): Promise<void> {
    let outcomes: SidecarOutcome[];
    try {
      const body = JSON.stringify({ records: batch.map((i) => toWireRecord(i.record)) });
      outcomes = await this.#request(body, batch.length);
      this.#report(true);
    } catch (error) {
      const err =
        error instanceof Error &&
        'code' in error &&
        String((error as { code: unknown }).code).startsWith('SF_ERR_')
          ? error
          : sdkError(
              SDK_ERROR_CODES.sidecarUnavailable,
              `the sidecar at ${this.#options.url} is unavailable`,
              {
                cause: error,
                retriable: true,
              },
            );
      this.#report(false, err);
      outcomes = batch.map(() => ({ status: 'unavailable', error: err }));
    }
    batch.forEach((item, i) => item.done(outcomes[i]!));
  }

  #report(ok: boolean, error?: Error): void {
    try {
      this.#onRequestOutcome?.(ok, error);
    } catch {
      // observers must not break dispatch
    }
  }

  async #request(body: string, count: number): Promise<SidecarOutcome[]> {
    const res = await this.#pool.request({
      path: '/v1/produce',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode >= 500) {
      throw sdkError(SDK_ERROR_CODES.sidecarUnavailable, `the sidecar answered ${res.statusCode}`, {
        retriable: true,
        details: { status: res.statusCode },
      });
    }
    if (res.statusCode !== 200) {
      throw sdkError(SDK_ERROR_CODES.sidecarBadResponse, `the sidecar answered ${res.statusCode}`, {
        retriable: false,
        details: { status: res.statusCode, body: text.slice(0, 500) },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw sdkError(
        SDK_ERROR_CODES.sidecarBadResponse,
        'the sidecar answered 200 with a body that is not JSON',
        {
          cause,
          retriable: true,
        },
      );
    }
    const why = checkResponse(parsed, count);
    if (why) {
      throw sdkError(
        SDK_ERROR_CODES.sidecarBadResponse,
        `the sidecar answered a malformed body: ${why}`,
        {
          retriable: true,
        },
      );
    }
    const outcomes = new Array<SidecarOutcome>(count);
    for (const r of (parsed as { results: Record<string, unknown>[] }).results) {
      const index = r.index as number;
      if (r.status === 'produced' || r.status === 'quarantined') {
        outcomes[index] = {
          status: 'acked',
          topic: typeof r.topic === 'string' ? r.topic : '',
          partition: typeof r.partition === 'number' ? r.partition : -1,
          offset: typeof r.offset === 'string' ? r.offset : String(r.offset ?? '-1'),
        };
      } else {
        const e = (typeof r.error === 'object' && r.error !== null ? r.error : {}) as Record<
          string,
          unknown
        >;
        outcomes[index] = {
          status: 'failed',
          failure: {
            topic: typeof r.topic === 'string' ? r.topic : '',
            status: r.status as 'rejected' | 'error',
            code: typeof e.code === 'string' ? e.code : 'SF_ERR_SIDECAR_UNKNOWN',
            message: typeof e.message === 'string' ? e.message : String(r.status),
            retriable: r.status === 'error' && e.retriable !== false,
          },
        };
      }
    }
    return outcomes;
  }
}

/** One metadata entry per topic-partition, like kafkajs, with the lowest offset as baseOffset. */
export function aggregateMetadata(outcomes: readonly SidecarOutcome[]): SfRecordMetadata[] {
  const byTp = new Map<string, SfRecordMetadata>();
  for (const o of outcomes) {
    if (o.status !== 'acked') continue;
    const k = `${o.topic}\u0000${o.partition}`;
    const existing = byTp.get(k);
    if (!existing) {
      byTp.set(k, {
        topicName: o.topic,
        partition: o.partition,
        errorCode: 0,
        baseOffset: o.offset,
        offset: o.offset,
      });
    } else if (isLowerOffset(o.offset, existing.baseOffset)) {
      existing.baseOffset = o.offset;
      existing.offset = o.offset;
    }
  }
  return [...byTp.values()];
}

function isLowerOffset(a: string, b: string | undefined): boolean {
  if (b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return a.length < b.length || (a.length === b.length && a < b);
}
