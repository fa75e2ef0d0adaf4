import type { BusMessage, EvidenceBus, PublishedRecord } from '@signal-factory/core';

/** A minimal publish-only bus for unit tests: keeps what was published, can be told to fail. */
export class RecordingBus implements EvidenceBus {
  readonly published: Array<{ topic: string; message: BusMessage }> = [];
  readonly topics = new Map<string, number | undefined>();
  fail = false;

  async ensureTopic(topic: string, options?: { partitions?: number }): Promise<void> {
    this.topics.set(topic, options?.partitions);
  }

  async publish(topic: string, messages: BusMessage[]): Promise<PublishedRecord[]> {
    if (this.fail) throw new Error('bus down');
    return messages.map((message) => {
      this.published.push({ topic, message });
      return { topic, partition: 0, offset: String(this.published.length - 1) };
    });
  }

  async subscribe(): Promise<{ close(): Promise<void> }> {
    return { close: async () => undefined };
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}

  /** Parsed evidence values published so far. */
  evidence(): Array<Record<string, unknown>> {
    return this.published.map((p) => JSON.parse(p.message.value) as Record<string, unknown>);
  }
}
