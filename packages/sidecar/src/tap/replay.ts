import { HEADERS } from '@signal-factory/core';

import type { GatePipeline } from '../pipeline/gate-pipeline';
import type { ConsumedRecord, RecordProcessor } from '../pipeline/record-processor';

/** Which records of the input to replay. */
export interface ReplayRange {
  /** Inclusive, per partition. */
  fromOffset?: bigint | number | string;
  /** Exclusive, per partition. */
  toOffset?: bigint | number | string;
  /** Inclusive, epoch ms. */
  fromTime?: number;
  /** Exclusive, epoch ms. */
  toTime?: number;
}

export interface ReplayOptions extends ReplayRange {
  processor: RecordProcessor;
  /** A pipeline built from another registry snapshot (e.g. a new contract version). Default: the current one. */
  pipeline?: GatePipeline;
  /** Publish replay evidence (`source: replay`). Default false: report only. */
  publish?: boolean;
}

/** What a replay found. */
export interface ReplayReport {
  records: number;
  pass: number;
  warn: number;
  fail: number;
  /** Records read from a quarantine topic that now PASS or WARN. */
  nowPassing: number;
  /** Bare reason code → count. */
  reasonCodes: Record<string, number>;
  /** Coordinates of records that now pass (quarantine replays), at most 1,000. */
  released: Array<{ topic: string; partition: number; offset: string }>;
}

function inRange(r: ConsumedRecord, range: ReplayRange): boolean {
  const offset = BigInt(r.offset);
  if (range.fromOffset !== undefined && offset < BigInt(range.fromOffset)) return false;
  if (range.toOffset !== undefined && offset >= BigInt(range.toOffset)) return false;
  if (range.fromTime !== undefined && (r.timestamp ?? 0) < range.fromTime) return false;
  if (range.toTime !== undefined && (r.timestamp ?? 0) >= range.toTime) return false;
  return true;
}

/**
 * Replays records (from a topic or a quarantine topic) through the gates and reports what now
 * passes. Quarantined records are judged as their source topic (`x-obs-source-topic`).
 */
export async function replay(
  records: Iterable<ConsumedRecord> | AsyncIterable<ConsumedRecord>,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const report: ReplayReport = {
    records: 0,
    pass: 0,
    warn: 0,
    fail: 0,
    nowPassing: 0,
    reasonCodes: {},
    released: [],
  };
  let batch: ConsumedRecord[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const judged = await options.processor.judge(batch, {
      source: 'replay',
      ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
      publish: options.publish ?? false,
    });
    judged.forEach(({ run }, i) => {
      const original = batch[i] as ConsumedRecord & {
        fromQuarantine?: boolean;
        quarantineTopic?: string;
      };
      report.records++;
      if (run.result === 'PASS') report.pass++;
      else if (run.result === 'WARN') report.warn++;
      else report.fail++;
      for (const code of run.reasonCodes) {
        const bare = code.split(':')[0] as string;
        report.reasonCodes[bare] = (report.reasonCodes[bare] ?? 0) + 1;
      }
      if (original.fromQuarantine === true && run.result !== 'FAIL') {
        report.nowPassing++;
        if (report.released.length < 1000) {
          report.released.push({
            topic: original.quarantineTopic ?? original.topic,
            partition: original.partition,
            offset: original.offset,
          });
        }
      }
    });
    batch = [];
  };
  for await (const record of records) {
    if (!inRange(record, options)) continue;
    const source = record.headers[HEADERS.sourceTopic];
    const judged: ConsumedRecord & { fromQuarantine?: boolean; quarantineTopic?: string } =
      source === undefined
        ? record
        : {
            ...record,
            topic: source,
            storedTopic: record.topic,
            fromQuarantine: true,
            quarantineTopic: record.topic,
          };
    batch.push(judged);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return report;
}
