/**
 * Where the sidecar writes records. Our own small interface so the HTTP hop, tap and replay do
 * not depend on a Kafka client's types (kafkajs today; another client later).
 */
export interface SinkRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Explicit partition; otherwise the sink's partitioner chooses (murmur2 of the key in Kafka). */
  partition?: number;
  /** Epoch ms as a decimal string, as kafkajs takes it. */
  timestamp?: string;
}

/** Where a record landed, or why it did not. */
export type SinkResult =
  | { ok: true; topic: string; partition: number; offset: string }
  | { ok: false; code: string; message: string; retriable: boolean };

export interface RecordSink {
  /** Writes a batch (acks=all); resolves with one result per record, in order. Never rejects. */
  send(records: readonly SinkRecord[]): Promise<SinkResult[]>;
  /** False after a failed write until a write succeeds again. */
  readonly healthy: boolean;
  start(): Promise<void>;
  /** Flushes and disconnects; idempotent. */
  close(): Promise<void>;
}
