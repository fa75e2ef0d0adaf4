import {
  HEADERS,
  type ConsumedMessage,
  type EvidenceBus,
  type Subscription,
} from '@signal-factory/core';

import type { ConsumedRecord, RecordProcessor } from '../pipeline/record-processor';

/** Options of `startTap`. */
export interface TapOptions {
  /** Where raw topics are consumed from (a Kafka bus, or core's in-memory bus). */
  bus: EvidenceBus;
  /** Raw topics to watch. */
  topics: string[];
  /** Consumer group. Default `signal-factory-tap`. */
  groupId?: string;
  /** Also judge records the sidecar already judged (`x-obs-enforcement: sidecar`). Default false. */
  includeSidecarRecords?: boolean;
  /** Start from the earliest offset when the group has none. Default true. */
  fromBeginning?: boolean;
  processor: RecordProcessor;
}

export function toConsumedRecord(m: ConsumedMessage): ConsumedRecord {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key === '' ? null : m.key,
    value: Buffer.from(m.value, 'utf8'),
    headers: Object.fromEntries(
      Object.entries(m.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    ),
    timestamp: m.timestamp,
  };
}

/**
 * Tap mode: a consumer group over raw topics (producers without the SDK, and records the SDK sent
 * with `x-obs-enforcement: bypassed` while the sidecar was down). Runs the same gates and publishes
 * evidence; offsets are committed after the evidence is published (at least once; evidence ids are
 * deterministic, so redeliveries dedupe downstream).
 */
export async function startTap(options: TapOptions): Promise<Subscription> {
  const include = options.includeSidecarRecords ?? false;
  return options.bus.subscribe(
    {
      groupId: options.groupId ?? 'signal-factory-tap',
      topics: options.topics,
      fromBeginning: options.fromBeginning ?? true,
    },
    async (batch) => {
      const records = batch
        .map(toConsumedRecord)
        .filter((r) => include || r.headers[HEADERS.enforcement] !== 'sidecar');
      if (records.length > 0) await options.processor.judge(records, { source: 'tap' });
    },
  );
}
