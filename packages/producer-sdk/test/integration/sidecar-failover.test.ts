import { afterEach, describe, expect, inject, it } from 'vitest';
import { HEADERS } from '@signal-factory/core';
import { PlatformaticProducer } from '@signal-factory/kafka';
import { createProducer, type KafkaProducerLike } from '@signal-factory/producer-sdk';
import { FakeSidecar } from '../support/fake-sidecar';
import { consume, createTopic, kafkaClient, kafkaProduceFn, uniqueTopic } from '../support/kafka';

const brokers = inject('kafkaBrokers');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** The application's producer: kafkajs, or the kafkajs-compatible @platformatic/kafka one. */
type AppClient = 'kafkajs' | 'platformatic';

async function setup(failMode: 'open' | 'closed', client: AppClient = 'kafkajs') {
  const kafka = kafkaClient(brokers);
  const topic = uniqueTopic(`orders.sidecar.${failMode}`);
  await createTopic(kafka, topic);
  const sidecarProducer = await kafkaProduceFn(kafkaClient(brokers, 'fake-sidecar'));
  const sidecar = await new FakeSidecar(sidecarProducer.produce).start();
  const appKafka: { producer(): KafkaProducerLike } =
    client === 'kafkajs'
      ? { producer: () => kafka.producer() }
      : { producer: () => new PlatformaticProducer({ brokers: brokers.split(',') }) };
  const producer = createProducer(appKafka, {
    service: { name: 'orders-svc', version: '1.0.0' },
    env: {},
    transport: 'sidecar',
    sidecar: {
      url: sidecar.url,
      batchSize: 20,
      lingerMs: 2,
      failMode,
      failureThreshold: 2,
      resetTimeoutMs: 300,
      requestTimeoutMs: 1_000,
    },
  });
  await producer.connect();
  cleanups.push(
    () => sidecarProducer.close(),
    () => sidecar.kill(),
    () => producer.disconnect(),
  );
  return { kafka, topic, sidecar, producer, sidecarProducer };
}

const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    key: `r${from + i}`,
    value: JSON.stringify({ n: from + i }),
  }));

describe.each(['kafkajs', 'platformatic'] as const)(
  'sidecar hop with a real broker (%s)',
  (client) => {
    it('fail-open: killing the sidecar mid-stream loses nothing, marks bypassed records, switches back on recovery', async () => {
      const { kafka, topic, sidecar, producer } = await setup('open', client);
      const total = 600;
      const acked = new Set<string>();
      const sends: Promise<void>[] = [];
      for (let i = 0; i < total; i += 10) {
        const msgs = batch(i, 10);
        const sent = producer
          .send({ topic, messages: msgs })
          .then(() => msgs.forEach((m) => acked.add(m.key)));
        sends.push(sent);
        if (i === 200) {
          // crash the sidecar while sends are in flight
          await new Promise((r) => setTimeout(r, 5));
          await sidecar.kill();
        }
        if (i === 400) {
          await Promise.all(sends);
          await sidecar.start(sidecar.port);
          // past the breaker's reset timeout: the next send is the probe
          await new Promise((r) => setTimeout(r, 350));
        }
        if (i >= 400) await sent;
        else if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(sends);
      expect(acked.size).toBe(total);

      const got = await consume(kafka, topic, total, { settleMs: 1_000 });
      const keys = new Map<string, { enforcement: string[] }>();
      for (const m of got) {
        const e = keys.get(m.key!) ?? { enforcement: [] };
        e.enforcement.push(m.headers[HEADERS.enforcement]!);
        keys.set(m.key!, e);
        expect(m.headers[HEADERS.producerService]).toBe('orders-svc');
      }
      // every acknowledged record is on the topic
      for (let i = 0; i < total; i++) expect(keys.has(`r${i}`), `r${i}`).toBe(true);
      const modes = got.map((m) => m.headers[HEADERS.enforcement]);
      expect(modes.filter((m) => m === 'bypassed').length).toBeGreaterThan(0);
      // traffic after the restart went through the sidecar again
      const last = got.filter((m) => Number(m.key!.slice(1)) >= total - 50);
      expect(last.every((m) => m.headers[HEADERS.enforcement] === 'sidecar')).toBe(true);
      // a duplicate can only come from a request the sidecar wrote but could not acknowledge
      // (kafkajs-style at-least-once); the switch itself never resends an acknowledged record
      const duplicates = [...keys].filter(([, v]) => v.enforcement.length > 1);
      for (const [, v] of duplicates) expect(v.enforcement.sort()).toEqual(['bypassed', 'sidecar']);
      expect(duplicates.length).toBeLessThanOrEqual(sidecar.writtenButUnacknowledged);
      expect(got.length).toBe(total + duplicates.length);
      expect(producer.sf.metrics().breakerState).toBe('closed');
    });

    it('fail-closed: with the sidecar down, sends reject with a typed error and nothing is produced directly', async () => {
      const { kafka, topic, sidecar, producer } = await setup('closed', client);
      await producer.send({ topic, messages: batch(0, 5) });
      await sidecar.kill();
      const failed = await producer.send({ topic, messages: batch(5, 5) }).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'SF_ERR_SDK_SIDECAR_UNAVAILABLE', retriable: true });
      await sidecar.start(sidecar.port);
      await new Promise((r) => setTimeout(r, 350));
      await producer.send({ topic, messages: batch(10, 5) });
      const got = await consume(kafka, topic, 10, { settleMs: 1_000 });
      expect(got.map((m) => m.key)).toEqual([...batch(0, 5), ...batch(10, 5)].map((m) => m.key));
      expect(got.every((m) => m.headers[HEADERS.enforcement] === 'sidecar')).toBe(true);
    });
  },
);
