import type { ProducerTransport, TransportRecord, TransportSendOptions } from '../transport';
import type {
  KafkaProducerLike,
  SfProducerBatch,
  SfProducerRecord,
  SfRecordMetadata,
} from '../types';

/** A record as the in-memory twins store it, with the offset it was given. */
export interface StoredRecord extends TransportRecord {
  offset: string;
}

/**
 * In-memory `ProducerTransport`: keeps every record, assigns offsets per topic-partition, and
 * can be told to fail the next sends. Use it in application tests instead of a broker.
 */
export class InMemoryTransport implements ProducerTransport {
  readonly name = 'in-memory';
  readonly records: StoredRecord[] = [];
  #offsets = new Map<string, number>();
  #failNext: Error[] = [];
  #closed = false;

  /** Makes the next `send` calls reject with these errors, in order. */
  failNext(...errors: Error[]): void {
    this.#failNext.push(...errors);
  }

  async send(
    records: readonly TransportRecord[],
    _options?: TransportSendOptions,
  ): Promise<SfRecordMetadata[]> {
    if (this.#closed) throw new Error('in-memory transport is closed');
    const failure = this.#failNext.shift();
    if (failure) throw failure;
    const meta = new Map<string, SfRecordMetadata>();
    for (const r of records) {
      const partition = r.partition ?? 0;
      const k = `${r.topic}\u0000${partition}`;
      const offset = this.#offsets.get(k) ?? 0;
      this.#offsets.set(k, offset + 1);
      this.records.push({ ...r, headers: { ...r.headers }, offset: String(offset) });
      if (!meta.has(k))
        meta.set(k, { topicName: r.topic, partition, errorCode: 0, baseOffset: String(offset) });
    }
    return [...meta.values()];
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
  }
}

/**
 * A kafkajs-shaped producer backed by an `InMemoryTransport`, for unit tests of code that calls
 * `instrument(producer)`. `sent` holds each `send`/`sendBatch` argument as received.
 */
export class InMemoryKafkaProducer implements KafkaProducerLike {
  readonly transport = new InMemoryTransport();
  readonly calls: SfProducerBatch[] = [];
  connected = false;

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async send(record: SfProducerRecord): Promise<SfRecordMetadata[]> {
    return this.#write({
      acks: record.acks,
      timeout: record.timeout,
      topicMessages: [{ topic: record.topic, messages: record.messages }],
    });
  }

  async sendBatch(batch: SfProducerBatch): Promise<SfRecordMetadata[]> {
    return this.#write(batch);
  }

  async #write(batch: SfProducerBatch): Promise<SfRecordMetadata[]> {
    this.calls.push(batch);
    const records: TransportRecord[] = [];
    for (const tm of batch.topicMessages ?? []) {
      for (const m of tm.messages) {
        const headers: TransportRecord['headers'] = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = v;
        const r: TransportRecord = { topic: tm.topic, key: m.key ?? null, value: m.value, headers };
        if (m.partition !== undefined) r.partition = m.partition;
        if (m.timestamp !== undefined) r.timestamp = m.timestamp;
        records.push(r);
      }
    }
    return this.transport.send(records);
  }
}
