import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type KafkaJs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS, parseTraceparent } from '@signal-factory/core';
import { PlatformaticProducer } from '@signal-factory/kafka';
import { createProducer, instrument } from '@signal-factory/producer-sdk';
import { ORDERS_CONTRACT } from '../../src/test-support/paths';
import { consume, createTopic, kafkaClient, uniqueTopic } from '../support/kafka';

const brokers = inject('kafkaBrokers');
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = trace.getTracer('it');

beforeAll(() => {
  provider.register();
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

const order = (id: string, createdAt: string) =>
  JSON.stringify({
    order_id: id,
    customer_id: 'C123456',
    amount: 12.5,
    currency: 'EUR',
    created_at: createdAt,
  });

describe('headers on a real broker', () => {
  it('a consumer sees identity, event time, contract and trace headers with the right values', async () => {
    const kafka = kafkaClient(brokers);
    const topic = uniqueTopic('orders.created');
    await createTopic(kafka, topic);
    const producer = createProducer(kafka, {
      service: { name: 'orders-svc', version: '2.3.4' },
      eventTimeField: 'created_at',
      contracts: [{ file: ORDERS_CONTRACT }],
      validation: { mode: 'warn' },
      env: {},
    });
    await producer.connect();
    const span = tracer.startSpan('POST /orders');
    await context.with(trace.setSpan(context.active(), span), () =>
      producer.send({
        topic,
        messages: [
          { key: 'o-1', value: order('o-1', '2026-11-25T08:00:00Z') },
          {
            key: 'o-2',
            value: order('o-2', '2026-11-25T09:30:00.123+01:00'),
            headers: { 'app-header': 'kept' },
          },
        ],
      }),
    );
    span.end();
    await producer.disconnect();

    const got = await consume(kafka, topic, 2);
    expect(got).toHaveLength(2);
    const byKey = Object.fromEntries(got.map((m) => [m.key, m]));
    for (const m of got) {
      expect(m.repeated).toEqual([]);
      expect(m.headers).toMatchObject({
        [HEADERS.producerService]: 'orders-svc',
        [HEADERS.producerVersion]: '2.3.4',
        [HEADERS.contractId]: 'urn:dp:orders:created',
        [HEADERS.contractVersion]: '3.0.0',
      });
      const tp = parseTraceparent(m.headers.traceparent);
      expect(tp.traceId).toBe(span.spanContext().traceId);
      expect(tp.parentId).toBe(span.spanContext().spanId);
      expect(m.headers[HEADERS.enforcement]).toBeUndefined();
    }
    expect(byKey['o-1']!.headers[HEADERS.eventTime]).toBe('2026-11-25T08:00:00Z');
    expect(byKey['o-2']!.headers[HEADERS.eventTime]).toBe('2026-11-25T08:30:00.123Z');
    expect(byKey['o-2']!.headers['app-header']).toBe('kept');
  });

  it('over @platformatic/kafka (PlatformaticProducer) a consumer sees the same headers', async () => {
    const kafka = kafkaClient(brokers);
    const topic = uniqueTopic('orders.fast');
    await createTopic(kafka, topic);
    const producer = instrument(
      new PlatformaticProducer({ brokers: brokers.split(','), clientId: 'it-fast' }),
      {
        service: { name: 'orders-svc', version: '2.3.4' },
        eventTimeField: 'created_at',
        contracts: [{ file: ORDERS_CONTRACT }],
        validation: { mode: 'warn' },
        env: {},
      },
    );
    await producer.connect();
    const span = tracer.startSpan('POST /orders');
    const metadata = await context.with(trace.setSpan(context.active(), span), () =>
      producer.send({
        topic,
        messages: [
          { key: 'o-1', value: order('o-1', '2026-11-25T08:00:00Z') },
          {
            key: 'o-2',
            value: Buffer.from(order('o-2', '2026-11-25T09:30:00.123+01:00')),
            headers: { 'app-header': 'kept', 'app-list': ['one', Buffer.from('two')] },
          },
        ],
      }),
    );
    span.end();
    await producer.disconnect();
    // kafkajs's RecordMetadata shape, one entry per topic-partition written
    expect(metadata).toEqual([
      { topicName: topic, partition: expect.any(Number), errorCode: 0, baseOffset: '0' },
    ]);

    const got = await consume(kafka, topic, 2);
    const byKey = Object.fromEntries(got.map((m) => [m.key, m]));
    for (const m of got) {
      expect(m.headers).toMatchObject({
        [HEADERS.producerService]: 'orders-svc',
        [HEADERS.producerVersion]: '2.3.4',
        [HEADERS.contractId]: 'urn:dp:orders:created',
        [HEADERS.contractVersion]: '3.0.0',
      });
      expect(parseTraceparent(m.headers.traceparent).traceId).toBe(span.spanContext().traceId);
    }
    expect(byKey['o-1']!.headers[HEADERS.eventTime]).toBe('2026-11-25T08:00:00Z');
    expect(byKey['o-2']!.headers[HEADERS.eventTime]).toBe('2026-11-25T08:30:00.123Z');
    expect(byKey['o-2']!.headers['app-header']).toBe('kept');
    expect(byKey['o-2']!.repeated).toEqual(['app-list']);
    expect(byKey['o-2']!.headers['app-list']).toBe('one,two');
  });

  describe('with @opentelemetry/instrumentation-kafkajs enabled on the same kafkajs', () => {
    const kafkajsModule = createRequire(import.meta.url)('kafkajs') as object;
    const instrumentation = new KafkaJsInstrumentation({ enabled: false });
    const definition = (
      instrumentation as unknown as {
        getModuleDefinitions(): {
          patch?: (m: object, v?: string) => unknown;
          unpatch?: (m: object, v?: string) => void;
        }[];
      }
    ).getModuleDefinitions()[0]!;

    beforeAll(() => {
      instrumentation.setTracerProvider(provider);
      instrumentation.enable();
      definition.patch?.(kafkajsModule, '2.2.4');
    });
    afterAll(() => {
      definition.unpatch?.(kafkajsModule, '2.2.4');
      instrumentation.disable();
    });

    it('each record carries exactly one traceparent, one trace, and the application context survives', async () => {
      exporter.reset();
      const { Kafka, logLevel } = kafkajsModule as typeof KafkaJs;
      const kafka = new Kafka({
        clientId: 'it-otel',
        brokers: brokers.split(','),
        logLevel: logLevel.NOTHING,
      });
      const topic = uniqueTopic('orders.otel');
      await createTopic(kafka, topic);
      const raw = kafka.producer();
      expect((raw.send as unknown as { __wrapped?: boolean }).__wrapped).toBe(true);
      const producer = instrument(raw, {
        service: { name: 'orders-svc' },
        env: {},
        tracing: { span: true },
      });
      await producer.connect();
      const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const span = tracer.startSpan('POST /orders');
      await context.with(trace.setSpan(context.active(), span), () =>
        producer.send({
          topic,
          messages: [
            { key: 'a', value: '{}' },
            { key: 'b', value: '{}', headers: { traceparent: own } },
          ],
        }),
      );
      span.end();
      await producer.disconnect();

      const got = await consume(kafka, topic, 2);
      const byKey = Object.fromEntries(got.map((m) => [m.key, m]));
      for (const m of got) {
        expect(m.repeated).toEqual([]);
        expect(
          Object.keys(m.headers).filter((k) => k.toLowerCase() === 'traceparent'),
        ).toHaveLength(1);
        expect(m.headers[HEADERS.producerService]).toBe('orders-svc');
      }
      const a = parseTraceparent(byKey.a!.headers.traceparent);
      expect(a.traceId).toBe(span.spanContext().traceId);
      // the creation context is the instrumentation's per-message span, a child of the SDK span
      const spans = exporter.getFinishedSpans();
      const sdkSpan = spans.find(
        (s) => s.instrumentationScope.name === '@signal-factory/producer-sdk',
      )!;
      const kafkaSpanA = spans.find((s) => s.spanContext().spanId === a.parentId)!;
      expect(kafkaSpanA.parentSpanContext?.spanId).toBe(sdkSpan.spanContext().spanId);
      expect(byKey.b!.headers.traceparent).toBe(own);
    });
  });
});
