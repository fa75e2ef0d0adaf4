import type { Socket } from 'node:net';

import { SignalFactoryError } from '@signal-factory/core';
import { PlatformaticProducer } from '@signal-factory/kafka';
import { Kafka, Partitioners, logLevel, type Message, type Producer } from 'kafkajs';

import { SIDECAR_ERROR_CODES } from '../errors';
import type { RecordSink, SinkRecord, SinkResult } from './record-sink';

/** Broker answers about the records themselves: resending the same records cannot succeed. */
const PERMANENT = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CORRUPT_MESSAGE',
  'INVALID_RECORD',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/**
 * kafkajs marks "retries exhausted" as non-retriable even when the cause is a dead broker; for the
 * caller that is retriable. Only errors about the records themselves are permanent.
 */
function isRetriable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PERMANENT.has(type)) return false;
    e =
      (e as { originalError?: unknown; cause?: unknown }).originalError ??
      (e as { cause?: unknown }).cause;
  }
  return true;
}

/** Options of `KafkaRecordSink`. */
export interface KafkaRecordSinkOptions {
  /** Bootstrap brokers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** Kafka client id. Default `signal-factory-sidecar`. */
  clientId?: string;
  /** Per-request timeout in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Retries inside kafkajs before a send is reported as failed. Default 5. */
  retries?: number;
  /** TCP connect timeout in ms. Default 3,000. */
  connectionTimeoutMs?: number;
  /** Most records coalesced into one Kafka request from concurrent batches. Default 5,000. */
  maxCoalescedRecords?: number;
  /** Opens broker connections (TLS, proxies, fault injection in tests); implies `client: 'kafkajs'`. */
  socketFactory?: (options: { host: string; port: number; onConnect: () => void }) => Socket;
  /**
   * Kafka client: `'platformatic'` (default; `@platformatic/kafka`, about half of kafkajs's CPU per
   * record with headers, and far less garbage) or `'kafkajs'`. Both are idempotent with acks=all
   * and place keys with the Java client's murmur2 partitioner.
   */
  client?: 'platformatic' | 'kafkajs';
}

/** One produce call over the chosen client: per-record partition and offset, in input order. */
interface SinkProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  write(
    byTopic: Array<[string, Message[]]>,
  ): Promise<Array<Array<{ partition: number; offset: bigint }>>>;
}

/**
 * The Kafka sink: an idempotent producer (acks=all) on `@platformatic/kafka` or kafkajs. The
 * partition of every message is known before the send, so each record gets its exact offset
 * (the partition's base offset + its position in the request).
 */
export class KafkaRecordSink implements RecordSink {
  readonly #producer: SinkProducer;
  readonly #maxCoalesce: number;
  readonly #pending: Array<{ records: readonly SinkRecord[]; resolve: (r: SinkResult[]) => void }> =
    [];
  #flushing = false;
  #healthy = false;
  #started: Promise<void> | undefined;
  #closed = false;

  constructor(options: KafkaRecordSinkOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
      throw new SignalFactoryError(
        SIDECAR_ERROR_CODES.OPTIONS_INVALID,
        'KafkaRecordSink: brokers must be a non-empty list',
        {
          details: {
            problems: [{ path: 'brokers', message: 'must be a non-empty list of host:port' }],
          },
        },
      );
    }
    this.#maxCoalesce = options.maxCoalescedRecords ?? 5_000;
    this.#producer =
      (options.client ?? 'platformatic') === 'platformatic' && options.socketFactory === undefined
        ? platformaticProducer(options)
        : kafkajsProducer(options);
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  start(): Promise<void> {
    // a failed connect is forgotten, so the next write tries again (broker down at startup)
    this.#started ??= this.#producer.connect().then(
      () => {
        this.#healthy = true;
      },
      (error: unknown) => {
        this.#started = undefined;
        throw error;
      },
    );
    return this.#started;
  }

  /**
   * Writes a batch. Batches that arrive while a write is in flight are coalesced into the next
   * single `sendBatch` (group commit): with acks=all and one in-flight request per broker (the
   * idempotent producer), this turns N concurrent HTTP batches into one round trip.
   */
  send(records: readonly SinkRecord[]): Promise<SinkResult[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.#pending.push({ records, resolve });
      if (!this.#flushing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const group: Array<{ records: readonly SinkRecord[]; resolve: (r: SinkResult[]) => void }> =
          [];
        let count = 0;
        while (
          this.#pending.length > 0 &&
          (group.length === 0 ||
            count + (this.#pending[0]?.records.length ?? 0) <= this.#maxCoalesce)
        ) {
          const next = this.#pending.shift() as {
            records: readonly SinkRecord[];
            resolve: (r: SinkResult[]) => void;
          };
          group.push(next);
          count += next.records.length;
        }
        const all = group.flatMap((g) => g.records);
        const results = await this.#write(all);
        let at = 0;
        for (const g of group) {
          g.resolve(results.slice(at, at + g.records.length));
          at += g.records.length;
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #write(records: readonly SinkRecord[]): Promise<SinkResult[]> {
    const byTopic = new Map<string, Array<{ index: number; message: Message }>>();
    records.forEach((r, index) => {
      const message: Message = {
        key: r.key,
        value: r.value,
        headers: r.headers,
        ...(r.partition === undefined ? {} : { partition: r.partition }),
        ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
      };
      const list = byTopic.get(r.topic) ?? [];
      list.push({ index, message });
      byTopic.set(r.topic, list);
    });
    try {
      if (this.#closed) throw new Error('sink closed');
      await this.start();
      const topics = [...byTopic];
      const placed = await this.#producer.write(
        topics.map(([topic, list]) => [topic, list.map((m) => m.message)]),
      );
      const results: SinkResult[] = new Array(records.length);
      topics.forEach(([topic, list], t) => {
        list.forEach(({ index }, i) => {
          const at = placed[t]?.[i];
          results[index] =
            at === undefined || at.offset < 0n
              ? {
                  ok: false,
                  code: SIDECAR_ERROR_CODES.PRODUCE_FAILED,
                  message: 'the broker acknowledged the request without an offset for this record',
                  retriable: true,
                }
              : { ok: true, topic, partition: at.partition, offset: at.offset.toString() };
        });
      });
      this.#healthy = true;
      return results;
    } catch (error) {
      this.#healthy = false;
      const retriable = isRetriable(error);
      const message = `Kafka produce failed: ${(error as Error).message}`;
      return records.map(() => ({
        ok: false,
        code: SIDECAR_ERROR_CODES.PRODUCE_FAILED,
        message,
        retriable,
      }));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#healthy = false;
    await this.#producer.disconnect().catch(() => undefined);
  }
}

function kafkajsProducer(options: KafkaRecordSinkOptions): SinkProducer {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'signal-factory-sidecar',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    retry: { retries: options.retries ?? 5 },
    ...(options.socketFactory === undefined ? {} : { socketFactory: options.socketFactory }),
  });
  const base = Partitioners.DefaultPartitioner();
  // the partition of every message, captured from the partitioner: offset = base + position
  const chosen = new WeakMap<object, number>();
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: () => (args) => {
      const partition = base(args);
      chosen.set(args.message, partition);
      return partition;
    },
  });
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async write(byTopic) {
      const metadata = await producer.sendBatch({
        acks: -1,
        topicMessages: byTopic.map(([topic, messages]) => ({ topic, messages })),
      });
      const base = new Map<string, bigint>();
      for (const m of metadata)
        base.set(`${m.topicName}\u0000${m.partition}`, BigInt(m.baseOffset ?? '0'));
      return byTopic.map(([topic, messages]) => {
        const position = new Map<number, bigint>();
        return messages.map((message) => {
          const partition = message.partition ?? chosen.get(message) ?? 0;
          const at = position.get(partition) ?? 0n;
          position.set(partition, at + 1n);
          return { partition, offset: (base.get(`${topic}\u0000${partition}`) ?? 0n) + at };
        });
      });
    },
  };
}

function platformaticProducer(options: KafkaRecordSinkOptions): SinkProducer {
  const producer = new PlatformaticProducer({
    brokers: options.brokers,
    clientId: options.clientId ?? 'signal-factory-sidecar',
    idempotent: true,
    acks: -1,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000,
    retries: options.retries ?? 5,
    allowAutoTopicCreation: true,
  });
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async write(byTopic) {
      const { placements } = await producer.produce(
        byTopic.map(([topic, messages]) => ({ topic, messages })),
        { acks: -1 },
      );
      return placements.map((list) =>
        list.map(({ partition, offset }) => ({ partition, offset: BigInt(offset) })),
      );
    },
  };
}
