import { randomUUID } from 'node:crypto';

import { Kafka, logLevel } from 'kafkajs';

import type { ConsumedRecord } from '../pipeline/record-processor';
import type { ReplayRange } from './replay';

/** Options of `readKafkaRange`. */
export interface KafkaRangeOptions extends ReplayRange {
  brokers: string[];
  topic: string;
  /** Stop after this many records. Default 100,000. */
  maxRecords?: number;
  /** Give up waiting for more records after this many ms. Default 30,000. */
  timeoutMs?: number;
}

/**
 * Reads a bounded range of a topic (offsets and/or times, per partition, up to the current high
 * watermark) without committing offsets, for `replay`.
 */
export async function readKafkaRange(options: KafkaRangeOptions): Promise<ConsumedRecord[]> {
  const kafka = new Kafka({
    clientId: 'signal-factory-replay',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let starts: Map<number, bigint>;
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    starts = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    if (options.fromTime !== undefined) {
      for (const o of await admin.fetchTopicOffsetsByTimestamp(options.topic, options.fromTime)) {
        starts.set(
          o.partition,
          BigInt(o.offset) < 0n ? (ends.get(o.partition) ?? 0n) : BigInt(o.offset),
        );
      }
    }
    if (options.toTime !== undefined) {
      for (const o of await admin.fetchTopicOffsetsByTimestamp(options.topic, options.toTime)) {
        if (BigInt(o.offset) >= 0n) ends.set(o.partition, BigInt(o.offset));
      }
    }
    if (options.fromOffset !== undefined) {
      for (const [p, s] of starts)
        starts.set(p, BigInt(options.fromOffset) > s ? BigInt(options.fromOffset) : s);
    }
    if (options.toOffset !== undefined) {
      for (const [p, e] of ends)
        ends.set(p, BigInt(options.toOffset) < e ? BigInt(options.toOffset) : e);
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...starts].filter(([p, s]) => s < (ends.get(p) ?? 0n)).map(([p]) => p));
  const out: ConsumedRecord[] = [];
  if (pending.size === 0) return out;
  const max = options.maxRecords ?? 100_000;
  const consumer = kafka.consumer({ groupId: `sf-replay-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), options.timeoutMs ?? 30_000);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition) ?? 0n;
            const start = starts.get(batch.partition) ?? 0n;
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset < start) continue;
              if (offset >= end) break;
              if (out.length < max) {
                out.push({
                  topic: batch.topic,
                  partition: batch.partition,
                  offset: m.offset,
                  key: m.key,
                  value: m.value ?? Buffer.alloc(0),
                  headers: Object.fromEntries(
                    Object.entries(m.headers ?? {}).map(([k, v]) => [
                      k.toLowerCase(),
                      Array.isArray(v) ? String(v[0]) : String(v ?? ''),
                    ]),
                  ),
                  timestamp: Number(m.timestamp),
                });
              }
            }
            const last = batch.messages.at(-1);
            if (last !== undefined && BigInt(last.offset) + 1n >= end)
              pending.delete(batch.partition);
            if (pending.size === 0 || out.length >= max) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const [partition, offset] of starts) {
        if (pending.has(partition))
          consumer.seek({ topic: options.topic, partition, offset: offset.toString() });
      }
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort(
    (a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1),
  );
}
