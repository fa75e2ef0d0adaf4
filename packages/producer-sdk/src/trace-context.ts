import {
  context as otelContext,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapSetter,
} from '@opentelemetry/api';
import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from '@signal-factory/core';
import type { TransportRecord } from './transport';

type Headers = TransportRecord['headers'];

/** Sets a header only when no header of that name (any case) exists: app headers win. */
const keepExistingSetter: TextMapSetter<Headers> = {
  set(carrier, key, value) {
    if (carrier[key] !== undefined) return;
    const lower = key.toLowerCase();
    for (const k of Object.keys(carrier)) if (k.toLowerCase() === lower) return;
    carrier[key] = value;
  },
};

/** True when a span with a valid context is active in `ctx`. */
export function hasActiveSpan(ctx: Context): boolean {
  const span = trace.getSpan(ctx);
  return span !== undefined && trace.isSpanContextValid(span.spanContext());
}

/** Injects `traceparent`/`tracestate` from `ctx` through the global propagator, never overwriting. */
export function injectTraceContext(ctx: Context, headers: Headers): void {
  propagation.inject(ctx, headers, keepExistingSetter);
}

/** True when the application put its own creation context (`traceparent`, any case) on the record. */
export function hasOwnTraceparent(headers: Headers | undefined): boolean {
  if (!headers) return false;
  for (const k of Object.keys(headers)) if (k.toLowerCase() === TRACEPARENT_HEADER) return true;
  return false;
}

/**
 * `@opentelemetry/instrumentation-kafkajs` wraps `producer.send`/`sendBatch` with shimmer, which
 * marks the wrapper `__wrapped`. When present, it injects a per-message span context itself.
 */
export function isKafkaJsInstrumented(producer: { send: unknown; sendBatch: unknown }): boolean {
  const flag = (fn: unknown): boolean =>
    typeof fn === 'function' && (fn as { __wrapped?: unknown }).__wrapped === true;
  return flag(producer.send) || flag(producer.sendBatch);
}

/**
 * Shields the application's own trace headers from a later `propagation.inject` (the kafkajs
 * instrumentation injects unconditionally): writes to those names, in any case, are ignored,
 * so the record keeps exactly one `traceparent`, the application's. Messaging semconv: "If a
 * user provides a custom creation context in a message, this context SHOULD NOT be modified".
 */
export function protectTraceHeaders(headers: Headers): Headers {
  return new Proxy(headers, {
    set(target, key, value) {
      if (typeof key === 'string') {
        const lower = key.toLowerCase();
        if (lower === TRACEPARENT_HEADER || lower === TRACESTATE_HEADER) return true;
      }
      (target as Record<string | symbol, unknown>)[key] = value;
      return true;
    },
  });
}

const TRACER_NAME = '@signal-factory/producer-sdk';

/**
 * Starts a producer "send" span per the messaging semconv (`send {destination}`, kind PRODUCER
 * because its context is injected as the creation context), linking to any creation context the
 * application injected itself.
 */
export function startSendSpan(
  parent: Context,
  topics: readonly string[],
  records: readonly TransportRecord[],
  appContexts: readonly Headers[],
): { span: Span; ctx: Context } {
  const attributes: Record<string, string | number | boolean> = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
  };
  if (topics.length === 1) attributes['messaging.destination.name'] = topics[0]!;
  if (records.length > 1) attributes['messaging.batch.message_count'] = records.length;
  if (records.length === 1) {
    const r = records[0]!;
    if (r.key !== null && r.key !== undefined)
      attributes['messaging.kafka.message.key'] = String(r.key);
    if (r.value === null) attributes['messaging.kafka.message.tombstone'] = true;
    if (r.partition !== undefined)
      attributes['messaging.destination.partition.id'] = String(r.partition);
  }
  const links: Link[] = [];
  for (const h of appContexts) {
    const sc = trace.getSpanContext(propagation.extract(otelContext.active(), h, headerGetter));
    if (sc && trace.isSpanContextValid(sc)) links.push({ context: sc });
  }
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      topics.length === 1 ? `send ${topics[0]}` : 'send',
      { kind: SpanKind.PRODUCER, attributes, links },
      parent,
    );
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Records the outcome on the span (semconv: `error.type` and ERROR status on failure) and ends it. */
export function endSendSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const type =
      typeof error === 'object' &&
      error !== null &&
      typeof (error as { code?: unknown }).code === 'string'
        ? (error as { code: string }).code
        : error instanceof Error
          ? error.constructor.name
          : '_OTHER';
    span.setAttribute('error.type', type);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}

const headerGetter = {
  get(carrier: Headers, key: string): string | undefined {
    for (const k of Object.keys(carrier)) {
      if (k.toLowerCase() === key) {
        const v = carrier[k];
        const first = Array.isArray(v) ? v[0] : v;
        return first === undefined ? undefined : first.toString();
      }
    }
    return undefined;
  },
  keys(carrier: Headers): string[] {
    return Object.keys(carrier);
  },
};
