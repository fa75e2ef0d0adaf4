import type {
  BatchHandler,
  BusMessage,
  EvidenceBus,
  PublishedRecord,
  SubscribeOptions,
  Subscription,
  TopicOptions,
} from '@signal-factory/core';
import {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel as KafkaJsLogLevel,
  type Admin,
  type KafkaConfig,
  type LogEntry,
  type Message,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { busArgumentError, busClosedError, mapKafkaError } from './errors';
import { GroupSubscription } from './group-subscription';
import { safeLogger, type Logger } from './logger';
import {
  resolveKafkaOptions,
  type KafkaEvidenceBusOptions,
  type ResolvedKafkaOptions,
} from './options';
import { PlatformaticProducer } from './platformatic-producer';
import { Publisher, type TopicBatch } from './publisher';
import { ensureTopicExists } from './topic-admin';
import { withDeadline } from './with-deadline';

const LEVELS = {
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
} as const;

const LIMITED_RETRIES_WARNING =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** Kafka's legal topic names. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export function checkTopicName(topic: unknown, what: string): string {
  if (typeof topic !== 'string' || !TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw busArgumentError(
      `${what}: topic must be 1-249 characters of letters, digits, ".", "_" or "-" (got ${JSON.stringify(topic)})`,
      { topic: typeof topic === 'string' ? topic : typeof topic },
    );
  }
  return topic;
}

function checkMessages(messages: unknown): BusMessage[] {
  if (!Array.isArray(messages)) throw busArgumentError('publish: messages must be an array');
  const problems: string[] = [];
  messages.forEach((message: unknown, index) => {
    if (typeof message !== 'object' || message === null) {
      problems.push(`messages[${index}] must be an object`);
      return;
    }
    const m = message as Record<string, unknown>;
    if (typeof m.key !== 'string') problems.push(`messages[${index}].key must be a string`);
    if (typeof m.value !== 'string') problems.push(`messages[${index}].value must be a string`);
    if (
      m.timestamp !== undefined &&
      (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp) || m.timestamp < 0)
    )
      problems.push(`messages[${index}].timestamp must be epoch milliseconds`);
    if (m.headers !== undefined) {
      if (typeof m.headers !== 'object' || m.headers === null || Array.isArray(m.headers))
        problems.push(`messages[${index}].headers must be an object of strings`);
      else
        for (const [name, value] of Object.entries(m.headers))
          if (typeof value !== 'string')
            problems.push(`messages[${index}].headers.${name} must be a string`);
    }
  });
  if (problems.length > 0)
    throw busArgumentError(`publish: ${problems.slice(0, 10).join('; ')}`, { problems });
  return messages as BusMessage[];
}

/**
 * The evidence bus on Apache Kafka (kafkajs): an idempotent producer with `acks=all` keyed by
 * dataset URN, topic administration, and consumer-group members that commit an offset only after
 * the handler succeeded for every record before it.
 */
export class KafkaEvidenceBus implements EvidenceBus {
  readonly #options: ResolvedKafkaOptions;
  readonly #logger: Logger;
  readonly #kafka: Kafka;
  readonly #publisher: Publisher;
  /** Partition chosen by the partitioner for each outgoing message object (for per-record offsets). */
  readonly #partitionOf = new WeakMap<object, number>();
  readonly #subscriptions = new Set<GroupSubscription>();
  readonly #ensured = new Set<string>();
  #producer: Promise<Producer> | undefined;
  #fastProducer: Promise<PlatformaticProducer> | undefined;
  #admin: Promise<Admin> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: KafkaEvidenceBusOptions) {
    this.#options = resolveKafkaOptions(options);
    this.#logger = safeLogger(this.#options.logger);
    this.#kafka = new Kafka(this.#kafkaConfig());
    const producer = this.#options.producer;
    this.#publisher = new Publisher({
      send: (batches) => this.#send(batches),
      lingerMs: producer.lingerMs,
      maxBatchRecords: producer.maxBatchRecords,
      maxBatchBytes: producer.maxBatchBytes,
    });
  }

  #kafkaConfig(): KafkaConfig {
    const o = this.#options;
    const logger = this.#logger;
    const silent = o.logger === undefined;
    const config: KafkaConfig = {
      ...(o.clientConfig as Partial<KafkaConfig>),
      clientId: o.clientId,
      brokers: o.brokers,
      connectionTimeout: o.connectionTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      retry: {
        retries: o.retry.retries,
        initialRetryTime: o.retry.initialRetryTimeMs,
        maxRetryTime: o.retry.maxRetryTimeMs,
      },
      logLevel: silent ? KafkaJsLogLevel.NOTHING : LEVELS[o.logLevel],
      logCreator: () => (entry: LogEntry) => {
        if (silent) return;
        // The bus bounds producer retries on purpose, so a publish fails with a typed error instead
        // of retrying forever; kafkajs rolls back sequence numbers of a failed request.
        if (entry.log.message === LIMITED_RETRIES_WARNING) return;
        const { message, timestamp: _timestamp, ...extra } = entry.log;
        const obj = { component: 'kafkajs', namespace: entry.namespace, ...extra };
        if (entry.level === KafkaJsLogLevel.ERROR) logger.error(obj, message);
        else if (entry.level === KafkaJsLogLevel.WARN) logger.warn(obj, message);
        else if (entry.level === KafkaJsLogLevel.INFO) logger.info(obj, message);
        else logger.debug(obj, message);
      },
    };
    if (o.ssl !== undefined) config.ssl = o.ssl;
    if (o.sasl !== undefined) config.sasl = o.sasl as SASLOptions;
    return config;
  }

  #producerReady(): Promise<Producer> {
    this.#producer ??= (async () => {
      const partitionOf = this.#partitionOf;
      const producer = this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-compatible murmur2 on the key, wrapped to learn where each record goes.
        createPartitioner: () => {
          const inner = Partitioners.DefaultPartitioner();
          return (args) => {
            const partition = inner(args);
            partitionOf.set(args.message, partition);
            return partition;
          };
        },
      });
      try {
        await producer.connect();
      } catch (error) {
        this.#producer = undefined;
        throw error;
      }
      return producer;
    })();
    return this.#producer;
  }

  #adminReady(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.#admin = undefined;
        throw error;
      }
      return admin;
    })();
    return this.#admin;
  }

  #usesPlatformatic(): boolean {
    const o = this.#options;
    return o.producer.client === 'platformatic' && o.ssl === undefined && o.sasl === undefined;
  }

  #fastProducerReady(): Promise<PlatformaticProducer> {
    this.#fastProducer ??= (async () => {
      const o = this.#options;
      const producer = new PlatformaticProducer({
        brokers: o.brokers,
        clientId: o.clientId,
        idempotent: true,
        acks: -1,
        requestTimeoutMs: Math.max(o.requestTimeoutMs, o.producer.ackTimeoutMs),
        connectionTimeoutMs: o.connectionTimeoutMs,
        retries: o.retry.retries,
        retryDelayMs: o.retry.initialRetryTimeMs,
      });
      try {
        await producer.connect();
      } catch (error) {
        this.#fastProducer = undefined;
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      return producer;
    })();
    return this.#fastProducer;
  }

  async #sendFast(batches: TopicBatch[]): Promise<PublishedRecord[][]> {
    const producer = await this.#fastProducerReady();
    const { placements } = await producer.produce(batches, {
      acks: -1,
      compression: this.#options.producer.compression === 'gzip' ? 1 : 0,
    });
    return batches.map(({ topic }, b) =>
      (placements[b] ?? []).map(({ partition, offset }) => ({ topic, partition, offset })),
    );
  }

  async #send(batches: TopicBatch[]): Promise<PublishedRecord[][]> {
    if (this.#usesPlatformatic()) return this.#sendFast(batches);
    const producer = await this.#producerReady();
    const topicMessages = batches.map(({ topic, messages }) => ({
      topic,
      messages: messages.map((message): Message => {
        const out: Message = { key: message.key, value: message.value };
        if (message.headers !== undefined) out.headers = message.headers;
        if (message.timestamp !== undefined) out.timestamp = String(Math.trunc(message.timestamp));
        return out;
      }),
    }));
    const metadata = await producer.sendBatch({
      topicMessages,
      acks: -1,
      timeout: this.#options.producer.ackTimeoutMs,
      compression:
        this.#options.producer.compression === 'gzip'
          ? CompressionTypes.GZIP
          : CompressionTypes.None,
    });
    const baseOffsets = new Map<string, bigint>();
    for (const entry of metadata) {
      if (entry.baseOffset !== undefined)
        baseOffsets.set(`${entry.topicName}\u0000${entry.partition}`, BigInt(entry.baseOffset));
    }
    // Within one produce request a partition's records are appended in request order, so the
    // n-th record of a partition lands at baseOffset + n.
    return topicMessages.map(({ topic, messages }) => {
      const seen = new Map<number, bigint>();
      const records: PublishedRecord[] = [];
      for (const message of messages) {
        const partition = this.#partitionOf.get(message);
        const base =
          partition === undefined ? undefined : baseOffsets.get(`${topic}\u0000${partition}`);
        if (partition === undefined || base === undefined) break;
        const index = seen.get(partition) ?? 0n;
        seen.set(partition, index + 1n);
        records.push({ topic, partition, offset: (base + index).toString() });
      }
      return records;
    });
  }

  async ensureTopic(topic: string, options: TopicOptions = {}): Promise<void> {
    checkTopicName(topic, 'ensureTopic');
    const partitions = options.partitions ?? this.#options.defaultPartitions;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw busArgumentError('ensureTopic: partitions must be a positive integer', { partitions });
    if (this.#closed) throw busClosedError('ensureTopic');
    if (this.#ensured.has(topic)) return;
    try {
      const admin = await this.#adminReady();
      const outcome = await ensureTopicExists(admin, {
        topic,
        partitions,
        replicationFactor: this.#options.replicationFactor,
        config: this.#options.topicConfig,
        timeoutMs: this.#options.requestTimeoutMs,
      });
      if (!outcome.created && outcome.partitions !== partitions && options.partitions !== undefined)
        this.#logger.warn(
          { topic, partitions: outcome.partitions, requested: partitions },
          'Topic already exists with another partition count; left unchanged',
        );
      this.#ensured.add(topic);
    } catch (error) {
      throw mapKafkaError(error, 'topic', { topic });
    }
  }

  async publish(topic: string, messages: BusMessage[]): Promise<PublishedRecord[]> {
    checkTopicName(topic, 'publish');
    const checked = checkMessages(messages);
    if (this.#closed) throw busClosedError('publish');
    return this.#publisher.publish(topic, checked);
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    if (typeof options !== 'object' || options === null)
      throw busArgumentError('subscribe: options must be an object');
    if (typeof options.groupId !== 'string' || options.groupId === '')
      throw busArgumentError('subscribe: groupId must be a non-empty string');
    if (!Array.isArray(options.topics) || options.topics.length === 0)
      throw busArgumentError('subscribe: topics must be a non-empty array');
    for (const topic of options.topics) checkTopicName(topic, 'subscribe');
    if (
      options.maxBatchSize !== undefined &&
      (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1)
    )
      throw busArgumentError('subscribe: maxBatchSize must be a positive integer');
    if (typeof handler !== 'function')
      throw busArgumentError('subscribe: handler must be a function');
    if (this.#closed) throw busClosedError('subscribe');

    const c = this.#options.consumer;
    const consumer = this.#kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      rebalanceTimeout: c.rebalanceTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      maxWaitTimeInMs: c.maxWaitTimeMs,
      maxBytesPerPartition: c.maxBytesPerPartition,
      allowAutoTopicCreation: false,
    });
    const subscription = new GroupSubscription({
      consumer,
      options: { ...options, topics: [...options.topics] },
      handler,
      logger: this.#logger,
      config: this.#options,
      onClosed: (closed) => this.#subscriptions.delete(closed),
    });
    this.#subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      this.#subscriptions.delete(subscription);
      throw error;
    }
    return subscription;
  }

  async flush(): Promise<void> {
    await this.#publisher.flush();
  }

  /** Flushes publishes, closes subscriptions (committing processed work), then disconnects. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const deadline = Date.now() + this.#options.closeTimeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const errors: unknown[] = [];
    await withDeadline(this.#publisher.flush(), left(), 'bus producer').catch((e: unknown) =>
      errors.push(e),
    );
    const subscriptions = [...this.#subscriptions];
    const closed = await Promise.allSettled(
      subscriptions.map((s) => withDeadline(s.close(), left(), 'subscription')),
    );
    for (const result of closed) if (result.status === 'rejected') errors.push(result.reason);
    const disconnect = async (
      client: Promise<{ disconnect(): Promise<void> }> | undefined,
    ): Promise<void> => {
      if (client === undefined) return;
      const connected = await client.catch(() => undefined);
      if (connected !== undefined)
        await withDeadline(connected.disconnect(), left(), 'bus connection');
    };
    await disconnect(this.#producer).catch((e: unknown) => errors.push(e));
    await disconnect(this.#fastProducer).catch((e: unknown) => errors.push(e));
    await disconnect(this.#admin).catch((e: unknown) => errors.push(e));
    if (errors.length > 0) {
      this.#logger.error(
        { errors: errors.length, err: errors[0] },
        'Kafka bus did not close cleanly',
      );
      throw mapKafkaError(errors[0], 'close');
    }
  }
}
