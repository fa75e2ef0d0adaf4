import { channel } from 'node:diagnostics_channel';
import { context as otelContext } from '@opentelemetry/api';
import { ContractRegistry } from './contract-registry';
import { DirectTransport } from './direct-transport';
import { RecordsRejectedError, SDK_ERROR_CODES, sdkError } from './errors';
import { FailoverTransport } from './failover-transport';
import { safeLogger } from './logger';
import { resolveOptions, type ProducerSdkOptions } from './options';
import { RecordPreparer, validateValue, type PreparedSend } from './record-preparer';
import {
  endSendSpan,
  hasActiveSpan,
  injectTraceContext,
  isKafkaJsInstrumented,
  protectTraceHeaders,
  startSendSpan,
} from './trace-context';
import type { ProducerTransport } from './transport';
import type {
  ContractStatus,
  KafkaProducerLike,
  ProducerSdkMetrics,
  RecordViolation,
  SfProducerBatch,
  SfProducerRecord,
  SfRecordMetadata,
  SfTopicMessages,
} from './types';

const violationChannel = channel('signal-factory:producer-sdk:violation');
const bypassChannel = channel('signal-factory:producer-sdk:bypass');
const breakerChannel = channel('signal-factory:producer-sdk:breaker');

/** What the SDK adds to a wrapped producer, under `producer.sf`. */
export interface ProducerSdkControl {
  /** Resolves once contracts have been loaded (or failed to load: see `contracts()`). Never rejects. */
  ready(): Promise<void>;
  /** Counters since start. */
  metrics(): ProducerSdkMetrics;
  /** Load state of every contract binding, with the reason when one failed. */
  contracts(): ContractStatus[];
  /** Reloads file/url contracts now. */
  refreshContracts(): Promise<void>;
  /** Waits until every record accepted so far is acknowledged or failed. */
  flush(): Promise<void>;
  /** Name of the transport in use (`direct`, `sidecar`, …). */
  readonly transport: string;
}

/**
 * A producer with kafkajs's `send`/`sendBatch` signatures and return values, every other member
 * of the wrapped producer unchanged, and `sf` for the SDK's own state.
 */
export type InstrumentedProducer<P extends KafkaProducerLike> = Omit<P, 'send' | 'sendBatch'> & {
  send(record: SfProducerRecord): Promise<SfRecordMetadata[]>;
  sendBatch(batch: SfProducerBatch): Promise<SfRecordMetadata[]>;
  readonly sf: ProducerSdkControl;
};

/** Options of `createProducer`: the SDK's options plus the producer config passed to `kafka.producer()`. */
export type CreateProducerOptions<C> = ProducerSdkOptions & {
  /** Passed unchanged to `kafka.producer(config)`. */
  producerConfig?: C;
};

/**
 * Wraps an existing kafkajs producer. Two lines to adopt:
 * ```ts
 * const producer = instrument(kafka.producer(), { service: { name: 'orders-svc' } });
 * await producer.send({ topic: 'orders.created', messages: [{ value: JSON.stringify(order) }] });
 * ```
 * Options are checked here; every problem is thrown at once (`SF_ERR_SDK_INVALID_OPTIONS`).
 */
export function instrument<P extends KafkaProducerLike>(
  producer: P,
  options: ProducerSdkOptions = {},
): InstrumentedProducer<P> {
  const o = resolveOptions(options);
  if (
    typeof producer !== 'object' ||
    producer === null ||
    typeof producer.send !== 'function' ||
    typeof producer.sendBatch !== 'function'
  ) {
    throw sdkError(
      SDK_ERROR_CODES.invalidOptions,
      'instrument(producer): producer must have send and sendBatch',
      {
        details: {
          problems: [{ path: '(producer)', message: 'must be a kafkajs-compatible producer' }],
        },
      },
    );
  }
  const logger = safeLogger(o.logger);
  const metrics: Omit<ProducerSdkMetrics, 'breakerState'> = {
    recordsSent: 0,
    recordsValidated: 0,
    recordsViolating: 0,
    recordsRejected: 0,
    recordsBypassed: 0,
    sidecarFailures: 0,
  };

  const contracts = o.contracts.length > 0 ? new ContractRegistry(o.contracts, logger) : undefined;
  const instrumented = isKafkaJsInstrumented(producer);
  // the original methods: our transport calls them, so the kafkajs instrumentation (if any) still sees the send
  const direct = new DirectTransport({
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    send: (r) => producer.send(r),
    sendBatch: (b) => producer.sendBatch(b),
  });
  let transport: ProducerTransport;
  let failover: FailoverTransport | undefined;
  if (o.transport === 'sidecar') {
    failover = new FailoverTransport(o.sidecar, direct, {
      onBypass: (count, reason) => {
        metrics.recordsBypassed += count;
        logger.warn(
          { records: count, err: reason?.message },
          'producer-sdk: sidecar unavailable, produced directly',
        );
        if (bypassChannel.hasSubscribers) bypassChannel.publish({ records: count, reason });
      },
      onSidecarFailure: (error) => {
        metrics.sidecarFailures += 1;
        logger.debug({ err: error.message }, 'producer-sdk: sidecar request failed');
      },
      onBreakerChange: (from, to) => {
        logger.warn({ from, to }, `producer-sdk: sidecar circuit breaker ${to}`);
        if (breakerChannel.hasSubscribers) breakerChannel.publish({ from, to });
      },
    });
    transport = failover;
  } else if (o.transport === 'direct') transport = direct;
  else transport = o.transport;

  const preparer = new RecordPreparer(
    o,
    contracts,
    o.transport === 'sidecar' ? 'sidecar' : undefined,
  );
  // the kafkajs instrumentation injects unconditionally on direct produce: shield app-set contexts
  const protectAppTrace = instrumented;
  let closed = false;
  let contractsReady = contracts === undefined;
  const ready = (contracts?.ready ?? Promise.resolve()).then(() => {
    contractsReady = true;
    for (const s of contracts?.statuses() ?? []) {
      if (s.state === 'failed') {
        logger.warn(
          { source: s.source, code: s.error?.code, err: s.error?.message, mode: o.validationMode },
          o.validationMode === 'block'
            ? 'producer-sdk: contract unavailable; block mode rejects records on its topics until it loads'
            : 'producer-sdk: contract unavailable; sending without client-side validation until it loads',
        );
      }
    }
  });

  function report(violations: RecordViolation[]): void {
    if (violations.length === 0) return;
    metrics.recordsViolating += violations.length;
    if (o.validationMode === 'warn') {
      logger.warn(
        { violations: violations.slice(0, 10), count: violations.length },
        'producer-sdk: records violate their contract (sent anyway: warn mode)',
      );
    }
    if (violationChannel.hasSubscribers)
      violationChannel.publish({ mode: o.validationMode, violations });
    if (o.onViolation) {
      try {
        o.onViolation(violations);
      } catch (error) {
        logger.error({ err: String(error) }, 'producer-sdk: onViolation hook threw; ignored');
      }
    }
  }

  function runDeferred(prepared: PreparedSend): void {
    const violations = prepared.violations;
    for (const d of prepared.deferred) {
      let verdict: { valid: boolean; reasonCodes: readonly string[] };
      try {
        verdict = validateValue(d.validator, d.value);
      } catch (error) {
        logger.error(
          { err: String(error), topic: d.topic },
          'producer-sdk: validator threw; record not judged',
        );
        continue;
      }
      if (!verdict.valid) {
        violations.push({
          topic: d.topic,
          index: d.index,
          contractId: d.validator.id,
          contractVersion: d.validator.version,
          reasonCodes: [...verdict.reasonCodes],
        });
      }
    }
    report(violations);
  }

  async function sendTopicMessages(
    topicMessages: readonly SfTopicMessages[],
    sendOptions: { acks?: number; timeout?: number; compression?: number },
  ): Promise<SfRecordMetadata[]> {
    if (closed) throw sdkError(SDK_ERROR_CODES.closed, 'the producer is disconnected');
    if (!contractsReady) await ready;
    const prepared = preparer.prepare(topicMessages);
    metrics.recordsValidated += prepared.validated;
    if (prepared.deferred.length === 0) report(prepared.violations);
    metrics.recordsRejected += prepared.rejected.length;
    if (prepared.rejected.length > 0 && !o.partialSends) {
      throw new RecordsRejectedError(prepared.rejected[0]!.code, prepared.rejected, []);
    }

    let ctx = otelContext.active();
    let span: ReturnType<typeof startSendSpan>['span'] | undefined;
    if (o.span && prepared.records.length > 0) {
      const appContexts = prepared.records
        .filter((_, i) => prepared.appTrace[i])
        .map((r) => r.headers);
      const started = startSendSpan(
        ctx,
        [...new Set(topicMessages.map((t) => t.topic))],
        prepared.records,
        appContexts,
      );
      span = started.span;
      ctx = started.ctx;
    }
    if (o.propagate && (span !== undefined || hasActiveSpan(ctx))) {
      for (const r of prepared.records) injectTraceContext(ctx, r.headers);
    }
    if (protectAppTrace) {
      prepared.records.forEach((r, i) => {
        if (prepared.appTrace[i]) r.headers = protectTraceHeaders(r.headers);
      });
    }

    // settle into a value at once so a rejection is handled even while deferred validation runs
    const outcome = otelContext
      .with(ctx, () => transport.send(prepared.records, sendOptions))
      .then(
        (metadata) => ({ ok: true as const, metadata }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    if (prepared.deferred.length > 0) {
      // let the transport encode and write first, then validate while the broker answers
      await new Promise<void>((resolve) => setImmediate(resolve));
      runDeferred(prepared);
    }
    const result = await outcome;
    if (span) endSendSpan(span, result.ok ? undefined : result.error);
    if (!result.ok) throw result.error;
    const metadata = result.metadata;
    metrics.recordsSent += prepared.records.length;
    if (prepared.rejected.length > 0) {
      throw new RecordsRejectedError(prepared.rejected[0]!.code, prepared.rejected, metadata);
    }
    return metadata;
  }

  async function send(record: SfProducerRecord): Promise<SfRecordMetadata[]> {
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record.topic !== 'string' ||
      !Array.isArray(record.messages)
    ) {
      throw sdkError(
        SDK_ERROR_CODES.notSerialisable,
        'send(record): record must be { topic: string, messages: [] }',
      );
    }
    return sendTopicMessages([{ topic: record.topic, messages: record.messages }], {
      acks: record.acks,
      timeout: record.timeout,
      compression: record.compression,
    });
  }

  async function sendBatch(batch: SfProducerBatch): Promise<SfRecordMetadata[]> {
    const tms = batch?.topicMessages ?? [];
    if (
      !Array.isArray(tms) ||
      tms.some((t) => typeof t?.topic !== 'string' || !Array.isArray(t.messages))
    ) {
      throw sdkError(
        SDK_ERROR_CODES.notSerialisable,
        'sendBatch(batch): topicMessages must be [{ topic, messages }]',
      );
    }
    return sendTopicMessages(tms, {
      acks: batch.acks,
      timeout: batch.timeout,
      compression: batch.compression,
    });
  }

  async function disconnect(): Promise<void> {
    if (!closed) {
      closed = true;
      contracts?.close();
      try {
        await transport.close();
      } catch (error) {
        logger.error({ err: String(error) }, 'producer-sdk: transport close failed');
      }
    }
    await producer.disconnect();
  }

  const sf: ProducerSdkControl = {
    ready: () => ready,
    metrics: () => ({ ...metrics, breakerState: failover?.breakerState ?? 'closed' }),
    contracts: () => contracts?.statuses() ?? [],
    refreshContracts: async () => {
      await contracts?.refresh();
    },
    flush: () => transport.flush(),
    transport: transport.name,
  };

  return new Proxy(producer, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      if (prop === 'sendBatch') return sendBatch;
      if (prop === 'disconnect') return disconnect;
      if (prop === 'sf') return sf;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as InstrumentedProducer<P>;
}

/**
 * Creates a producer from a kafkajs `Kafka` client and instruments it:
 * ```ts
 * const producer = createProducer(kafka, { service: { name: 'orders-svc' } });
 * ```
 */
export function createProducer<P extends KafkaProducerLike, C = unknown>(
  kafka: { producer(config?: C): P },
  options: CreateProducerOptions<C> = {},
): InstrumentedProducer<P> {
  const { producerConfig, ...sdkOptions } = options;
  // validate before creating anything, so a bad option leaves no producer behind
  resolveOptions(sdkOptions);
  return instrument(kafka.producer(producerConfig), sdkOptions);
}
