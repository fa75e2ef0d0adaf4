import type { BusMessage, PublishedRecord } from '@signal-factory/core';
import { SignalFactoryError } from '@signal-factory/core';
import { KAFKA_ERROR_CODES, mapKafkaError } from './errors';

/** Records of one topic in one produce request, in publish order. */
export interface TopicBatch {
  topic: string;
  messages: BusMessage[];
}

/**
 * Sends one produce request; resolves with one result per message, aligned with the input
 * (same topic order, same message order).
 */
export type SendBatch = (batches: TopicBatch[]) => Promise<PublishedRecord[][]>;

export interface PublisherOptions {
  send: SendBatch;
  lingerMs: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
}

interface PublishCall {
  readonly results: PublishedRecord[];
  remaining: number;
  failed: boolean;
  resolve(records: PublishedRecord[]): void;
  reject(error: unknown): void;
}

interface Pending {
  topic: string;
  message: BusMessage;
  bytes: number;
  call: PublishCall;
  index: number;
}

export function messageBytes(message: BusMessage): number {
  let bytes = Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + 70;
  if (message.headers) {
    for (const name in message.headers) {
      bytes += Buffer.byteLength(name) + Buffer.byteLength(message.headers[name] ?? '') + 2;
    }
  }
  return bytes;
}

/**
 * Batches publish calls into produce requests: the first record waits up to `lingerMs` for
 * company, and records published while a request is in flight go into the next one. One request
 * is in flight at a time, so records of one key keep their order.
 */
export class Publisher {
  readonly #options: PublisherOptions;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  /** Records queued or in flight. */
  get pending(): number {
    return this.#queue.length;
  }

  publish(topic: string, messages: BusMessage[]): Promise<PublishedRecord[]> {
    if (messages.length === 0) return Promise.resolve([]);
    return new Promise<PublishedRecord[]>((resolve, reject) => {
      const call: PublishCall = {
        results: new Array<PublishedRecord>(messages.length),
        remaining: messages.length,
        failed: false,
        resolve,
        reject,
      };
      messages.forEach((message, index) => {
        const bytes = messageBytes(message);
        this.#queue.push({ topic, message, bytes, call, index });
        this.#queuedBytes += bytes;
      });
      this.#schedule();
    });
  }

  /** Sends everything queued now and resolves when nothing is queued or in flight. */
  async flush(): Promise<void> {
    this.#clearTimer();
    while (this.#queue.length > 0 || this.#draining !== undefined) {
      this.#startDrain();
      await this.#draining;
    }
  }

  #schedule(): void {
    if (this.#draining !== undefined) return; // the drain loop picks the new records up
    const full =
      this.#queue.length >= this.#options.maxBatchRecords ||
      this.#queuedBytes >= this.#options.maxBatchBytes;
    if (full || this.#options.lingerMs === 0) {
      this.#clearTimer();
      this.#startDrain();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#startDrain();
      }, this.#options.lingerMs);
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #startDrain(): void {
    if (this.#draining !== undefined || this.#queue.length === 0) return;
    this.#draining = (async () => {
      try {
        // No await between the last emptiness check and the reset below: a publish that sees
        // `#draining` set is always picked up by this loop.
        while (this.#queue.length > 0) {
          const batch = this.#take();
          if (batch.length > 0) await this.#send(batch);
        }
      } finally {
        this.#draining = undefined;
      }
    })();
  }

  /** Takes the next request's records: at least one, at most the record and byte limits. */
  #take(): Pending[] {
    const { maxBatchRecords, maxBatchBytes } = this.#options;
    let count = 0;
    let bytes = 0;
    const queue = this.#queue;
    while (count < queue.length && count < maxBatchRecords) {
      const next = queue[count] as Pending;
      if (count > 0 && bytes + next.bytes > maxBatchBytes) break;
      bytes += next.bytes;
      count++;
    }
    const taken = queue.splice(0, count);
    this.#queuedBytes -= bytes;
    // Records of a call that already failed are dropped: its caller has its error.
    return taken.filter((pending) => !pending.call.failed);
  }

  async #send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Pending[]>();
    for (const pending of batch) {
      const list = byTopic.get(pending.topic);
      if (list === undefined) byTopic.set(pending.topic, [pending]);
      else list.push(pending);
    }
    const groups = [...byTopic.entries()];
    let results: PublishedRecord[][];
    try {
      results = await this.#options.send(
        groups.map(([topic, items]) => ({ topic, messages: items.map((item) => item.message) })),
      );
    } catch (error) {
      const topics = groups.map(([topic]) => topic);
      const mapped = mapKafkaError(error, 'publish', { topics, records: batch.length });
      for (const pending of batch) {
        if (!pending.call.failed) {
          pending.call.failed = true;
          pending.call.reject(mapped);
        }
      }
      return;
    }
    groups.forEach(([, items], groupIndex) => {
      const records = results[groupIndex] ?? [];
      items.forEach((pending, itemIndex) => {
        const record = records[itemIndex];
        const call = pending.call;
        if (call.failed) return;
        if (record === undefined) {
          call.failed = true;
          call.reject(
            new SignalFactoryError(
              KAFKA_ERROR_CODES.PUBLISH_FAILED,
              'The broker acknowledged the produce request without an offset for every record',
              { retriable: true, details: { topic: pending.topic } },
            ),
          );
          return;
        }
        call.results[pending.index] = record;
        call.remaining--;
        if (call.remaining === 0) call.resolve(call.results);
      });
    });
  }
}
