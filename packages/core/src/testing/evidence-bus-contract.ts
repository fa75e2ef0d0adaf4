import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  BusMessage,
  ConsumedMessage,
  EvidenceBus,
  PublishedRecord,
  SubscribeOptions,
  Subscription,
} from '../ports/evidence-bus';
import { randomRunId } from './unique-name';
import { sleep, waitFor } from './wait-for';

/** What an `EvidenceBus` implementation hands to its contract suite. */
export interface EvidenceBusContractContext {
  bus: EvidenceBus;
  /**
   * Prefix for every topic the suite creates (a random run id and a test name follow).
   * Default `sf-contract`. Use characters Kafka accepts: `[a-zA-Z0-9._-]`.
   */
  topicPrefix?: string;
  /** Partition count the suite asks `ensureTopic` for. Default 4. */
  partitions?: number;
  /**
   * How long to wait for deliveries before failing, in milliseconds. Default 30,000
   * (a real broker may take seconds to rebalance a group).
   */
  deliveryTimeoutMs?: number;
  /** Called after the suite, after `bus.close()`. */
  cleanup?: () => Promise<void>;
}

export type EvidenceBusContractFactory = () => Promise<EvidenceBusContractContext>;

interface Delivery {
  member: string;
  batch: number;
  message: ConsumedMessage;
}

/** Collects what a handler saw, per member. */
class Recorder {
  readonly deliveries: Delivery[] = [];
  readonly batches: ConsumedMessage[][] = [];

  handler(member: string, before?: (batch: ConsumedMessage[]) => void) {
    return async (batch: ConsumedMessage[]): Promise<void> => {
      before?.(batch);
      const index = this.batches.length;
      this.batches.push(batch);
      for (const message of batch) this.deliveries.push({ member, batch: index, message });
    };
  }

  values(member?: string): string[] {
    return this.deliveries
      .filter((d) => member === undefined || d.member === member)
      .map((d) => d.message.value);
  }

  has(values: Iterable<string>): boolean {
    const seen = new Set(this.values());
    for (const value of values) if (!seen.has(value)) return false;
    return true;
  }
}

function valueOf(tag: string, key: string, seq: number): string {
  return JSON.stringify({ tag, key, seq });
}

function parse(value: string): { tag: string; key: string; seq: number } {
  return JSON.parse(value) as { tag: string; key: string; seq: number };
}

function count(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * The contract every `EvidenceBus` must pass: round trips with headers and timestamps,
 * key → partition stability and per-partition order, `fromBeginning`, consumer groups
 * (fan-out across groups, partition split inside a group), at-least-once redelivery after a
 * handler error, resume from committed offsets, batch bounds and idempotent `close()`.
 *
 * Every test uses its own randomly named topics and groups, so the suite can run against a
 * shared broker. Call it at the top level of a test file:
 *
 * ```ts
 * describeEvidenceBusContract('InMemoryEvidenceBus', async () => ({ bus: new InMemoryEvidenceBus() }));
 * ```
 */
export function describeEvidenceBusContract(
  name: string,
  factory: EvidenceBusContractFactory,
): void {
  describe(`EvidenceBus contract: ${name}`, () => {
    const runId = randomRunId();
    let context: EvidenceBusContractContext;
    let bus: EvidenceBus;
    let partitions = 4;
    let timeoutMs = 30_000;
    let topicCount = 0;
    const open: Subscription[] = [];
    const testTimeout = () => timeoutMs * 2 + 10_000;

    beforeAll(async () => {
      context = await factory();
      bus = context.bus;
      partitions = context.partitions ?? 4;
      timeoutMs = context.deliveryTimeoutMs ?? 30_000;
    }, 120_000);

    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    }, 60_000);

    afterAll(async () => {
      await bus?.close();
      await context?.cleanup?.();
    }, 60_000);

    async function newTopic(label: string): Promise<string> {
      topicCount += 1;
      const topic = `${context.topicPrefix ?? 'sf-contract'}-${runId}-${topicCount}-${label}`;
      await bus.ensureTopic(topic, { partitions });
      return topic;
    }

    function groupId(label: string): string {
      return `sf-contract-${runId}-${label}-${Math.random().toString(36).slice(2, 8)}`;
    }

    async function subscribe(
      options: SubscribeOptions,
      handler: (batch: ConsumedMessage[]) => Promise<void>,
    ): Promise<Subscription> {
      const subscription = await bus.subscribe(options, handler);
      open.push(subscription);
      return subscription;
    }

    function until(predicate: () => boolean, what: () => string): Promise<void> {
      return waitFor(predicate, { timeoutMs, intervalMs: 20, message: what });
    }

    it(
      'round-trips key, value, headers and timestamps; offsets match publish results',
      async () => {
        const topic = await newTopic('roundtrip');
        const ts = Date.now() - 3_600_000 + 123;
        const messages: BusMessage[] = [
          {
            key: 'k-a',
            value: 'first',
            headers: { 'x-one': '1', 'x-unicode': 'ü✓' },
            timestamp: ts,
          },
          { key: 'k-b', value: '{"json":true,"n":1.5}', timestamp: ts + 1 },
          { key: 'k-a', value: 'third ö' },
          { key: 'k-c', value: '', headers: {} },
        ];
        const before = Date.now();
        const published = await bus.publish(topic, messages);
        const after = Date.now();
        expect(published).toHaveLength(messages.length);
        for (const record of published) {
          expect(record.topic).toBe(topic);
          expect(Number.isInteger(record.partition)).toBe(true);
          expect(record.partition).toBeGreaterThanOrEqual(0);
          expect(record.partition).toBeLessThan(partitions);
          expect(record.offset).toMatch(/^\d+$/);
        }
        // Same key, same partition, later offset.
        expect(published[2]!.partition).toBe(published[0]!.partition);
        expect(BigInt(published[2]!.offset)).toBeGreaterThan(BigInt(published[0]!.offset));

        const recorder = new Recorder();
        // fromBeginning omitted: the default is the earliest offset.
        await subscribe({ groupId: groupId('roundtrip'), topics: [topic] }, recorder.handler('m'));
        await until(
          () => recorder.deliveries.length >= messages.length,
          () => `expected ${messages.length} records, got ${recorder.deliveries.length}`,
        );
        await sleep(100);
        expect(recorder.deliveries).toHaveLength(messages.length);
        const byValue = new Map(recorder.deliveries.map((d) => [d.message.value, d.message]));
        messages.forEach((sent, i) => {
          const got = byValue.get(sent.value);
          expect(got, `record ${i}`).toBeDefined();
          expect(got!.topic).toBe(topic);
          expect(got!.key).toBe(sent.key);
          expect(got!.partition).toBe(published[i]!.partition);
          expect(got!.offset).toBe(published[i]!.offset);
          expect(got!.headers).toEqual(sent.headers ?? {});
          if (sent.timestamp !== undefined) expect(got!.timestamp).toBe(sent.timestamp);
          else {
            expect(got!.timestamp).toBeGreaterThanOrEqual(before - 5_000);
            expect(got!.timestamp).toBeLessThanOrEqual(after + 5_000);
          }
        });
        expect(await bus.publish(topic, [])).toEqual([]);
        await bus.flush();
      },
      testTimeout(),
    );

    it(
      'keeps a key on one partition and preserves order per key; batches stay in one partition',
      async () => {
        const topic = await newTopic('order');
        const keys = Array.from({ length: 24 }, (_, i) => `urn:dp:contract:key${i}`);
        const perKey = 8;
        const sent: BusMessage[][] = [[], []];
        for (let seq = 0; seq < perKey; seq++) {
          for (const key of keys)
            sent[seq < perKey / 2 ? 0 : 1]!.push({ key, value: valueOf('order', key, seq) });
        }
        const published = [
          ...(await bus.publish(topic, sent[0]!)),
          ...(await bus.publish(topic, sent[1]!)),
        ];
        const all = [...sent[0]!, ...sent[1]!];
        const partitionOfKey = new Map<string, number>();
        const lastOffset = new Map<number, bigint>();
        all.forEach((message, i) => {
          const record = published[i]!;
          const known = partitionOfKey.get(message.key);
          if (known === undefined) partitionOfKey.set(message.key, record.partition);
          else expect(record.partition, `key ${message.key}`).toBe(known);
          const offset = BigInt(record.offset);
          const previous = lastOffset.get(record.partition);
          if (previous !== undefined) expect(offset).toBeGreaterThan(previous);
          lastOffset.set(record.partition, offset);
        });
        if (partitions > 1) expect(new Set(partitionOfKey.values()).size).toBeGreaterThan(1);

        const recorder = new Recorder();
        const maxBatchSize = 5;
        await subscribe(
          { groupId: groupId('order'), topics: [topic], fromBeginning: true, maxBatchSize },
          recorder.handler('m'),
        );
        await until(
          () => recorder.deliveries.length >= all.length,
          () => `expected ${all.length} records, got ${recorder.deliveries.length}`,
        );
        await sleep(100);
        expect(recorder.deliveries).toHaveLength(all.length);
        for (const batch of recorder.batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(maxBatchSize);
          expect(new Set(batch.map((m) => `${m.topic}/${m.partition}`)).size).toBe(1);
          for (let i = 1; i < batch.length; i++) {
            expect(BigInt(batch[i]!.offset)).toBeGreaterThan(BigInt(batch[i - 1]!.offset));
          }
        }
        for (const key of keys) {
          const seqs = recorder.deliveries
            .filter((d) => d.message.key === key)
            .map((d) => {
              expect(d.message.partition).toBe(partitionOfKey.get(key));
              return parse(d.message.value).seq;
            });
          expect(seqs, key).toEqual(Array.from({ length: perKey }, (_, i) => i));
        }
      },
      testTimeout(),
    );

    it(
      'starts a new group at the end when fromBeginning is false',
      async () => {
        const topic = await newTopic('latest');
        await bus.publish(
          topic,
          Array.from({ length: 6 }, (_, i) => ({
            key: `k${i}`,
            value: valueOf('old', `k${i}`, i),
          })),
        );
        const recorder = new Recorder();
        await subscribe(
          { groupId: groupId('latest'), topics: [topic], fromBeginning: false },
          recorder.handler('m'),
        );
        // A real consumer may need a while to join: publish probes until one arrives.
        let probe = 0;
        await waitFor(
          async () => {
            if (recorder.values().some((v) => parse(v).tag === 'probe')) return true;
            await bus.publish(topic, [{ key: 'probe', value: valueOf('probe', 'probe', probe++) }]);
            await sleep(200);
            return recorder.values().some((v) => parse(v).tag === 'probe');
          },
          { timeoutMs, intervalMs: 0, message: 'no probe record arrived' },
        );
        const fresh = Array.from({ length: 6 }, (_, i) => valueOf('new', `k${i}`, i));
        await bus.publish(
          topic,
          fresh.map((value, i) => ({ key: `k${i}`, value })),
        );
        await until(
          () => recorder.has(fresh),
          () => 'new records did not arrive',
        );
        expect(recorder.values().filter((v) => parse(v).tag === 'old')).toEqual([]);
      },
      testTimeout(),
    );

    it(
      'gives every group every record; one subscription can read several topics',
      async () => {
        const [t1, t2] = [await newTopic('fanout-a'), await newTopic('fanout-b')];
        const v1 = Array.from({ length: 30 }, (_, i) => valueOf('a', `k${i % 7}`, i));
        const v2 = Array.from({ length: 20 }, (_, i) => valueOf('b', `k${i % 5}`, i));
        await bus.publish(
          t1,
          v1.map((value) => ({ key: parse(value).key, value })),
        );
        const a = new Recorder();
        const b = new Recorder();
        await subscribe({ groupId: groupId('fanout-a'), topics: [t1, t2] }, a.handler('a'));
        await subscribe({ groupId: groupId('fanout-b'), topics: [t1] }, b.handler('b'));
        await bus.publish(
          t2,
          v2.map((value) => ({ key: parse(value).key, value })),
        );
        await until(
          () => a.has([...v1, ...v2]),
          () => `group a saw ${a.deliveries.length}/50`,
        );
        await until(
          () => b.has(v1),
          () => `group b saw ${b.deliveries.length}/30`,
        );
        await sleep(200);
        expect([...count(a.values()).values()].every((n) => n === 1)).toBe(true);
        expect(a.values()).toHaveLength(50);
        expect(b.values().sort()).toEqual([...v1].sort());
        for (const d of a.deliveries) {
          expect(d.message.topic).toBe(parse(d.message.value).tag === 'a' ? t1 : t2);
        }
      },
      testTimeout(),
    );

    it(
      'splits partitions across the members of one group, each record once',
      async () => {
        const topic = await newTopic('split');
        const group = groupId('split');
        const recorder = new Recorder();
        await subscribe({ groupId: group, topics: [topic] }, recorder.handler('m1'));
        await subscribe({ groupId: group, topics: [topic] }, recorder.handler('m2'));
        // Wait until the group is stable: one round of probes reaches both members.
        let round = 0;
        await waitFor(
          async () => {
            round += 1;
            const probes = Array.from({ length: Math.max(16, partitions * 4) }, (_, i) =>
              valueOf(`probe${round}`, `probe-${round}-${i}`, i),
            );
            await bus.publish(
              topic,
              probes.map((value) => ({ key: parse(value).key, value })),
            );
            try {
              await waitFor(() => recorder.has(probes), { timeoutMs: 5_000 });
            } catch {
              return false;
            }
            const members = new Set(
              recorder.deliveries
                .filter((d) => parse(d.message.value).tag === `probe${round}`)
                .map((d) => d.member),
            );
            // With one partition only one member can own it; the other stays idle.
            return members.size === Math.min(2, partitions);
          },
          {
            timeoutMs: timeoutMs * 2,
            intervalMs: 0,
            message: 'the group never spread over both members',
          },
        );
        const mark = recorder.deliveries.length;
        const main = Array.from({ length: 200 }, (_, i) => valueOf('main', `key-${i % 100}`, i));
        await bus.publish(
          topic,
          main.map((value) => ({ key: parse(value).key, value })),
        );
        await until(
          () => recorder.has(main),
          () => 'not every record arrived',
        );
        await sleep(300);
        const mainDeliveries = recorder.deliveries
          .slice(mark)
          .filter((d) => parse(d.message.value).tag === 'main');
        const counts = count(mainDeliveries.map((d) => d.message.value));
        expect(counts.size).toBe(main.length);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        const partitionsOf = (member: string) =>
          new Set(
            mainDeliveries.filter((d) => d.member === member).map((d) => d.message.partition),
          );
        const p1 = partitionsOf('m1');
        const p2 = partitionsOf('m2');
        if (partitions > 1) {
          expect(p1.size).toBeGreaterThan(0);
          expect(p2.size).toBeGreaterThan(0);
        } else {
          expect(p1.size + p2.size).toBe(1);
        }
        expect([...p1].filter((p) => p2.has(p))).toEqual([]);
      },
      testTimeout() * 2,
    );

    it(
      'redelivers a batch whose handler threw, without loss and in order',
      async () => {
        const topic = await newTopic('retry');
        const keys = ['r0', 'r1', 'r2'];
        const all = keys.flatMap((key) =>
          Array.from({ length: 10 }, (_, seq) => valueOf('retry', key, seq)),
        );
        await bus.publish(
          topic,
          all.map((value) => ({ key: parse(value).key, value })),
        );
        const poison = valueOf('retry', 'r0', 4);
        let failures = 0;
        let poisonAttempts = 0;
        const succeeded: string[] = [];
        await subscribe(
          { groupId: groupId('retry'), topics: [topic], maxBatchSize: 3 },
          async (batch) => {
            if (batch.some((m) => m.value === poison)) {
              poisonAttempts += 1;
              if (failures < 2) {
                failures += 1;
                throw new Error('contract test: handler failure');
              }
            }
            for (const message of batch) succeeded.push(message.value);
          },
        );
        await until(
          () => all.every((v) => succeeded.includes(v)),
          () => `only ${new Set(succeeded).size}/${all.length} records were handled`,
        );
        expect(failures).toBe(2);
        expect(poisonAttempts).toBeGreaterThanOrEqual(3);
        for (const key of keys) {
          const firstSeen: number[] = [];
          for (const value of succeeded) {
            const parsed = parse(value);
            if (parsed.key === key && !firstSeen.includes(parsed.seq)) firstSeen.push(parsed.seq);
          }
          expect(firstSeen, key).toEqual(Array.from({ length: 10 }, (_, i) => i));
        }
      },
      testTimeout(),
    );

    it(
      'resumes a group from its committed offsets after close',
      async () => {
        const topic = await newTopic('resume');
        const group = groupId('resume');
        const first = Array.from({ length: 12 }, (_, i) => valueOf('first', `k${i % 4}`, i));
        const second = Array.from({ length: 12 }, (_, i) => valueOf('second', `k${i % 4}`, i));
        await bus.publish(
          topic,
          first.map((value) => ({ key: parse(value).key, value })),
        );
        const one = new Recorder();
        const subscription = await subscribe(
          { groupId: group, topics: [topic] },
          one.handler('one'),
        );
        await until(
          () => one.has(first),
          () => `first member saw ${one.deliveries.length}/12`,
        );
        await subscription.close();
        await subscription.close(); // idempotent
        await bus.publish(
          topic,
          second.map((value) => ({ key: parse(value).key, value })),
        );
        const two = new Recorder();
        await subscribe(
          { groupId: group, topics: [topic], fromBeginning: true },
          two.handler('two'),
        );
        await until(
          () => two.has(second),
          () => `second member saw ${two.deliveries.length}/12`,
        );
        await sleep(500);
        expect(two.values().filter((v) => parse(v).tag === 'first')).toEqual([]);
        expect(one.values().filter((v) => parse(v).tag === 'second')).toEqual([]);
        expect(two.values().sort()).toEqual([...second].sort());
      },
      testTimeout(),
    );

    it(
      'closes idempotently, stopping its subscriptions',
      async () => {
        const own = await factory();
        try {
          const topic = `${own.topicPrefix ?? 'sf-contract'}-${runId}-close`;
          await own.bus.ensureTopic(topic, { partitions: own.partitions ?? partitions });
          const recorder = new Recorder();
          const subscription = await own.bus.subscribe(
            { groupId: groupId('close'), topics: [topic] },
            recorder.handler('m'),
          );
          const published: PublishedRecord[] = await own.bus.publish(topic, [
            { key: 'k', value: valueOf('close', 'k', 0) },
          ]);
          expect(published).toHaveLength(1);
          await own.bus.flush();
          await until(
            () => recorder.deliveries.length === 1,
            () => 'record did not arrive',
          );
          await own.bus.close();
          await own.bus.close();
          await subscription.close();
        } finally {
          await own.bus.close();
          await own.cleanup?.();
        }
      },
      testTimeout(),
    );
  });
}
