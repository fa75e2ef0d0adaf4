/**
 * Public record types. They mirror kafkajs's shapes structurally (so code written against
 * kafkajs compiles unchanged) without importing kafkajs: the SDK speaks its own small types.
 */

/** A header value as kafkajs accepts it. */
export type SfHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Record headers, as in kafkajs `IHeaders`. */
export interface SfHeaders {
  [key: string]: SfHeaderValue;
}

/** One message, as in kafkajs `Message`. */
export interface SfMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: SfHeaders;
  /** Epoch milliseconds as a string, as in kafkajs. */
  timestamp?: string;
}

/** The argument of `send`, as in kafkajs `ProducerRecord`. */
export interface SfProducerRecord {
  topic: string;
  messages: SfMessage[];
  acks?: number;
  timeout?: number;
  compression?: number;
}

/** Messages for one topic inside `sendBatch`, as in kafkajs `TopicMessages`. */
export interface SfTopicMessages {
  topic: string;
  messages: SfMessage[];
}

/** The argument of `sendBatch`, as in kafkajs `ProducerBatch`. */
export interface SfProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: number;
  topicMessages?: SfTopicMessages[];
}

/** What `send`/`sendBatch` resolve to, one entry per topic-partition, as in kafkajs `RecordMetadata`. */
export interface SfRecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  offset?: string;
  timestamp?: string;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

/**
 * The structural subset of a kafkajs `Producer` the SDK needs. A kafkajs producer (or any
 * KafkaJS-compatible client) satisfies it; the SDK never names kafkajs types.
 */
export interface KafkaProducerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: SfProducerRecord): Promise<SfRecordMetadata[]>;
  sendBatch(batch: SfProducerBatch): Promise<SfRecordMetadata[]>;
}

/** Per-record outcome of client-side contract validation. */
export interface RecordViolation {
  /** Topic of the record. */
  topic: string;
  /** Index of the record within its topic's `messages` array. */
  index: number;
  /** Contract that rejected it. */
  contractId: string;
  contractVersion: string;
  /** Stable reason codes (`CODE:field_path`). */
  reasonCodes: string[];
}

/** Counters the SDK keeps; read with `producer.sf.metrics()`. */
export interface ProducerSdkMetrics {
  /** Records handed to a transport and acknowledged. */
  recordsSent: number;
  /** Records validated against a contract. */
  recordsValidated: number;
  /** Records that violated their contract (warn and block). */
  recordsViolating: number;
  /** Records rejected before sending (block mode or not serialisable). */
  recordsRejected: number;
  /** Records produced directly because the sidecar was unavailable (fail-open). */
  recordsBypassed: number;
  /** Sidecar requests that failed as "unavailable". */
  sidecarFailures: number;
  /** Current circuit-breaker state (`closed` when no sidecar is configured). */
  breakerState: 'closed' | 'open' | 'half-open';
}

/** Load status of one contract binding; read with `producer.sf.contracts()`. */
export interface ContractStatus {
  /** Where the contract comes from (`file:…`, `url:…`, `object`). */
  source: string;
  state: 'loading' | 'ready' | 'failed';
  id?: string;
  version?: string;
  /** Why the last load failed, when it did. */
  error?: { code: string; message: string };
  /** Epoch ms of the last successful load. */
  loadedAt?: number;
}
