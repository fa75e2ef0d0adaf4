import type {
  BatchHandler,
  ConsumedMessage,
  SubscribeOptions,
  Subscription,
} from '@signal-factory/core';
import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import { mapKafkaError } from './errors';
import type { Logger } from './logger';
import type { ResolvedKafkaOptions } from './options';
import { withDeadline } from './with-deadline';

function headerString(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  // A repeated header: the last value wins, as Kafka's `Headers.lastHeader`.
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (last === undefined) return undefined;
  return typeof last === 'string' ? last : last.toString('utf8');
}

export function toConsumedMessage(
  topic: string,
  partition: number,
  message: KafkaMessage,
): ConsumedMessage {
  const headers: Record<string, string> = {};
  if (message.headers) {
    for (const name of Object.keys(message.headers)) {
      const value = headerString(message.headers[name]);
      if (value !== undefined) headers[name] = value;
    }
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? '' : message.key.toString('utf8'),
    value: message.value === null ? '' : message.value.toString('utf8'),
    headers,
    timestamp: Number(message.timestamp),
  };
}

/** Delay before delivering a failed batch again: exponential with full jitter over the upper half. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * One consumer-group member. kafkajs fetches from the *resolved* offset of each partition, and
 * this member resolves (and so commits) an offset only after the handler resolved for every record
 * up to it. A handler that throws leaves the offset where it was: the partition is paused for a
 * backoff, then fetched again from the first unprocessed record (at least once).
 */
export class GroupSubscription implements Subscription {
  readonly #consumer: Consumer;
  readonly #options: SubscribeOptions;
  readonly #handler: BatchHandler;
  readonly #logger: Logger;
  readonly #config: ResolvedKafkaOptions;
  readonly #failures = new Map<string, number>();
  readonly #resumeTimers = new Set<NodeJS.Timeout>();
  #closing: Promise<void> | undefined;
  readonly #onClosed: (subscription: GroupSubscription) => void;

  constructor(init: {
    consumer: Consumer;
    options: SubscribeOptions;
    handler: BatchHandler;
    logger: Logger;
    config: ResolvedKafkaOptions;
    onClosed: (subscription: GroupSubscription) => void;
  }) {
    this.#consumer = init.consumer;
    this.#options = init.options;
    this.#handler = init.handler;
    this.#logger = init.logger;
    this.#config = init.config;
    this.#onClosed = init.onClosed;
  }

  async start(): Promise<void> {
    const consumer = this.#consumer;
    const { groupId, topics } = this.#options;
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.#logger.error(
        { groupId, topics, restart, err: error },
        restart
          ? 'Kafka consumer crashed; it restarts and resumes from the committed offsets'
          : 'Kafka consumer crashed and does not restart',
      );
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: this.#options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#config.consumer.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw mapKafkaError(error, 'subscribe', { groupId, topics });
    }
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = payload;
    const { topic, partition } = batch;
    const all = batch.messages;
    const size = this.#options.maxBatchSize ?? all.length;
    const key = `${topic}\u0000${partition}`;
    for (let start = 0; start < all.length; start += size) {
      if (!isRunning() || isStale()) return;
      const slice = all.slice(start, start + size);
      const messages = slice.map((message) => toConsumedMessage(topic, partition, message));
      // kafkajs heartbeats only between batches; keep the membership alive during a slow handler.
      // A heartbeat that reports a rebalance is kept and rethrown once the handler is done, so
      // kafkajs commits what was resolved and rejoins the group promptly.
      let beatError: unknown;
      const beat = setInterval(() => {
        heartbeat().catch((error: unknown) => {
          beatError ??= error;
        });
      }, this.#config.consumer.heartbeatIntervalMs);
      try {
        await this.#handler(messages);
      } catch (error) {
        const failures = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, failures);
        const delay = backoffDelay(
          failures,
          this.#config.consumer.retryBackoffMs,
          this.#config.consumer.maxRetryBackoffMs,
        );
        this.#logger.warn(
          {
            groupId: this.#options.groupId,
            topic,
            partition,
            offset: messages[0]?.offset,
            records: messages.length,
            failures,
            retryInMs: delay,
            err: error,
          },
          'Batch handler failed; the batch will be delivered again',
        );
        const resume = pause();
        const timer = setTimeout(() => {
          this.#resumeTimers.delete(timer);
          resume();
        }, delay);
        this.#resumeTimers.add(timer);
        return;
      } finally {
        clearInterval(beat);
      }
      this.#failures.delete(key);
      resolveOffset((slice[slice.length - 1] as KafkaMessage).offset);
      if (beatError !== undefined) throw beatError;
      // Throws when the group is rebalancing: kafkajs then commits the resolved offsets and rejoins.
      await heartbeat();
    }
  }

  /** Stops consuming after the batch in progress, commits what was processed, leaves the group. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const timer of this.#resumeTimers) clearTimeout(timer);
    this.#resumeTimers.clear();
    try {
      await withDeadline(this.#consumer.disconnect(), this.#config.closeTimeoutMs, 'subscription');
    } catch (error) {
      throw mapKafkaError(error, 'close', { groupId: this.#options.groupId });
    } finally {
      this.#onClosed(this);
    }
  }
}
