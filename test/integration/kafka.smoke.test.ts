import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

type Admin = ReturnType<Kafka['admin']>;

/**
 * KRaft publishes a new topic to the broker's metadata cache a moment after CreateTopics returns, and
 * kafkajs' `waitForLeaders` only retries LEADER_NOT_AVAILABLE, not the UNKNOWN_TOPIC_OR_PARTITION it
 * can get meanwhile (kafkajs issue 1563). So: create without waiting, then poll the metadata.
 */
async function createTopic(admin: Admin, topic: string, numPartitions: number): Promise<boolean> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: false,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length === numPartitions && partitions.every((p) => p.leader >= 0))
        return created;
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `topic ${topic} has no leaders for all ${numPartitions} partitions after 30 s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Proves kafkajs 2.2.4 talks to the harness broker (Kafka 4: KIP-896 removed old protocol versions).
describe('harness Kafka with kafkajs', () => {
  const brokers = inject('kafkaBrokers');
  const kafka = new Kafka({ clientId: 'sf-smoke', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const run = randomUUID().slice(0, 8);

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('is a single KRaft broker on 127.0.0.1', async () => {
    const cluster = await admin.describeCluster();
    expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.brokers[0]?.host).toBe('127.0.0.1');
    expect(cluster.controller).toBe(cluster.brokers[0]?.nodeId);
  });

  it('creates a 64-partition topic', async () => {
    const topic = `sf-smoke-64-${run}`;
    expect(await createTopic(admin, topic, 64)).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    expect(partitions).toHaveLength(64);
    expect(new Set(partitions.map((p) => p.partitionId))).toEqual(
      new Set(Array.from({ length: 64 }, (_, i) => i)),
    );
    expect(partitions.every((p) => p.leader >= 0)).toBe(true);
  });

  it('produces idempotently and consumes every record with a consumer group that commits', async () => {
    const topic = `sf-smoke-group-${run}`;
    const groupId = `sf-smoke-group-${run}`;
    await createTopic(admin, topic, 8);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 200 }, (_, i) => ({
      key: `urn:dp:smoke:ds${i % 17}`,
      value: `record-${i}`,
    }));
    const acks = await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();
    expect(new Set(acks.map((ack) => ack.partition)).size).toBeGreaterThan(1); // keys spread over partitions

    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received: { key: string; value: string; partition: number }[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }: EachMessagePayload) => {
          received.push({ key: String(message.key), value: String(message.value), partition });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect(); // commits the last resolved offsets

    expect(received.map((r) => r.value).sort()).toEqual(sent.map((s) => s.value).sort());
    // Same key, same partition: the property dataset-URN partitioning relies on.
    const partitionOfKey = new Map<string, Set<number>>();
    for (const r of received)
      partitionOfKey.set(r.key, (partitionOfKey.get(r.key) ?? new Set()).add(r.partition));
    expect([...partitionOfKey.values()].every((set) => set.size === 1)).toBe(true);

    // The group committed, per partition, the offset after the last record it processed
    // (-1: nothing committed, for a partition no key hashed to).
    const perPartition = new Map<number, number>();
    for (const r of received)
      perPartition.set(r.partition, (perPartition.get(r.partition) ?? 0) + 1);
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = new Map(
      (offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
    );
    for (let partition = 0; partition < 8; partition++) {
      expect(committed.get(partition), `partition ${partition}`).toBe(
        perPartition.get(partition) ?? -1,
      );
    }
  });
});
