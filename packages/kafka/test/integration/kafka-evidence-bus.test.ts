import { randomUUID } from 'node:crypto';
import type { ConsumedMessage } from '@signal-factory/core';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KAFKA_ERROR_CODES, KafkaEvidenceBus, PlatformaticProducer } from '../../src/index';

const brokers = inject('kafkaBrokers');
const run = randomUUID().slice(0, 8);
const fast = {
  consumer: {
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
    retryBackoffMs: 50,
  },
  closeTimeoutMs: 20_000,
};

const admin = new Kafka({
  clientId: 'sf-kafka-test',
  brokers: [brokers],
  logLevel: logLevel.NOTHING,
}).admin();

async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const records = (
  n: number,
  prefix = 'r',
): { key: string; value: string; headers: Record<string, string> }[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `urn:dp:test:ds${i % 13}`,
    value: `${prefix}-${i}`,
    headers: { 'x-obs-seq': String(i) },
  }));

describe('KafkaEvidenceBus against a real broker', () => {
  const bus = new KafkaEvidenceBus({ brokers: [brokers], clientId: 'sf-kafka-it', ...fast });

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await bus.close();
    await admin.disconnect();
  });

  it('creates a topic with the default 64 partitions, idempotently', async () => {
    const topic = `sf-it-ensure-${run}`;
    await bus.ensureTopic(topic);
    await bus.ensureTopic(topic);
    // A second bus sees TOPIC_ALREADY_EXISTS and tolerates it.
    const other = new KafkaEvidenceBus({ brokers: [brokers] });
    await other.ensureTopic(topic, { partitions: 3 });
    await other.close();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(64);
  });

  it('publishes keyed records and reports where each landed', async () => {
    const topic = `sf-it-publish-${run}`;
    await bus.ensureTopic(topic, { partitions: 8 });
    const sent = records(100);
    const published = await bus.publish(topic, sent);
    expect(published).toHaveLength(100);
    // Same key, same partition; offsets strictly increase within a partition.
    const partitionOfKey = new Map<string, number>();
    const lastOffset = new Map<number, bigint>();
    published.forEach((record, i) => {
      expect(record.topic).toBe(topic);
      const key = sent[i]!.key;
      expect(partitionOfKey.get(key) ?? record.partition).toBe(record.partition);
      partitionOfKey.set(key, record.partition);
      const offset = BigInt(record.offset);
      expect(offset > (lastOffset.get(record.partition) ?? -1n)).toBe(true);
      lastOffset.set(record.partition, offset);
    });
    // The reported offsets are where the records really are.
    const seen: ConsumedMessage[] = [];
    const sub = await bus.subscribe(
      { groupId: `sf-it-publish-${run}`, topics: [topic] },
      async (batch) => {
        seen.push(...batch);
      },
    );
    await waitFor(() => seen.length >= 100);
    await sub.close();
    const at = new Map(seen.map((m) => [`${m.partition}:${m.offset}`, m]));
    published.forEach((record, i) => {
      const message = at.get(`${record.partition}:${record.offset}`);
      expect(message?.value).toBe(sent[i]!.value);
      expect(message?.key).toBe(sent[i]!.key);
      expect(message?.headers['x-obs-seq']).toBe(String(i));
      expect(typeof message?.timestamp).toBe('number');
    });
  });

  it('places a key on the same partition whichever producer client sends it', async () => {
    // Engines own datasets by partition: kafkajs producers (tap mode, older sidecars) and the
    // @platformatic/kafka producer must agree on where a dataset URN's evidence goes.
    const topic = `sf-it-placement-${run}`;
    const viaKafkaJs = new KafkaEvidenceBus({
      brokers: [brokers],
      producer: { client: 'kafkajs' },
    });
    const viaPlatformatic = new KafkaEvidenceBus({
      brokers: [brokers],
      producer: { client: 'platformatic' },
    });
    try {
      await viaKafkaJs.ensureTopic(topic, { partitions: 64 });
      const keyed = Array.from({ length: 200 }, (_, i) => ({
        key: `urn:dp:team-${i % 17}:dataset-${i}`,
        value: `v-${i}`,
      }));
      const a = await viaKafkaJs.publish(topic, keyed);
      const b = await viaPlatformatic.publish(topic, keyed);
      expect(new Set(a.map((r) => r.partition)).size).toBeGreaterThan(32);
      expect(b.map((r) => r.partition)).toEqual(a.map((r) => r.partition));
      // a partition's second round of records sits right after the first round
      const perPartition = new Map<number, number>();
      for (const r of a) perPartition.set(r.partition, (perPartition.get(r.partition) ?? 0) + 1);
      const firstOf = new Map<number, bigint>();
      a.forEach((r) => {
        const seen = firstOf.get(r.partition);
        if (seen === undefined || BigInt(r.offset) < seen)
          firstOf.set(r.partition, BigInt(r.offset));
      });
      const secondFirst = new Map<number, bigint>();
      b.forEach((r) => {
        const seen = secondFirst.get(r.partition);
        if (seen === undefined || BigInt(r.offset) < seen)
          secondFirst.set(r.partition, BigInt(r.offset));
      });
      for (const [partition, count] of perPartition)
        expect(secondFirst.get(partition)).toBe((firstOf.get(partition) ?? 0n) + BigInt(count));
    } finally {
      await viaKafkaJs.close();
      await viaPlatformatic.close();
    }
  });

  it('PlatformaticProducer: concurrent idempotent sends to one partition all land, in call order', async () => {
    const topic = `sf-it-idempotent-${run}`;
    await bus.ensureTopic(topic, { partitions: 1 });
    const producer = new PlatformaticProducer({ brokers: [brokers] });
    try {
      const sends = Array.from({ length: 20 }, (_, call) =>
        producer.send({
          topic,
          messages: Array.from({ length: 10 }, (_, i) => ({
            key: 'one-key',
            value: `${call}-${i}`,
          })),
        }),
      );
      const metadata = await Promise.all(sends);
      const bases = metadata.map((m) => Number(m[0]?.baseOffset));
      // call order is offset order, each call's 10 records contiguous, nothing refused
      expect(bases).toEqual(bases.map((_, call) => (bases[0] as number) + call * 10));
    } finally {
      await producer.disconnect();
    }
  });

  it('PlatformaticProducer: tombstones, and typed non-retriable errors for records it cannot encode', async () => {
    const topic = `sf-it-records-${run}`;
    await bus.ensureTopic(topic, { partitions: 2 });
    const producer = new PlatformaticProducer({ brokers: [brokers] });
    try {
      const [meta] = await producer.send({ topic, messages: [{ key: 'gone', value: null }] });
      expect(meta?.errorCode).toBe(0);
      const seen: ConsumedMessage[] = [];
      const sub = await bus.subscribe(
        { groupId: `sf-it-records-${run}`, topics: [topic] },
        async (b) => {
          seen.push(...b);
        },
      );
      await waitFor(() => seen.length >= 1);
      await sub.close();
      // the bus hands a tombstone over as an empty value
      expect(seen[0]).toMatchObject({ key: 'gone', value: '' });
      await expect(
        producer.send({ topic, messages: [{ value: 'v', timestamp: 'yesterday' }] }),
      ).rejects.toMatchObject({ name: 'KafkaClientRecordError', retriable: false });
      await expect(
        producer.send({ topic, messages: [{ value: 42 as unknown as string }] }),
      ).rejects.toMatchObject({ name: 'KafkaClientRecordError', retriable: false });
      // and it carries on
      await expect(producer.send({ topic, messages: [{ value: 'fine' }] })).resolves.toHaveLength(
        1,
      );
    } finally {
      await producer.disconnect();
    }
  });

  it('batches concurrent publishes (linger) and keeps order per key', async () => {
    const topic = `sf-it-linger-${run}`;
    await bus.ensureTopic(topic, { partitions: 4 });
    const calls = Array.from({ length: 50 }, (_, i) =>
      bus.publish(topic, [
        { key: 'urn:dp:test:one', value: `v-${i}`, timestamp: 1_700_000_000_000 + i },
      ]),
    );
    const results = (await Promise.all(calls)).map((r) => r[0]!);
    const offsets = results.map((r) => BigInt(r.offset));
    expect(new Set(results.map((r) => r.partition)).size).toBe(1);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]! > offsets[i - 1]!).toBe(true);
  });

  it('redelivers a batch whose handler threw, and loses nothing', async () => {
    const topic = `sf-it-redeliver-${run}`;
    const groupId = `sf-it-redeliver-${run}`;
    await bus.ensureTopic(topic, { partitions: 4 });
    const sent = records(200, 'redeliver');
    await bus.publish(topic, sent);
    const delivered: string[] = [];
    const failedStarts = new Set<string>();
    const succeededStarts = new Set<string>();
    const sub = await bus.subscribe(
      { groupId, topics: [topic], maxBatchSize: 10 },
      async (batch) => {
        // The first 12 distinct batches fail once; each must come back starting at the same offset.
        const start = `${batch[0]!.partition}:${batch[0]!.offset}`;
        if (!failedStarts.has(start) && failedStarts.size < 12) {
          failedStarts.add(start);
          throw new Error('handler failure');
        }
        succeededStarts.add(start);
        delivered.push(...batch.map((m) => m.value));
      },
    );
    await waitFor(() => new Set(delivered).size >= 200, 60_000);
    await sub.close();
    expect(failedStarts.size).toBe(12);
    for (const start of failedStarts) expect(succeededStarts.has(start)).toBe(true);
    expect(new Set(delivered)).toEqual(new Set(sent.map((s) => s.value)));
    const committed = await committedOffsets(groupId, topic);
    const total = [...committed.values()].filter((o) => o > 0).reduce((a, b) => a + b, 0);
    expect(total).toBe(200);
  });

  it('does not commit past a failing batch: a new member resumes at the failed record', async () => {
    const topic = `sf-it-nocommit-${run}`;
    const groupId = `sf-it-nocommit-${run}`;
    await bus.ensureTopic(topic, { partitions: 1 });
    await bus.publish(topic, records(30, 'nc'));
    let calls = 0;
    const sub = await bus.subscribe(
      { groupId, topics: [topic], maxBatchSize: 10 },
      async (batch) => {
        calls++;
        if (batch[0]!.offset !== '0') throw new Error('always fails after the first batch');
      },
    );
    await waitFor(() => calls >= 4);
    await sub.close();
    expect((await committedOffsets(groupId, topic)).get(0)).toBe(10);

    const again: string[] = [];
    const second = await bus.subscribe({ groupId, topics: [topic] }, async (batch) => {
      again.push(...batch.map((m) => m.offset));
    });
    await waitFor(() => again.length >= 20);
    await second.close();
    expect(again[0]).toBe('10');
    expect((await committedOffsets(groupId, topic)).get(0)).toBe(30);
  });

  it('splits partitions between two members of a group', async () => {
    const topic = `sf-it-split-${run}`;
    const groupId = `sf-it-split-${run}`;
    await bus.ensureTopic(topic, { partitions: 8 });
    const byMember: Map<number, Set<number>>[] = [new Map(), new Map()];
    const values = new Set<string>();
    const member = (index: number) => async (batch: ConsumedMessage[]) => {
      for (const m of batch) {
        const seen = byMember[index]!.get(m.partition) ?? new Set<number>();
        seen.add(Number(m.offset));
        byMember[index]!.set(m.partition, seen);
        values.add(m.value);
      }
    };
    const bus2 = new KafkaEvidenceBus({ brokers: [brokers], clientId: 'sf-kafka-it-2', ...fast });
    const a = await bus.subscribe({ groupId, topics: [topic] }, member(0));
    const b = await bus2.subscribe({ groupId, topics: [topic] }, member(1));
    // Give the group time to settle with both members, then publish.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const sent = records(400, 'split');
    await bus.publish(topic, sent);
    await waitFor(() => values.size >= 400, 60_000);
    await Promise.all([a.close(), b.close()]);
    await bus2.close();
    const partitionsA = new Set(byMember[0]!.keys());
    const partitionsB = new Set(byMember[1]!.keys());
    expect(partitionsA.size).toBeGreaterThan(0);
    expect(partitionsB.size).toBeGreaterThan(0);
    for (const p of partitionsA) expect(partitionsB.has(p)).toBe(false);
    expect(values.size).toBe(400);
  });

  it('loses nothing while members join and leave mid-stream (at least once across rebalances)', async () => {
    const topic = `sf-it-rebalance-${run}`;
    const groupId = `sf-it-rebalance-${run}`;
    await bus.ensureTopic(topic, { partitions: 8 });
    const sent = records(1000, 'rebalance');
    await bus.publish(topic, sent);
    const seen = new Set<string>();
    const perMember = [0, 0];
    const slow = (member: number) => async (batch: ConsumedMessage[]) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      for (const m of batch) seen.add(m.value);
      perMember[member]! += batch.length;
    };
    const bus2 = new KafkaEvidenceBus({ brokers: [brokers], clientId: 'sf-kafka-it-3', ...fast });
    const a = await bus.subscribe({ groupId, topics: [topic], maxBatchSize: 10 }, slow(0));
    await waitFor(() => seen.size >= 100);
    const b = await bus2.subscribe({ groupId, topics: [topic], maxBatchSize: 10 }, slow(1)); // rebalance
    await waitFor(() => perMember[1]! >= 100); // b owns partitions now, a still works
    expect(seen.size).toBeLessThan(1000);
    await a.close(); // another rebalance: b takes over a's partitions from the committed offsets
    await waitFor(() => seen.size >= 1000, 60_000);
    await b.close();
    await bus2.close();
    expect(seen).toEqual(new Set(sent.map((m) => m.value)));
    expect(perMember[0]! + perMember[1]!).toBeGreaterThanOrEqual(1000);
    const committed = await committedOffsets(groupId, topic);
    expect([...committed.values()].filter((o) => o > 0).reduce((x, y) => x + y, 0)).toBe(1000);
  });

  it('close() while consuming finishes the batch in progress and commits it', async () => {
    const topic = `sf-it-close-${run}`;
    const groupId = `sf-it-close-${run}`;
    await bus.ensureTopic(topic, { partitions: 1 });
    await bus.publish(topic, records(100, 'close'));
    const processed: string[] = [];
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const sub = await bus.subscribe(
      { groupId, topics: [topic], maxBatchSize: 20 },
      async (batch) => {
        if (processed.length === 40) {
          entered();
          await new Promise((resolve) => setTimeout(resolve, 300)); // close() arrives mid-handler
        }
        processed.push(...batch.map((m) => m.offset));
      },
    );
    await inHandler;
    await sub.close();
    await sub.close(); // idempotent
    expect(processed.length).toBe(60);
    expect((await committedOffsets(groupId, topic)).get(0)).toBe(60);
  });

  it('rejects publishes after close with SF_ERR_BUS_CLOSED, and close is idempotent', async () => {
    const closing = new KafkaEvidenceBus({ brokers: [brokers] });
    await closing.close();
    await closing.close();
    await expect(closing.publish('sf-x', [{ key: 'k', value: 'v' }])).rejects.toMatchObject({
      code: KAFKA_ERROR_CODES.CLOSED,
    });
  });

  it('maps an unknown topic on subscribe to SF_ERR_BUS_TOPIC_NOT_FOUND (never auto-created)', async () => {
    await expect(
      bus.subscribe({ groupId: `g-${run}`, topics: [`sf-missing-${run}`] }, async () => undefined),
    ).rejects.toMatchObject({
      code: KAFKA_ERROR_CODES.TOPIC_NOT_FOUND,
      details: { kafkaErrorType: 'UNKNOWN_TOPIC_OR_PARTITION' },
    });
  });

  it('maps an unreachable broker to SF_ERR_BUS_CONNECTION (retriable)', async () => {
    const dead = new KafkaEvidenceBus({
      brokers: ['127.0.0.1:1'],
      connectionTimeoutMs: 200,
      retry: { retries: 1, initialRetryTimeMs: 10, maxRetryTimeMs: 20 },
    });
    await expect(dead.ensureTopic('sf-unreachable')).rejects.toMatchObject({
      code: KAFKA_ERROR_CODES.CONNECTION,
      retriable: true,
    });
    await dead.close();
  });

  for (const client of ['platformatic', 'kafkajs'] as const) {
    it(`publishing to an unreachable broker rejects with SF_ERR_BUS_CONNECTION (${client})`, async () => {
      const dead = new KafkaEvidenceBus({
        brokers: ['127.0.0.1:1'],
        connectionTimeoutMs: 200,
        retry: { retries: 1, initialRetryTimeMs: 10, maxRetryTimeMs: 20 },
        producer: { client, lingerMs: 0 },
      });
      await expect(
        dead.publish('sf-unreachable', [{ key: 'k', value: 'v' }]),
      ).rejects.toMatchObject({ code: KAFKA_ERROR_CODES.CONNECTION, retriable: true });
      await dead.close().catch(() => undefined);
    });

    it(`a record above the broker's limit fails alone with SF_ERR_BUS_MESSAGE_TOO_LARGE (${client})`, async () => {
      const topic = `sf-it-too-large-${client}-${run}`;
      const small = new KafkaEvidenceBus({
        brokers: [brokers],
        producer: { client, lingerMs: 0 },
      });
      try {
        await small.ensureTopic(topic, { partitions: 1 });
        await expect(
          small.publish(topic, [{ key: 'k', value: 'x'.repeat(2_000_000) }]),
        ).rejects.toMatchObject({ code: KAFKA_ERROR_CODES.MESSAGE_TOO_LARGE, retriable: false });
        // the bus carries on
        const [ok] = await small.publish(topic, [{ key: 'k', value: 'fine' }]);
        expect(ok?.topic).toBe(topic);
      } finally {
        await small.close();
      }
    });
  }
});
