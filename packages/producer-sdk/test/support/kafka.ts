import { randomUUID } from 'node:crypto';
import kafkajs, { type Kafka as KafkaClient, type KafkaMessage } from 'kafkajs';
import type { ProduceFn } from './fake-sidecar';

const { Kafka, logLevel } = kafkajs;

export function kafkaClient(brokers: string, clientId = 'producer-sdk-it'): KafkaClient {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

export async function createTopic(
  kafka: KafkaClient,
  topic: string,
  numPartitions = 1,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export interface Consumed {
  key: string | null;
  value: string | null;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  /** Header names that occurred more than once on the record (kafkajs hands those over as arrays). */
  repeated: string[];
}

function toConsumed(partition: number, m: KafkaMessage): Consumed {
  const headers: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) repeated.push(k);
    headers[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return {
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value === null ? null : m.value.toString('utf8'),
    partition,
    offset: m.offset,
    headers,
    repeated,
  };
}

/**
 * Reads a topic from the beginning until `count` records arrived (then waits `settleMs` more to
 * catch duplicates) or `timeoutMs` passed.
 */
export async function consume(
  kafka: KafkaClient,
  topic: string,
  count: number,
  { timeoutMs = 30_000, settleMs = 500 } = {},
): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: `it-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: Consumed[] = [];
  let reached: () => void = () => {};
  const done = new Promise<void>((r) => (reached = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      out.push(toConsumed(partition, message));
      if (out.length >= count) reached();
    },
  });
  const timer = setTimeout(reached, timeoutMs);
  await done;
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, settleMs));
  await consumer.disconnect();
  return out;
}

/** The fake sidecar's produce step: a real kafkajs producer writing exactly what it got. */
export async function kafkaProduceFn(
  kafka: KafkaClient,
): Promise<{ produce: ProduceFn; close: () => Promise<void> }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const produce: ProduceFn = async (records) => {
    // one sendBatch per request; offsets per record from the partition's base offset
    const byTp = new Map<string, number[]>();
    const topicMessages = new Map<
      string,
      {
        key: string | null;
        value: string | Buffer | null;
        headers: Record<string, string>;
        partition?: number;
      }[]
    >();
    records.forEach((r, i) => {
      const list = topicMessages.get(r.topic!) ?? [];
      topicMessages.set(r.topic!, list);
      const value =
        r.value === null
          ? null
          : r.valueEncoding === 'base64'
            ? Buffer.from(r.value, 'base64')
            : r.value;
      list.push({
        key: r.key,
        value,
        headers: r.headers ?? {},
        ...(r.partition === undefined ? {} : { partition: r.partition }),
      });
      byTp.set(`${r.topic}`, [...(byTp.get(`${r.topic}`) ?? []), i]);
    });
    const meta = await producer.sendBatch({
      topicMessages: [...topicMessages].map(([topic, messages]) => ({ topic, messages })),
    });
    // single-partition topics in these tests: offsets are base + position within the topic
    const result = new Array<{ partition: number; offset: string }>(records.length);
    for (const [topic, indices] of byTp) {
      const m = meta.find((x) => x.topicName === topic)!;
      indices.forEach((recordIndex, pos) => {
        result[recordIndex] = {
          partition: m.partition,
          offset: String(BigInt(m.baseOffset ?? '0') + BigInt(pos)),
        };
      });
    }
    return result;
  };
  return { produce, close: () => producer.disconnect() };
}
