import type { PublishedRecord } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR_CODES } from './errors';
import { Publisher, type TopicBatch } from './publisher';

function fakeBroker(options: { fail?: (call: number) => unknown; delayMs?: number } = {}) {
  const requests: TopicBatch[][] = [];
  const offsets = new Map<string, number>();
  const send = async (batches: TopicBatch[]): Promise<PublishedRecord[][]> => {
    requests.push(batches);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const failure = options.fail?.(requests.length);
    if (failure !== undefined) throw failure;
    return batches.map(({ topic, messages }) =>
      messages.map(() => {
        const next = offsets.get(topic) ?? 0;
        offsets.set(topic, next + 1);
        return { topic, partition: 0, offset: String(next) };
      }),
    );
  };
  return { send, requests };
}

const msg = (i: number) => ({ key: `k${i}`, value: `v${i}` });

describe('Publisher', () => {
  it('coalesces concurrent publishes within the linger time into one request', async () => {
    const broker = fakeBroker();
    const publisher = new Publisher({
      send: broker.send,
      lingerMs: 20,
      maxBatchRecords: 100,
      maxBatchBytes: 1e6,
    });
    const results = await Promise.all([
      publisher.publish('a', [msg(1), msg(2)]),
      publisher.publish('b', [msg(3)]),
      publisher.publish('a', [msg(4)]),
    ]);
    expect(broker.requests).toHaveLength(1);
    expect(broker.requests[0]!.map((b) => [b.topic, b.messages.length])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(results.map((r) => r.map((x) => `${x.topic}@${x.offset}`))).toEqual([
      ['a@0', 'a@1'],
      ['b@0'],
      ['a@2'],
    ]);
  });

  it('splits by record count and bytes, keeping order', async () => {
    const broker = fakeBroker();
    const publisher = new Publisher({
      send: broker.send,
      lingerMs: 0,
      maxBatchRecords: 3,
      maxBatchBytes: 1e6,
    });
    const result = await publisher.publish(
      't',
      Array.from({ length: 8 }, (_, i) => msg(i)),
    );
    expect(broker.requests.map((r) => r[0]!.messages.length)).toEqual([3, 3, 2]);
    expect(result.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);

    const bytes = fakeBroker();
    const small = new Publisher({
      send: bytes.send,
      lingerMs: 0,
      maxBatchRecords: 100,
      maxBatchBytes: 250,
    });
    await small.publish('t', [
      { key: 'a', value: 'x'.repeat(100) },
      { key: 'b', value: 'x'.repeat(100) },
      { key: 'c', value: 'x'.repeat(400) }, // larger than the limit: sent alone
    ]);
    expect(bytes.requests.map((r) => r[0]!.messages.map((m) => m.key))).toEqual([
      ['a'],
      ['b'],
      ['c'],
    ]);
  });

  it('picks up a publish made right after the previous one resolved (no stall)', async () => {
    const broker = fakeBroker();
    const publisher = new Publisher({
      send: broker.send,
      lingerMs: 1,
      maxBatchRecords: 100,
      maxBatchBytes: 1e6,
    });
    for (let i = 0; i < 20; i++) {
      const started = Date.now();
      const [record] = await publisher.publish('t', [msg(i)]);
      expect(record?.offset).toBe(String(i));
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });

  it('batches records published while a request is in flight', async () => {
    const broker = fakeBroker({ delayMs: 30 });
    const publisher = new Publisher({
      send: broker.send,
      lingerMs: 0,
      maxBatchRecords: 100,
      maxBatchBytes: 1e6,
    });
    const first = publisher.publish('t', [msg(0)]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = Array.from({ length: 5 }, (_, i) => publisher.publish('t', [msg(i + 1)]));
    await Promise.all([first, ...rest]);
    expect(broker.requests.map((r) => r[0]!.messages.length)).toEqual([1, 5]);
  });

  it('rejects the calls of a failed request with a typed error and carries on', async () => {
    const broker = fakeBroker({
      fail: (call) =>
        call === 1
          ? Object.assign(new Error('down'), { name: 'KafkaJSConnectionError' })
          : undefined,
    });
    const publisher = new Publisher({
      send: broker.send,
      lingerMs: 0,
      maxBatchRecords: 2,
      maxBatchBytes: 1e6,
    });
    const failing = publisher.publish('t', [msg(0), msg(1), msg(2)]);
    const later = publisher.publish('t', [msg(9)]);
    await expect(failing).rejects.toMatchObject({
      code: KAFKA_ERROR_CODES.CONNECTION,
      retriable: true,
    });
    await expect(later).resolves.toHaveLength(1);
    // The failed call's remaining record was not sent after its caller got the error.
    expect(broker.requests.flatMap((r) => r[0]!.messages.map((m) => m.key))).toEqual([
      'k0',
      'k1',
      'k9',
    ]);
  });

  it('flush() sends what is lingering and waits for it', async () => {
    const broker = fakeBroker();
    const publisher = new Publisher({
      send: broker.send,
      lingerMs: 60_000,
      maxBatchRecords: 100,
      maxBatchBytes: 1e6,
    });
    const pending = publisher.publish('t', [msg(1)]);
    await publisher.flush();
    expect(broker.requests).toHaveLength(1);
    await expect(pending).resolves.toHaveLength(1);
    expect(await publisher.publish('t', [])).toEqual([]);
  });

  it('fails a call whose records the broker did not acknowledge', async () => {
    const publisher = new Publisher({
      send: async () => [[]],
      lingerMs: 0,
      maxBatchRecords: 10,
      maxBatchBytes: 1e6,
    });
    await expect(publisher.publish('t', [msg(1)])).rejects.toMatchObject({
      code: KAFKA_ERROR_CODES.PUBLISH_FAILED,
    });
  });
});
