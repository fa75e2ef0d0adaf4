import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS } from '@signal-factory/core';
import { FakeSidecar } from '../test/support/fake-sidecar';
import { instrument } from './instrument';
import type { SidecarOptions } from './options';
import { InMemoryKafkaProducer } from './testing';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  // every failure above reached the caller through its promise
  expect(unhandled).toEqual([]);
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(sidecar: SidecarOptions = {}, fake?: FakeSidecar) {
  const sc = fake ?? (await new FakeSidecar().start());
  const raw = new InMemoryKafkaProducer();
  const producer = instrument(raw, {
    service: { name: 'orders-svc' },
    env: {},
    transport: 'sidecar',
    sidecar: {
      url: sc.url,
      lingerMs: 2,
      batchSize: 10,
      failureThreshold: 2,
      resetTimeoutMs: 200,
      requestTimeoutMs: 500,
      ...sidecar,
    },
  });
  cleanups.push(
    () => sc.kill(),
    () => producer.disconnect(),
  );
  return { sc, raw, producer };
}

const msgs = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `{"i":${from + i}}` }));

describe('sidecar transport', () => {
  it('batches records by size and linger, marks them sidecar, and resolves after the ack', async () => {
    const { sc, raw, producer } = await setup();
    sc.delayMs = 50;
    let settled = false;
    const p = producer
      .send({ topic: 'orders.created', messages: msgs(25) })
      .then((m) => ((settled = true), m));
    await new Promise((r) => setTimeout(r, 25));
    expect(settled).toBe(false);
    const meta = await p;
    expect(meta).toEqual([
      { topicName: 'orders.created', partition: 0, errorCode: 0, baseOffset: '0', offset: '0' },
    ]);
    expect(sc.received.map((b) => b.length)).toEqual([10, 10, 5]);
    const first = sc.received[0]![0]!;
    expect(first).toMatchObject({
      topic: 'orders.created',
      key: 'k0',
      value: '{"i":0}',
      valueEncoding: 'utf8',
    });
    expect(first.headers).toMatchObject({
      [HEADERS.producerService]: 'orders-svc',
      [HEADERS.enforcement]: 'sidecar',
    });
    expect(raw.transport.records).toHaveLength(0);
    expect(producer.sf.metrics()).toMatchObject({ recordsSent: 25, breakerState: 'closed' });
    expect(producer.sf.transport).toBe('sidecar');
  });

  it('sends Buffer values as base64', async () => {
    const { sc, producer } = await setup();
    await producer.send({ topic: 't', messages: [{ value: Buffer.from([0, 255, 1]) }] });
    expect(sc.received[0]![0]).toMatchObject({ value: 'AP8B', valueEncoding: 'base64' });
  });

  it('fails open on 5xx: produces directly with enforcement=bypassed, opens the breaker, recovers', async () => {
    const { sc, raw, producer } = await setup();
    sc.mode = { status: 503, body: '{"error":{"code":"SF_ERR_SIDECAR_NOT_READY"}}' };
    for (let i = 0; i < 3; i++) await producer.send({ topic: 't', messages: msgs(3, i * 3) });
    expect(raw.transport.records).toHaveLength(9);
    expect(raw.transport.records.every((r) => r.headers[HEADERS.enforcement] === 'bypassed')).toBe(
      true,
    );
    expect(producer.sf.metrics()).toMatchObject({
      breakerState: 'open',
      recordsBypassed: 9,
      recordsSent: 9,
    });
    // open: the sidecar is not even asked
    const before = sc.received.length;
    sc.mode = 'normal';
    await producer.send({ topic: 't', messages: msgs(1, 100) });
    expect(raw.transport.records).toHaveLength(10);
    // after the reset timeout a probe goes to the sidecar and closes the breaker
    await new Promise((r) => setTimeout(r, 220));
    await producer.send({ topic: 't', messages: msgs(2, 200) });
    expect(producer.sf.metrics().breakerState).toBe('closed');
    expect(sc.received.length).toBe(before + 1);
    expect(raw.transport.records).toHaveLength(10);
  });

  it('fails open on a garbage 200 body and on a malformed result list', async () => {
    const { sc, raw, producer } = await setup({ failureThreshold: 10 });
    sc.mode = { status: 200, body: '<html>proxy error</html>' };
    await producer.send({ topic: 't', messages: msgs(2) });
    sc.mode = {
      status: 200,
      body: JSON.stringify({ results: [{ index: 0, status: 'produced' }] }),
    };
    await producer.send({ topic: 't', messages: msgs(2, 2) });
    sc.mode = {
      status: 200,
      body: JSON.stringify({ results: [{ index: 0, status: 'teleported' }] }),
    };
    await producer.send({ topic: 't', messages: msgs(1, 4) });
    expect(raw.transport.records.map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(producer.sf.metrics().sidecarFailures).toBe(3);
  });

  it('fails open when the sidecar is down or too slow', async () => {
    const { sc, raw, producer } = await setup({ requestTimeoutMs: 100, failureThreshold: 10 });
    sc.mode = 'hang';
    await producer.send({ topic: 't', messages: msgs(2) });
    await sc.kill();
    await producer.send({ topic: 't', messages: msgs(2, 2) });
    expect(raw.transport.records.map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(raw.transport.records.every((r) => r.headers[HEADERS.enforcement] === 'bypassed')).toBe(
      true,
    );
  });

  it('fail-closed: rejects with SF_ERR_SDK_SIDECAR_UNAVAILABLE and never produces directly', async () => {
    const { sc, raw, producer } = await setup({ failMode: 'closed' });
    sc.mode = { status: 500, body: 'oops' };
    await expect(producer.send({ topic: 't', messages: msgs(2) })).rejects.toMatchObject({
      code: 'SF_ERR_SDK_SIDECAR_UNAVAILABLE',
      retriable: true,
    });
    await expect(producer.send({ topic: 't', messages: msgs(2) })).rejects.toMatchObject({
      code: 'SF_ERR_SDK_SIDECAR_UNAVAILABLE',
    });
    // breaker open now: rejected without asking
    await expect(producer.send({ topic: 't', messages: msgs(2) })).rejects.toThrow(
      /circuit breaker is open|failMode/,
    );
    expect(raw.transport.records).toHaveLength(0);
  });

  it('reports per-record rejected/error results as SF_ERR_SDK_SIDECAR_RECORD_FAILED', async () => {
    const { sc, raw, producer } = await setup();
    sc.mode = (records) =>
      records.map((r, index) =>
        index === 1
          ? {
              index,
              status: 'error' as const,
              error: { code: 'SF_ERR_KAFKA_DOWN', message: 'broker down', retriable: true },
            }
          : {
              index,
              status: 'produced' as const,
              topic: r.topic,
              partition: 0,
              offset: String(index),
            },
      );
    const err = await producer.send({ topic: 't', messages: msgs(3) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_ERR_SDK_SIDECAR_RECORD_FAILED', retriable: true });
    expect((err as { failures: unknown[] }).failures).toEqual([
      {
        index: 1,
        topic: '',
        status: 'error',
        code: 'SF_ERR_KAFKA_DOWN',
        message: 'broker down',
        retriable: true,
      },
    ]);
    // the sidecar answered: no failover, nothing produced twice
    expect(raw.transport.records).toHaveLength(0);
  });

  it('bounds the queue: senders wait for room, and get SF_ERR_SDK_QUEUE_FULL after the wait timeout', async () => {
    const { sc, producer } = await setup({
      maxQueueRecords: 20,
      batchSize: 10,
      connections: 1,
      enqueueTimeoutMs: 5_000,
    });
    sc.delayMs = 20;
    // 10 concurrent sends of 10 into a queue of 20: they wait their turn instead of failing
    const sends = Array.from({ length: 10 }, (_, i) =>
      producer.send({ topic: 't', messages: msgs(10, i * 10) }),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(sc.received.length).toBeLessThanOrEqual(1);
    await Promise.all(sends);
    expect(sc.acknowledged).toBe(100);
    expect(sc.received.flat().map((r) => r.key)).toEqual(msgs(100).map((m) => m.key));

    const slow = await setup({
      maxQueueRecords: 10,
      batchSize: 10,
      connections: 1,
      enqueueTimeoutMs: 30,
    });
    slow.sc.delayMs = 300;
    const first = slow.producer.send({ topic: 't', messages: msgs(10) });
    const second = slow.producer.send({ topic: 't', messages: msgs(5) });
    await expect(second).rejects.toMatchObject({ code: 'SF_ERR_SDK_QUEUE_FULL', retriable: true });
    await expect(first).resolves.toHaveLength(1);
  });

  it('disconnect flushes what is queued before closing', async () => {
    const { sc, producer } = await setup({ lingerMs: 1000, batchSize: 100 });
    const p = producer.send({ topic: 't', messages: msgs(3) });
    await new Promise((r) => setTimeout(r, 10));
    await producer.disconnect();
    await expect(p).resolves.toHaveLength(1);
    expect(sc.acknowledged).toBe(3);
  });
});
