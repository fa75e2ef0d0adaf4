/**
 * The evidence bus: a partitioned, replayable log with consumer groups (Kafka's model).
 * Records are keyed by dataset URN so one partition, and so one consumer, owns a dataset.
 */

/** A record to publish. */
export interface BusMessage {
  /** Partitioning key, normally the dataset URN. */
  key: string;
  /** The payload, usually JSON text. */
  value: string;
  /** Optional string headers. */
  headers?: Record<string, string>;
  /** Record timestamp in epoch milliseconds; defaults to the publish time. */
  timestamp?: number;
}

/** Where a published record landed. */
export interface PublishedRecord {
  topic: string;
  partition: number;
  /** Offset as a decimal string (Kafka offsets exceed 2^53). */
  offset: string;
}

/** A record handed to a consumer. */
export interface ConsumedMessage extends Required<Omit<BusMessage, 'headers'>> {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export interface TopicOptions {
  /** Partition count when the topic is created. Default: the bus's configured default. */
  partitions?: number;
}

export interface SubscribeOptions {
  /** Consumer group id; each group receives every record once (at least once). */
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default `true` (earliest). */
  fromBeginning?: boolean;
  /** Most records handed to one handler call. */
  maxBatchSize?: number;
}

/** Called with a batch from one partition; offsets are committed only after it resolves. */
export type BatchHandler = (batch: ConsumedMessage[]) => Promise<void>;

export interface Subscription {
  /** Stops consuming; commits what was processed; idempotent. */
  close(): Promise<void>;
}

export interface EvidenceBus {
  /** Creates the topic if it does not exist. */
  ensureTopic(topic: string, options?: TopicOptions): Promise<void>;
  /** Publishes a batch; resolves once every record is durably acknowledged, in order per key. */
  publish(topic: string, messages: BusMessage[]): Promise<PublishedRecord[]>;
  /** Starts a consumer-group member. At-least-once: a handler that throws sees the batch again. */
  subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription>;
  /** Waits for in-flight publishes. */
  flush(): Promise<void>;
  /** Flushes, stops every subscription and releases connections; idempotent. */
  close(): Promise<void>;
}
