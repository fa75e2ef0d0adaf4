import { Producer, type ClusterMetadata, type MessageToProduce } from '@platformatic/kafka';

import { murmur2 } from '@signal-factory/core';

import { Checker } from './options';

/**
 * A Kafka producer on `@platformatic/kafka` with kafkajs's `send`/`sendBatch` shapes.
 *
 * Why a second client: kafkajs 2.2.4 allocates a zeroed 512-byte encoder for every record and
 * every header, which costs 2–3 µs of CPU per header and turns into garbage-collection pressure
 * under load (measured in bench/producer-sdk-throughput and bench/sidecar-e2e). Records that
 * carry the five Signal Factory headers spend more time in that encoder than in everything we
 * do. `@platformatic/kafka` encodes into reused buffers.
 *
 * Partitions are chosen here, before the send, with the Java client's partitioner (murmur2 of
 * the key, positive, modulo the partition count: the same placement as kafkajs's
 * `DefaultPartitioner`), so records of one key land on the same partition whichever client
 * produced them, and each record's offset is known from the partition's base offset.
 */

/** A header value as kafkajs accepts it. */
export type CompatHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A record in kafkajs's `Message` shape. */
export interface CompatMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: Record<string, CompatHeaderValue>;
  /** Epoch milliseconds as a string (kafkajs) or number. */
  timestamp?: string | number;
}

/** Records of one topic, as in kafkajs's `TopicMessages`. */
export interface CompatTopicMessages {
  topic: string;
  messages: CompatMessage[];
}

/** One entry per topic-partition written, as kafkajs's `RecordMetadata`. */
export interface CompatRecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset: string;
}

/** Where one record was written. */
export interface RecordPlacement {
  partition: number;
  offset: string;
}

export interface ProduceOutcome {
  metadata: CompatRecordMetadata[];
  /** One list per input topic batch, one placement per message, in input order. */
  placements: RecordPlacement[][];
}

/** Broker answers after which the idempotent producer's sequence numbers cannot be trusted. */
const SEQUENCE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'DUPLICATE_SEQUENCE_NUMBER',
]);

/** kafkajs `CompressionTypes` numbers → @platformatic/kafka names. */
const COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

export interface PlatformaticProducerOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Default `signal-factory`. */
  clientId?: string;
  /** Idempotent producer (requires acks = -1). Default true. */
  idempotent?: boolean;
  /** Default acks when a send does not say: -1 (all), 1 (leader), 0 (none). Default -1. */
  acks?: -1 | 0 | 1;
  /** Per-request timeout in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** TCP connect timeout in ms. Default 3,000. */
  connectionTimeoutMs?: number;
  /** Retries of a failed request. Default 5. */
  retries?: number;
  /** Wait between retries in ms. Default 250. */
  retryDelayMs?: number;
  /** Let the broker create unknown topics on first produce (if it allows). Default false. */
  allowAutoTopicCreation?: boolean;
  /** Metadata refresh interval in ms. Default 300,000. */
  metadataMaxAgeMs?: number;
}

/**
 * The error a failed send rejects with. `type` is the broker's error name when the broker
 * answered (`MESSAGE_TOO_LARGE`, `TOPIC_AUTHORIZATION_FAILED`, …), `retriable` whether sending
 * the same records again can succeed. The names are the ones `mapKafkaError` knows.
 */
export class PlatformaticProduceError extends Error {
  readonly type: string | undefined;
  readonly retriable: boolean;
  constructor(
    name: string,
    message: string,
    type: string | undefined,
    retriable: boolean,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = name;
    this.type = type;
    this.retriable = retriable;
  }
}

interface PlatformaticErrorLike {
  code?: unknown;
  apiId?: unknown;
  canRetry?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** Finds the most telling error inside @platformatic/kafka's nested aggregate errors. */
function innermost(error: unknown): PlatformaticErrorLike {
  let current = error as PlatformaticErrorLike;
  for (let depth = 0; depth < 8; depth++) {
    if (typeof current !== 'object' || current === null) return {};
    if (typeof current.apiId === 'string') return current;
    const inner =
      Array.isArray(current.errors) && current.errors.length > 0
        ? current.errors[0]
        : current.cause;
    if (typeof inner !== 'object' || inner === null) return current;
    current = inner as PlatformaticErrorLike;
  }
  return current;
}

export function toProduceError(error: unknown): PlatformaticProduceError {
  if (error instanceof PlatformaticProduceError) return error;
  const inner = innermost(error);
  const code = typeof inner.code === 'string' ? inner.code : '';
  const type = typeof inner.apiId === 'string' ? inner.apiId : undefined;
  const message =
    typeof inner.message === 'string' && inner.message !== ''
      ? inner.message
      : error instanceof Error
        ? error.message
        : String(error);
  if (code === 'PLT_KFK_NETWORK' || /ECONNREFUSED|ECONNRESET|EPIPE|closed/i.test(message))
    return new PlatformaticProduceError('KafkaClientConnectionError', message, type, true, error);
  if (code === 'PLT_KFK_TIMEOUT' || /timeout|timed out/i.test(message))
    return new PlatformaticProduceError('KafkaClientTimeoutError', message, type, true, error);
  const retriable = type === undefined ? true : inner.canRetry === true;
  return new PlatformaticProduceError('KafkaClientProtocolError', message, type, retriable, error);
}

/** Every problem with the options at once, with its path (`SF_ERR_BUS_OPTIONS_INVALID`). */
function checkOptions(options: PlatformaticProducerOptions): void {
  const check = new Checker();
  const o = (typeof options === 'object' && options !== null ? options : {}) as Record<
    string,
    unknown
  >;
  check.brokers(o.brokers);
  if (o.clientId !== undefined && (typeof o.clientId !== 'string' || o.clientId === ''))
    check.add('clientId', 'must be a non-empty string');
  for (const key of ['idempotent', 'allowAutoTopicCreation'] as const)
    if (o[key] !== undefined && typeof o[key] !== 'boolean') check.add(key, 'must be a boolean');
  if (o.acks !== undefined && o.acks !== -1 && o.acks !== 0 && o.acks !== 1)
    check.add('acks', 'must be -1, 0 or 1');
  check.int(o, 'requestTimeoutMs', 'requestTimeoutMs', 0, 1);
  check.int(o, 'connectionTimeoutMs', 'connectionTimeoutMs', 0, 1);
  check.int(o, 'retries', 'retries', 0, 0);
  check.int(o, 'retryDelayMs', 'retryDelayMs', 0, 0);
  check.int(o, 'metadataMaxAgeMs', 'metadataMaxAgeMs', 0, 1);
  check.throwIfAny('PlatformaticProducer');
}

/** A record the producer cannot encode: resending it cannot succeed. */
function badRecord(message: string): PlatformaticProduceError {
  return new PlatformaticProduceError(
    'KafkaClientRecordError',
    message,
    undefined,
    false,
    undefined,
  );
}

function toBuffer(value: Buffer | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value);
  if (Buffer.isBuffer(value)) return value;
  throw badRecord('keys, values and header values must be strings or Buffers');
}

function toTimestamp(value: string | number): bigint {
  const text = String(value);
  if (!/^\d{1,16}$/.test(text))
    throw badRecord(
      `timestamp must be epoch milliseconds (got ${JSON.stringify(text.slice(0, 32))})`,
    );
  return BigInt(text);
}

/**
 * Header names repeat on every record, and so do most values (service, version, contract): each
 * name is encoded once, with the last value seen under it. Bounded so hostile names cannot grow it.
 */
const NAME_CACHE_LIMIT = 1_024;

interface EncodedHeader {
  name: Buffer;
  lastText: string | undefined;
  lastValue: Buffer | undefined;
}

export class PlatformaticProducer {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #acks: number;
  readonly #idempotent: boolean;
  readonly #autocreate: boolean;
  readonly #names = new Map<string, EncodedHeader>();
  readonly #roundRobin = new Map<string, number>();
  #idempotentQueue: Promise<void> = Promise.resolve();
  #renewProducerId = false;
  #closed = false;

  constructor(options: PlatformaticProducerOptions) {
    checkOptions(options);
    this.#acks = options.acks ?? -1;
    this.#idempotent = options.idempotent ?? true;
    this.#autocreate = options.allowAutoTopicCreation ?? false;
    this.#producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      clientId: options.clientId ?? 'signal-factory',
      bootstrapBrokers: options.brokers,
      // Idempotence is asked for per send: set here, @platformatic/kafka would turn a retry limit
      // of 0 or 1 into "retry forever", and a send must fail in bounded time with a typed error.
      idempotent: false,
      // one request in flight per broker keeps per-partition order and sequence numbers simple
      maxInflights: 1,
      acks: this.#acks,
      timeout: options.requestTimeoutMs ?? 30_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectTimeout: options.connectionTimeoutMs ?? 3_000,
      retries: options.retries ?? 5,
      retryDelay: options.retryDelayMs ?? 250,
      metadataMaxAge: options.metadataMaxAgeMs ?? 300_000,
      autocreateTopics: this.#autocreate,
    });
  }

  /** Fetches cluster metadata, so a wrong broker list fails here rather than on the first send. */
  async connect(): Promise<void> {
    try {
      await this.#producer.metadata({ topics: [] });
    } catch (error) {
      throw toProduceError(error);
    }
  }

  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#producer.close();
  }

  /** kafkajs `producer.send`. */
  async send(record: {
    topic: string;
    messages: CompatMessage[];
    acks?: number;
    timeout?: number;
    compression?: number;
  }): Promise<CompatRecordMetadata[]> {
    const { topic, messages, ...options } = record;
    return (await this.produce([{ topic, messages }], options)).metadata;
  }

  /** kafkajs `producer.sendBatch`. */
  async sendBatch(batch: {
    topicMessages?: CompatTopicMessages[];
    acks?: number;
    timeout?: number;
    compression?: number;
  }): Promise<CompatRecordMetadata[]> {
    const { topicMessages = [], ...options } = batch;
    return (await this.produce(topicMessages, options)).metadata;
  }

  /**
   * Sends records in one call and reports where each record was written. Idempotent sends run one
   * at a time, in call order: @platformatic/kafka advances a partition's sequence number only when
   * a produce response arrives, so two idempotent requests in flight to one partition would carry
   * the same sequence and the broker would refuse the second (OUT_OF_ORDER_SEQUENCE_NUMBER).
   */
  produce(
    batches: readonly CompatTopicMessages[],
    options: { acks?: number; compression?: number } = {},
  ): Promise<ProduceOutcome> {
    const acks = options.acks ?? this.#acks;
    if (!(this.#idempotent && acks === -1)) return this.#produceNow(batches, acks, false, options);
    const run = this.#idempotentQueue.then(() => this.#produceNow(batches, acks, true, options));
    this.#idempotentQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #produceNow(
    batches: readonly CompatTopicMessages[],
    acks: number,
    idempotent: boolean,
    options: { compression?: number },
  ): Promise<ProduceOutcome> {
    if (this.#closed) throw toProduceError(new Error('producer closed'));
    const total = batches.reduce((n, b) => n + b.messages.length, 0);
    if (total === 0) return { metadata: [], placements: batches.map(() => []) };
    try {
      if (idempotent && this.#renewProducerId) {
        // after a sequence error the broker's view of our sequences is unknown: start afresh
        await this.#producer.initIdempotentProducer({});
        this.#renewProducerId = false;
      }
      const metadata = await this.#metadataFor(batches);
      const out: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] = new Array(total);
      const partitionsOf: number[][] = [];
      let at = 0;
      for (const { topic, messages } of batches) {
        const count = metadata.topics.get(topic)?.partitionsCount ?? 1;
        const partitions: number[] = new Array(messages.length);
        for (let i = 0; i < messages.length; i++) {
          const m = messages[i] as CompatMessage;
          const key = m.key === null || m.key === undefined ? undefined : toBuffer(m.key);
          const partition = m.partition ?? this.#partition(topic, key, count);
          partitions[i] = partition;
          const message: MessageToProduce<Buffer, Buffer, Buffer, Buffer> = {
            topic,
            partition,
            value: m.value === null ? (undefined as unknown as Buffer) : toBuffer(m.value),
          };
          if (key !== undefined) message.key = key;
          if (m.headers !== undefined) message.headers = this.#headers(m.headers);
          if (m.timestamp !== undefined) message.timestamp = toTimestamp(m.timestamp);
          out[at++] = message;
        }
        partitionsOf.push(partitions);
      }
      const compression = COMPRESSION[options.compression ?? 0] ?? 'none';
      const result = await this.#producer.send({
        messages: out,
        acks,
        // the idempotent producer needs acks=all; a send that asks for less is not idempotent
        idempotent,
        compression,
      });
      const base = new Map<string, bigint>();
      const entries: CompatRecordMetadata[] = [];
      for (const o of result.offsets ?? []) {
        base.set(`${o.topic}\u0000${o.partition}`, o.offset);
        entries.push({
          topicName: o.topic,
          partition: o.partition,
          errorCode: 0,
          baseOffset: o.offset.toString(),
        });
      }
      // a partition's records are appended in request order: the n-th lands at base + n
      const placements = batches.map(({ topic }, b) => {
        const seen = new Map<number, bigint>();
        return (partitionsOf[b] as number[]).map((partition) => {
          const n = seen.get(partition) ?? 0n;
          seen.set(partition, n + 1n);
          const first = base.get(`${topic}\u0000${partition}`);
          return { partition, offset: first === undefined ? '-1' : (first + n).toString() };
        });
      });
      return { metadata: entries, placements };
    } catch (error) {
      const mapped = toProduceError(error);
      if (idempotent && mapped.type !== undefined && SEQUENCE_ERRORS.has(mapped.type))
        this.#renewProducerId = true;
      throw mapped;
    }
  }

  async #metadataFor(batches: readonly CompatTopicMessages[]): Promise<ClusterMetadata> {
    const current = this.#producer.currentMetadata;
    if (current !== undefined && batches.every((b) => current.topics.has(b.topic))) return current;
    const topics = [...new Set(batches.map((b) => b.topic))];
    return this.#producer.metadata({ topics, autocreateTopics: this.#autocreate });
  }

  #partition(topic: string, key: Buffer | undefined, count: number): number {
    if (key !== undefined) return (murmur2(key) & 0x7fffffff) % count;
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, next + 1);
    return next % count;
  }

  #encoded(name: string): EncodedHeader {
    let encoded = this.#names.get(name);
    if (encoded === undefined) {
      encoded = { name: Buffer.from(name), lastText: undefined, lastValue: undefined };
      if (this.#names.size >= NAME_CACHE_LIMIT) this.#names.clear();
      this.#names.set(name, encoded);
    }
    return encoded;
  }

  #headers(headers: Record<string, CompatHeaderValue>): Map<Buffer, Buffer> {
    const map = new Map<Buffer, Buffer>();
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        // repeated header: a distinct key object per value (the map is keyed by identity)
        for (const v of value) map.set(Buffer.from(name), toBuffer(v));
        continue;
      }
      const encoded = this.#encoded(name);
      if (typeof value !== 'string') map.set(encoded.name, value);
      else {
        // the encoder only reads these buffers, so one may serve every record with that value
        if (encoded.lastText !== value) {
          encoded.lastText = value;
          encoded.lastValue = Buffer.from(value);
        }
        map.set(encoded.name, encoded.lastValue as Buffer);
      }
    }
    return map;
  }
}
