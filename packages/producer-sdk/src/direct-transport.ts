import type { ProducerTransport, TransportRecord, TransportSendOptions } from './transport';
import type { KafkaProducerLike, SfMessage, SfRecordMetadata, SfTopicMessages } from './types';

/** Groups records by topic, keeping their order, as kafkajs `sendBatch` expects. */
export function toTopicMessages(records: readonly TransportRecord[]): SfTopicMessages[] {
  const byTopic = new Map<string, SfMessage[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    const m: SfMessage = { key: r.key, value: r.value, headers: r.headers };
    if (r.partition !== undefined) m.partition = r.partition;
    if (r.timestamp !== undefined) m.timestamp = r.timestamp;
    list.push(m);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Produces straight to Kafka with a kafkajs (or KafkaJS-compatible) producer. */
export class DirectTransport implements ProducerTransport {
  readonly name = 'direct';
  readonly #producer: KafkaProducerLike;
  readonly #inflight = new Set<Promise<unknown>>();

  constructor(producer: KafkaProducerLike) {
    this.#producer = producer;
  }

  async send(
    records: readonly TransportRecord[],
    options: TransportSendOptions = {},
  ): Promise<SfRecordMetadata[]> {
    if (records.length === 0) return [];
    const topicMessages = toTopicMessages(records);
    const p =
      topicMessages.length === 1
        ? this.#producer.send({
            ...options,
            topic: topicMessages[0]!.topic,
            messages: topicMessages[0]!.messages,
          })
        : this.#producer.sendBatch({ ...options, topicMessages });
    this.#inflight.add(p);
    try {
      return await p;
    } finally {
      this.#inflight.delete(p);
    }
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
