import type { RecordSink, SinkRecord, SinkResult } from './record-sink';

/** A stored record of `InMemoryRecordSink`. */
export interface StoredRecord extends SinkRecord {
  partition: number;
  offset: string;
}

/**
 * In-memory twin of the Kafka sink (tests, the embedded platform): per-topic partitioned logs
 * with consecutive offsets. `failNext(n)` makes the next n sends fail retriably.
 */
export class InMemoryRecordSink implements RecordSink {
  readonly #topics = new Map<string, StoredRecord[][]>();
  readonly #partitions: number;
  #failures = 0;
  #healthy = true;
  #closed = false;

  constructor(options: { partitions?: number } = {}) {
    this.#partitions = options.partitions ?? 3;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  async start(): Promise<void> {}

  /** Fails the next `count` sends (every record gets a retriable error). */
  failNext(count = 1): void {
    this.#failures = count;
  }

  async send(records: readonly SinkRecord[]): Promise<SinkResult[]> {
    if (this.#closed || this.#failures > 0) {
      if (this.#failures > 0) this.#failures--;
      this.#healthy = false;
      return records.map(() => ({
        ok: false,
        code: 'SF_ERR_SIDECAR_PRODUCE_FAILED',
        message: 'in-memory sink failure',
        retriable: true,
      }));
    }
    this.#healthy = true;
    return records.map((record) => {
      let log = this.#topics.get(record.topic);
      if (log === undefined) {
        log = Array.from({ length: this.#partitions }, () => []);
        this.#topics.set(record.topic, log);
      }
      const partition = record.partition ?? this.#partitionOf(record.key);
      const list = log[partition % log.length] as StoredRecord[];
      const stored: StoredRecord = {
        ...record,
        partition: partition % log.length,
        offset: String(list.length),
      };
      list.push(stored);
      return { ok: true, topic: record.topic, partition: stored.partition, offset: stored.offset };
    });
  }

  /** Every record of a topic, partition by partition. */
  records(topic: string): StoredRecord[] {
    return (this.#topics.get(topic) ?? []).flat();
  }

  topics(): string[] {
    return [...this.#topics.keys()];
  }

  #partitionOf(key: Buffer | string | null): number {
    if (key === null) return 0;
    const text = key.toString();
    let h = 0;
    for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
    return Math.abs(h) % this.#partitions;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
