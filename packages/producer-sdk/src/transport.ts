import type { SfRecordMetadata } from './types';

/** One record ready to leave the SDK: serialised, with all headers set. */
export interface TransportRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  /** Header names are as given; values are strings or Buffers (arrays as kafkajs allows). */
  headers: Record<string, Buffer | string | (Buffer | string)[]>;
  partition?: number;
  /** Epoch ms as a string. */
  timestamp?: string;
}

/** Produce-request settings carried through to Kafka. */
export interface TransportSendOptions {
  acks?: number;
  timeout?: number;
  compression?: number;
}

/**
 * The SDK's own transport interface: how records leave the process. Implementations: direct
 * (kafkajs producer), sidecar (HTTP hop), failover (sidecar with fail-open to direct), and the
 * in-memory twin in `@signal-factory/producer-sdk/testing`. Keeping this small lets another
 * Kafka client be added without touching the public API.
 */
export interface ProducerTransport {
  /** Short name for logs and metrics (`direct`, `sidecar`, …). */
  readonly name: string;
  /**
   * Sends records; resolves once every record is acknowledged, with one metadata entry per
   * topic-partition (as kafkajs does). Rejects with a typed error otherwise.
   */
  send(
    records: readonly TransportRecord[],
    options?: TransportSendOptions,
  ): Promise<SfRecordMetadata[]>;
  /** Resolves when everything accepted so far has been acknowledged or failed. */
  flush(): Promise<void>;
  /** Flushes, then releases resources. Idempotent. */
  close(): Promise<void>;
}
