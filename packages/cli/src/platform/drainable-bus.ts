import type {
  BatchHandler,
  BusMessage,
  EvidenceBus,
  PublishedRecord,
  SubscribeOptions,
  Subscription,
  TopicOptions,
} from '@signal-factory/core';

import { CLI_ERROR_CODES } from '../errors';
import { SignalFactoryError } from '@signal-factory/core';

interface GroupState {
  topics: Set<string>;
  /** Records published to the group's topics and not yet handled by it. */
  pending: number;
}

/**
 * Wraps any `EvidenceBus` and knows when every consumer group of this process has handled every
 * record published through it: `idle()` resolves then. The simulator waits for it before moving
 * the simulated clock, so engines never judge a window before its evidence arrived, whatever the
 * bus (embedded or Kafka). Only publishes and subscriptions made through this wrapper count.
 */
export class DrainableBus implements EvidenceBus {
  readonly #inner: EvidenceBus;
  readonly #published = new Map<string, number>();
  readonly #groups = new Map<string, GroupState>();
  #waiters: Array<() => void> = [];

  /**
   * Offsets of the embedded bus, passed through when the wrapped bus has them, so components that
   * drain by offsets (the engine runtime) still recognise the embedded bus behind this wrapper.
   */
  readonly committedOffsets?: (groupId: string, topic: string) => (string | undefined)[];
  readonly endOffsets?: (topic: string) => string[];

  constructor(inner: EvidenceBus) {
    this.#inner = inner;
    const offsets = inner as Partial<Pick<DrainableBus, 'committedOffsets' | 'endOffsets'>>;
    if (
      typeof offsets.committedOffsets === 'function' &&
      typeof offsets.endOffsets === 'function'
    ) {
      this.committedOffsets = offsets.committedOffsets.bind(inner);
      this.endOffsets = offsets.endOffsets.bind(inner);
    }
  }

  /** Records published through this wrapper to a topic. */
  published(topic: string): number {
    return this.#published.get(topic) ?? 0;
  }

  /** The wrapped bus. */
  get inner(): EvidenceBus {
    return this.#inner;
  }

  ensureTopic(topic: string, options?: TopicOptions): Promise<void> {
    return this.#inner.ensureTopic(topic, options);
  }

  async publish(topic: string, messages: BusMessage[]): Promise<PublishedRecord[]> {
    // Count before publishing: a fast consumer may handle the records before publish resolves.
    const n = Array.isArray(messages) ? messages.length : 0;
    this.#published.set(topic, (this.#published.get(topic) ?? 0) + n);
    for (const g of this.#groups.values()) if (g.topics.has(topic)) g.pending += n;
    try {
      return await this.#inner.publish(topic, messages);
    } catch (error) {
      this.#published.set(topic, (this.#published.get(topic) ?? 0) - n);
      for (const g of this.#groups.values()) if (g.topics.has(topic)) g.pending -= n;
      this.#wake();
      throw error;
    }
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    let group = this.#groups.get(options.groupId);
    if (group === undefined) {
      group = { topics: new Set(), pending: 0 };
      this.#groups.set(options.groupId, group);
    }
    for (const topic of options.topics ?? []) {
      if (group.topics.has(topic)) continue;
      group.topics.add(topic);
      if (options.fromBeginning !== false) group.pending += this.#published.get(topic) ?? 0;
    }
    const state = group;
    return this.#inner.subscribe(options, async (batch) => {
      await handler(batch);
      // Only records of this process's publishes are counted (Kafka may hold older ones).
      state.pending = Math.max(0, state.pending - batch.length);
      this.#wake();
    });
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  close(): Promise<void> {
    this.#wake(true);
    return this.#inner.close();
  }

  /** Records published and not yet handled, summed over groups. */
  get pending(): number {
    let n = 0;
    for (const g of this.#groups.values()) n += g.pending;
    return n;
  }

  /**
   * Resolves once every group has handled everything published so far (including what handlers
   * publish meanwhile). Rejects with `SF_ERR_CLI_DRAIN_TIMEOUT` after `timeoutMs` of wall time.
   */
  idle(timeoutMs = 60_000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        reject(
          new SignalFactoryError(
            CLI_ERROR_CODES.DRAIN_TIMEOUT,
            `The platform did not process ${this.pending} pending bus records within ${timeoutMs} ms`,
            { retriable: true, details: { pending: this.#describe() } },
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
    });
  }

  #describe(): Record<string, number> {
    return Object.fromEntries(
      [...this.#groups].filter(([, g]) => g.pending > 0).map(([id, g]) => [id, g.pending]),
    );
  }

  #wake(all = false): void {
    if (!all && this.pending > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
