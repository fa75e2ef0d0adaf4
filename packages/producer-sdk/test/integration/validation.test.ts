import { describe, expect, inject, it } from 'vitest';
import { HEADERS } from '@signal-factory/core';
import { createProducer, type RecordViolation } from '@signal-factory/producer-sdk';
import { ORDERS_CONTRACT } from '../../src/test-support/paths';
import { consume, createTopic, kafkaClient, uniqueTopic } from '../support/kafka';

const brokers = inject('kafkaBrokers');
const good = (id: string) =>
  JSON.stringify({
    order_id: id,
    customer_id: 'C123456',
    amount: 3,
    currency: 'USD',
    created_at: '2026-11-25T10:00:00Z',
  });
const bad = (id: string) =>
  JSON.stringify({
    order_id: id,
    amount: 'three',
    currency: 'USD',
    created_at: '2026-11-25T10:00:00Z',
  });
const messages = [
  { key: 'g1', value: good('g1') },
  { key: 'b1', value: bad('b1') },
  { key: 'g2', value: good('g2') },
];

async function run(mode: 'off' | 'warn' | 'block', partialSends = false) {
  const kafka = kafkaClient(brokers);
  const topic = uniqueTopic(`orders.${mode}`);
  await createTopic(kafka, topic);
  const violations: RecordViolation[] = [];
  const producer = createProducer(kafka, {
    service: { name: 'orders-svc' },
    env: {},
    contracts: [{ file: ORDERS_CONTRACT, topics: [topic] }],
    validation: { mode, partialSends, onViolation: (v) => violations.push(...v) },
  });
  await producer.connect();
  const outcome = await producer.send({ topic, messages }).then(
    (meta) => ({ meta, error: undefined }),
    (error: unknown) => ({
      meta: undefined,
      error: error as { code: string; rejected: RecordViolation[]; sent: unknown[] },
    }),
  );
  const metrics = producer.sf.metrics();
  await producer.disconnect();
  return { kafka, topic, violations, outcome, metrics };
}

describe('validation modes on a real broker', () => {
  it('off: sends everything without contract headers', async () => {
    const { kafka, topic, violations, outcome } = await run('off');
    expect(outcome.error).toBeUndefined();
    const got = await consume(kafka, topic, 3);
    expect(got.map((m) => m.key)).toEqual(['g1', 'b1', 'g2']);
    expect(got.every((m) => m.headers[HEADERS.contractId] === undefined)).toBe(true);
    expect(violations).toEqual([]);
  });

  it('warn: sends everything and reports the violating record with reason codes', async () => {
    const { kafka, topic, violations, outcome, metrics } = await run('warn');
    expect(outcome.meta).toEqual([
      expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0 }),
    ]);
    const got = await consume(kafka, topic, 3);
    expect(got.map((m) => m.key)).toEqual(['g1', 'b1', 'g2']);
    expect(violations).toEqual([
      expect.objectContaining({
        index: 1,
        reasonCodes: ['MISSING_FIELD:customer_id', 'TYPE_MISMATCH:amount'],
      }),
    ]);
    expect(metrics.recordsViolating).toBe(1);
  });

  it('block: nothing reaches the topic, the error lists reason codes per record', async () => {
    const { kafka, topic, outcome } = await run('block');
    expect(outcome.error).toMatchObject({ code: 'SF_ERR_SDK_CONTRACT_VIOLATION', sent: [] });
    expect(outcome.error!.rejected).toEqual([
      expect.objectContaining({
        index: 1,
        reasonCodes: ['MISSING_FIELD:customer_id', 'TYPE_MISMATCH:amount'],
      }),
    ]);
    // write a marker so the consumer has something to end on
    const marker = kafka.producer();
    await marker.connect();
    await marker.send({ topic, messages: [{ key: 'marker', value: 'x' }] });
    await marker.disconnect();
    const got = await consume(kafka, topic, 1);
    expect(got.map((m) => m.key)).toEqual(['marker']);
  });

  it('block with partialSends: the valid records are written, the invalid one is not', async () => {
    const { kafka, topic, outcome } = await run('block', true);
    expect(outcome.error).toMatchObject({ code: 'SF_ERR_SDK_CONTRACT_VIOLATION' });
    expect(outcome.error!.sent).toHaveLength(1);
    const got = await consume(kafka, topic, 2);
    expect(got.map((m) => m.key)).toEqual(['g1', 'g2']);
  });
});
