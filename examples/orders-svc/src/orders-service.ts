import kafkajs from 'kafkajs';
import {
  createProducer,
  type KafkaProducerLike,
  type Logger,
  type SfRecordMetadata,
} from '@signal-factory/producer-sdk';
import type { OrdersServiceConfig } from './config';
import { makeOrder } from './orders';

export interface OrdersService {
  /** Orders acknowledged so far. */
  readonly produced: number;
  /** Sends that failed (typed SDK errors), by code. */
  readonly failures: Record<string, number>;
  /** Resolves when `count` orders were sent (never, when count is 0) or after `stop()`. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** A kafkajs-like client; the real `Kafka` by default, a fake in tests. */
export interface KafkaLike {
  producer(): KafkaProducerLike;
}

/**
 * Produces `orders.created` events at a steady rate with the producer SDK: identity, event-time
 * (from `created_at`), contract and trace headers; client-side validation; optional sidecar hop.
 */
export async function startOrdersService(
  config: OrdersServiceConfig,
  options: { kafka?: KafkaLike; logger?: Logger } = {},
): Promise<OrdersService> {
  const kafka =
    options.kafka ??
    new kafkajs.Kafka({
      clientId: 'orders-svc',
      brokers: config.brokers,
      logLevel: kafkajs.logLevel.WARN,
    });
  const producer = createProducer(kafka, {
    service: { name: 'orders-svc', version: config.version },
    eventTimeField: 'created_at',
    contracts: [{ file: config.contractFile, topics: [config.topic] }],
    validation: { mode: config.validation, partialSends: true },
    transport: config.sidecarUrl ? 'sidecar' : 'direct',
    ...(config.sidecarUrl
      ? { sidecar: { url: config.sidecarUrl, failMode: config.failMode } }
      : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await producer.connect();

  const state = { produced: 0, failures: {} as Record<string, number> };
  let running = true;
  let n = 0;
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((config.ratePerSecond * tickMs) / 1000));

  const loop = async (): Promise<void> => {
    while (running && (config.count === 0 || n < config.count)) {
      const started = Date.now();
      const size = config.count === 0 ? perTick : Math.min(perTick, config.count - n);
      const messages = Array.from({ length: size }, () => {
        const i = n++;
        const broken =
          config.invalidRatio > 0 && ((i * 2654435761) % 1000) / 1000 < config.invalidRatio;
        return { key: `o-${i}`, value: JSON.stringify(makeOrder(i, broken)) };
      });
      try {
        const meta: SfRecordMetadata[] = await producer.send({ topic: config.topic, messages });
        if (meta) state.produced += size;
      } catch (error) {
        const e = error as { code?: string; sent?: unknown[]; rejected?: unknown[] };
        const code = e.code ?? 'UNKNOWN';
        state.failures[code] = (state.failures[code] ?? 0) + 1;
        // partial sends: the valid records of the batch were written
        if (e.rejected && e.sent && e.sent.length > 0) state.produced += size - e.rejected.length;
      }
      const wait = tickMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const done = loop();
  return {
    get produced() {
      return state.produced;
    },
    get failures() {
      return { ...state.failures };
    },
    done,
    async stop() {
      running = false;
      await done;
      await producer.disconnect();
    },
  };
}
