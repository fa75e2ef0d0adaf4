import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseTraceparent } from '@signal-factory/core';
import { instrument } from './instrument';
import { InMemoryKafkaProducer } from './testing';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('test');
const base = { service: { name: 'orders-svc' }, env: {} };

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

/** Wraps the in-memory producer's send/sendBatch exactly as @opentelemetry/instrumentation-kafkajs does. */
function kafkajsInstrumented(raw: InMemoryKafkaProducer): InMemoryKafkaProducer {
  const instr = new KafkaJsInstrumentation({ enabled: false });
  instr.setTracerProvider(provider);
  const internals = instr as unknown as {
    _wrap(obj: object, name: string, patch: unknown): void;
    _getSendPatch(): unknown;
    _getSendBatchPatch(): unknown;
  };
  internals._wrap(raw, 'send', internals._getSendPatch());
  internals._wrap(raw, 'sendBatch', internals._getSendBatchPatch());
  return raw;
}

const traceHeaderNames = (h: Record<string, unknown>) =>
  Object.keys(h).filter((k) => /^trace(parent|state)$/i.test(k));

describe('trace context', () => {
  it('injects no trace headers when no span is active', async () => {
    const raw = new InMemoryKafkaProducer();
    await instrument(raw, base).send({ topic: 't', messages: [{ value: 'a' }] });
    expect(traceHeaderNames(raw.transport.records[0]!.headers)).toEqual([]);
  });

  it('injects the active span context as a W3C traceparent that core parses', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, base);
    const span = tracer.startSpan('handler');
    await context.with(trace.setSpan(context.active(), span), () =>
      producer.send({ topic: 't', messages: [{ value: 'a' }] }),
    );
    span.end();
    const tp = parseTraceparent(raw.transport.records[0]!.headers.traceparent);
    expect(tp.traceId).toBe(span.spanContext().traceId);
    expect(tp.parentId).toBe(span.spanContext().spanId);
    expect(tp.sampled).toBe(true);
  });

  it('never replaces a traceparent the application set', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, { ...base, tracing: { span: true } });
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const span = tracer.startSpan('handler');
    await context.with(trace.setSpan(context.active(), span), () =>
      producer.send({
        topic: 't',
        messages: [{ value: 'a', headers: { TraceParent: own } }, { value: 'b' }],
      }),
    );
    span.end();
    const [a, b] = raw.transport.records;
    expect(traceHeaderNames(a!.headers)).toEqual(['TraceParent']);
    expect(a!.headers.TraceParent).toBe(own);
    // the producer span links to the application's creation context (semconv)
    const send = exporter.getFinishedSpans().find((s) => s.name === 'send t')!;
    expect(send.links.map((l) => l.context.traceId)).toEqual(['0af7651916cd43dd8448eb211c80319c']);
    expect(parseTraceparent(b!.headers.traceparent).parentId).toBe(send.spanContext().spanId);
  });

  it('starts a PRODUCER "send {topic}" span with messaging attributes when asked', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, { ...base, tracing: { span: true } });
    await producer.send({ topic: 'orders.created', messages: [{ key: 'o-1', value: 'a' }] });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('send orders.created');
    expect(span!.kind).toBe(SpanKind.PRODUCER);
    expect(span!.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'orders.created',
      'messaging.kafka.message.key': 'o-1',
    });
    const tp = parseTraceparent(raw.transport.records[0]!.headers.traceparent);
    expect(tp.parentId).toBe(span!.spanContext().spanId);

    await producer.sendBatch({
      topicMessages: [{ topic: 'a', messages: [{ value: '1' }, { value: '2' }] }],
    });
    const batch = exporter.getFinishedSpans()[1]!;
    expect(batch.attributes['messaging.batch.message_count']).toBe(2);
  });

  it('records error.type on the span when the send fails', async () => {
    const raw = new InMemoryKafkaProducer();
    raw.transport.failNext(
      Object.assign(new Error('leader not available'), { code: 'KAFKA_LEADER' }),
    );
    const producer = instrument(raw, { ...base, tracing: { span: true } });
    await expect(producer.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toThrow(
      'leader',
    );
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['error.type']).toBe('KAFKA_LEADER');
    expect(span!.status.code).toBe(2);
  });

  describe('with @opentelemetry/instrumentation-kafkajs also installed', () => {
    it('leaves exactly one traceparent per record, from the instrumentation span, in the same trace', async () => {
      const raw = kafkajsInstrumented(new InMemoryKafkaProducer());
      const producer = instrument(raw, base);
      const span = tracer.startSpan('handler');
      await context.with(trace.setSpan(context.active(), span), () =>
        producer.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] }),
      );
      span.end();
      const kafkaSpans = exporter.getFinishedSpans().filter((s) => s.name === 'send t');
      expect(kafkaSpans).toHaveLength(2);
      raw.transport.records.forEach((r, i) => {
        expect(traceHeaderNames(r.headers)).toEqual(['traceparent']);
        const tp = parseTraceparent(r.headers.traceparent);
        expect(tp.traceId).toBe(span.spanContext().traceId);
        expect(tp.parentId).toBe(kafkaSpans[i]!.spanContext().spanId);
        expect(r.headers['x-obs-producer-service']).toBe('orders-svc');
      });
    });

    it('keeps the application traceparent even though the instrumentation injects unconditionally', async () => {
      const raw = kafkajsInstrumented(new InMemoryKafkaProducer());
      const producer = instrument(raw, base);
      const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await producer.send({
        topic: 't',
        messages: [
          { value: 'a', headers: { traceparent: own, tracestate: 'app=1' } },
          { value: 'b', headers: { Traceparent: own } },
        ],
      });
      const [a, b] = raw.transport.records;
      expect(a!.headers).toMatchObject({ traceparent: own, tracestate: 'app=1' });
      expect(traceHeaderNames(a!.headers)).toEqual(['traceparent', 'tracestate']);
      expect(traceHeaderNames(b!.headers)).toEqual(['Traceparent']);
    });

    it('nests the instrumentation spans under the SDK span when both are on', async () => {
      const raw = kafkajsInstrumented(new InMemoryKafkaProducer());
      const producer = instrument(raw, { ...base, tracing: { span: true } });
      await producer.send({ topic: 't', messages: [{ value: 'a' }] });
      const spans = exporter.getFinishedSpans();
      const sdk = spans.find(
        (s) => s.instrumentationScope.name === '@signal-factory/producer-sdk',
      )!;
      const kafkajs = spans.find(
        (s) => s.instrumentationScope.name !== '@signal-factory/producer-sdk',
      )!;
      expect(kafkajs.parentSpanContext?.spanId).toBe(sdk.spanContext().spanId);
      expect(parseTraceparent(raw.transport.records[0]!.headers.traceparent).parentId).toBe(
        kafkajs.spanContext().spanId,
      );
    });
  });
});
