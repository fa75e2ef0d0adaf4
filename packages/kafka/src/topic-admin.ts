import type { Admin } from 'kafkajs';

export interface EnsureTopicRequest {
  topic: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
  /** How long to wait for every partition to have a leader, in ms. */
  timeoutMs: number;
}

export interface EnsureTopicOutcome {
  created: boolean;
  /** Partition count of the topic as the broker reports it. */
  partitions: number;
}

const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the topic unless it exists (TOPIC_ALREADY_EXISTS is success), then waits until every
 * partition has a leader. KRaft brokers may answer UNKNOWN_TOPIC_OR_PARTITION for a moment after
 * CreateTopics returns, which kafkajs' `waitForLeaders` does not retry (kafkajs issue 1563), so the
 * metadata is polled here instead.
 */
export async function ensureTopicExists(
  admin: Admin,
  request: EnsureTopicRequest,
): Promise<EnsureTopicOutcome> {
  const { topic, partitions, replicationFactor, config, timeoutMs } = request;
  // kafkajs resolves `false` when the topic already exists.
  const created = await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor,
        configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
      },
    ],
    waitForLeaders: false,
  });
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = metadata.topics[0]?.partitions ?? [];
      const complete = created ? found.length === partitions : found.length > 0;
      if (complete && found.every((p) => p.leader >= 0))
        return { created, partitions: found.length };
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (typeof type !== 'string' || !NOT_YET.has(type) || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) {
      throw Object.assign(
        new Error(`Topic ${topic} has no leader for every partition after ${timeoutMs} ms`),
        {
          name: 'KafkaJSTimeout',
          retriable: true,
        },
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
}
