import {
  HEADERS,
  type EnforcementMode,
  type Evidence,
  type EvidenceSource,
} from '@signal-factory/core';

import { SIDECAR_ERROR_CODES } from '../errors';
import { buildEvidence, redact } from '../evidence/build-evidence';
import type { EvidencePublisher } from '../evidence/evidence-publisher';
import { decideSample } from '../evidence/sampler';
import type { SidecarMetrics } from '../http/metrics';
import type { Logger } from '../logger';
import type { RecordSink, SinkRecord } from '../sink/record-sink';
import type { TrustTracker } from '../trust/trust-tracker';
import type { GatePipeline, GateRun } from './gate-pipeline';

/** A decoded record to gate and produce. */
export interface IncomingRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer;
  /** `value` decoded as UTF-8, when the caller already has it (must equal `value.toString('utf8')`). */
  text?: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  partition?: number;
  /** Epoch ms as a decimal string. */
  timestamp?: string;
}

/** A record the HTTP layer could not decode: answered `rejected`, never gated. */
export interface RejectedRecord {
  rejected: { code: string; message: string };
}

/** Per-record answer of `POST /v1/produce` (see docs/protocols/sidecar-hop.md). */
export interface ProduceResult {
  index: number;
  status: 'produced' | 'quarantined' | 'rejected' | 'error';
  topic?: string;
  partition?: number;
  offset?: string;
  evidenceId?: string;
  outcome?: 'PASS' | 'WARN' | 'FAIL';
  reasonCodes?: string[];
  error?: { code: string; message: string; retriable: boolean };
}

/** A consumed record for tap and replay. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Epoch ms. */
  timestamp?: number;
  /** Where the record physically sits when `topic` is the one it is judged as (replay of a quarantine topic). */
  storedTopic?: string;
}

export interface RecordProcessorOptions {
  pipeline: () => GatePipeline;
  sink: RecordSink;
  publisher: EvidencePublisher;
  metrics: SidecarMetrics;
  trust: TrustTracker;
  logger: Logger;
  /** Suffix of quarantine topics. Default `.quarantine`. */
  quarantineSuffix?: string;
  /** Clock, epoch ms. */
  now?: () => number;
}

const MAX_REASON_HEADER = 4096;

// Constant label objects: the metrics registry renders each once.
const LABELS = {
  produced: { status: 'produced', source: 'sidecar' },
  quarantined: { status: 'quarantined', source: 'sidecar' },
  rejected: { status: 'rejected', source: 'sidecar' },
  error: { status: 'error', source: 'sidecar' },
  sampledOut: { status: 'sampled_out' },
} as const;

function bareCode(reason: string): string {
  const i = reason.indexOf(':');
  return i === -1 ? reason : reason.slice(0, i);
}

/** Gates, writes, publishes evidence and answers per record. Never throws for bad data. */
export class RecordProcessor {
  readonly #o: RecordProcessorOptions;
  readonly #suffix: string;
  readonly #now: () => number;
  #inFlight = 0;

  constructor(options: RecordProcessorOptions) {
    this.#o = options;
    this.#suffix = options.quarantineSuffix ?? '.quarantine';
    this.#now = options.now ?? Date.now;
    options.metrics.queueDepth.set(() => this.#inFlight);
  }

  /** Records accepted and not yet acknowledged. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Adds one record's gate results to a per-batch tally (metrics are updated once per batch). */
  #count(run: GateRun, tally: Map<string, number>): void {
    for (const g of run.gates) {
      const key = `o\u0000${g.gate}\u0000${g.result}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      for (const r of g.reason_codes) {
        const reason = `r\u0000${g.gate}\u0000${bareCode(r)}`;
        tally.set(reason, (tally.get(reason) ?? 0) + 1);
      }
    }
  }

  #flushTally(tally: Map<string, number>): void {
    const m = this.#o.metrics;
    for (const [key, n] of tally) {
      const [kind, gate, value] = key.split('\u0000') as [string, string, string];
      if (kind === 'o') m.outcomes.inc({ gate, result: value }, n);
      else m.reasons.inc({ gate, code: value }, n);
    }
  }

  #evidenceFor(
    run: GateRun,
    record: {
      topic: string;
      key: string | Buffer | null;
      value: Buffer;
      headers: Record<string, string>;
    },
    coords: { topic: string; partition: number; offset: string },
    timestamp: number | undefined,
    enforcement: EnforcementMode,
    source: EvidenceSource,
  ): { evidence: Evidence; keep: boolean } {
    const snapshot = this.#o.pipeline().snapshot;
    const tier = run.dataset?.tier ?? 'default';
    const rate = snapshot.tiers[tier]?.passSampleRate ?? 1;
    const draft = buildEvidence({
      run,
      topic: record.topic,
      coordinates: coords,
      key: record.key,
      value: record.value,
      headers: record.headers,
      timestamp,
      now: this.#now(),
      enforcement,
      source,
      sampleWeight: 1,
      includeSample: false,
    });
    this.#o.trust.observe(draft, this.#now());
    const decision = decideSample(run.result, rate, draft.evidence_id);
    if (!decision.keep) return { evidence: draft, keep: false };
    draft.sample_weight = decision.weight;
    if (
      run.dataset?.samplePayloads === true &&
      typeof run.parsed === 'object' &&
      run.parsed !== null &&
      !Array.isArray(run.parsed)
    ) {
      draft.sample = redact(run.parsed, run.redactPaths) as Record<string, unknown>;
    }
    return { evidence: draft, keep: true };
  }

  /** The produce path: gates → sink → evidence → per-record answers. */
  async produce(batch: ReadonlyArray<IncomingRecord | RejectedRecord>): Promise<ProduceResult[]> {
    const m = this.#o.metrics;
    this.#inFlight += batch.length;
    try {
      const pipeline = this.#o.pipeline();
      const results: ProduceResult[] = new Array(batch.length);
      const toSend: SinkRecord[] = [];
      const pending: Array<{
        index: number;
        run: GateRun;
        record: IncomingRecord;
        quarantined: boolean;
        enforcement: EnforcementMode;
      }> = [];
      const started = performance.now();
      const tally = new Map<string, number>();
      batch.forEach((item, index) => {
        if ('rejected' in item) {
          results[index] = {
            index,
            status: 'rejected',
            error: { code: item.rejected.code, message: item.rejected.message, retriable: false },
          };
          m.records.inc(LABELS.rejected);
          return;
        }
        const run = pipeline.run(item);
        // The parsed value only feeds a redacted sample. Dropped now, its object tree dies young
        // instead of living through two Kafka round trips and being promoted to the old space.
        if (run.dataset?.samplePayloads !== true) run.parsed = undefined;
        this.#count(run, tally);
        const enforcement: EnforcementMode = run.dataset?.enforcement ?? 'observe';
        const quarantined = enforcement === 'enforce' && run.result === 'FAIL';
        let target: SinkRecord = item;
        if (quarantined) {
          const reasons = run.reasonCodes.join(',');
          target = {
            ...item,
            topic: run.dataset?.quarantineTopic ?? `${item.topic}${this.#suffix}`,
            // A quarantined record keeps its partitioning key but not a forced partition.
            partition: undefined,
            headers: {
              ...item.headers,
              [HEADERS.reasonCodes]:
                reasons.length > MAX_REASON_HEADER
                  ? `${reasons.slice(0, MAX_REASON_HEADER)}…`
                  : reasons,
              [HEADERS.sourceTopic]: item.topic,
            },
          };
        }
        toSend.push(target);
        pending.push({ index, run, record: item, quarantined, enforcement });
      });
      m.gateLatency.observe((performance.now() - started) / 1000);
      this.#flushTally(tally);

      const written = await this.#o.sink.send(toSend);
      const kept: Evidence[] = [];
      const keptIndex: number[] = [];
      pending.forEach((p, i) => {
        const w = written[i];
        const base = { index: p.index, outcome: p.run.result, reasonCodes: p.run.reasonCodes };
        if (w === undefined || !w.ok) {
          results[p.index] = {
            ...base,
            status: 'error',
            error: {
              code: w?.code ?? SIDECAR_ERROR_CODES.PRODUCE_FAILED,
              message: w?.message ?? 'no result from sink',
              retriable: w?.retriable ?? true,
            },
          };
          m.records.inc(LABELS.error);
          return;
        }
        const coords = { topic: w.topic, partition: w.partition, offset: w.offset };
        const timestamp =
          p.record.timestamp === undefined ? this.#now() : Number(p.record.timestamp);
        const { evidence, keep } = this.#evidenceFor(
          p.run,
          p.record,
          coords,
          timestamp,
          p.enforcement,
          'sidecar',
        );
        if (keep) {
          kept.push(evidence);
          keptIndex.push(p.index);
        } else {
          m.evidence.inc(LABELS.sampledOut);
        }
        results[p.index] = {
          ...base,
          status: p.quarantined ? 'quarantined' : 'produced',
          topic: w.topic,
          partition: w.partition,
          offset: w.offset,
          evidenceId: evidence.evidence_id,
        };
        m.records.inc(p.quarantined ? LABELS.quarantined : LABELS.produced);
      });

      if (kept.length > 0) {
        try {
          await this.#o.publisher.publish(kept);
          m.evidence.inc({ status: 'published' }, kept.length);
        } catch (error) {
          m.evidence.inc({ status: 'failed' }, kept.length);
          this.#o.logger.error({ err: error }, 'evidence publish failed');
          // The records are written; resending would duplicate them. Say so; a tap consumer backfills evidence.
          for (const index of keptIndex) {
            const r = results[index] as ProduceResult;
            r.status = 'error';
            r.error = {
              code: SIDECAR_ERROR_CODES.EVIDENCE_FAILED,
              message: `record written to ${r.topic}[${r.partition}]@${r.offset} but its evidence could not be published`,
              retriable: false,
            };
          }
        }
      }
      return results;
    } finally {
      this.#inFlight -= batch.length;
    }
  }

  /**
   * Tap and replay: judge records already in Kafka, build (sampled) evidence and optionally
   * publish it. Returns every record's evidence (kept or not) with a `kept` flag.
   */
  async judge(
    records: readonly ConsumedRecord[],
    options: { source: 'tap' | 'replay'; pipeline?: GatePipeline; publish?: boolean },
  ): Promise<Array<{ evidence: Evidence; kept: boolean; run: GateRun }>> {
    const pipeline = options.pipeline ?? this.#o.pipeline();
    const out: Array<{ evidence: Evidence; kept: boolean; run: GateRun }> = [];
    const tally = new Map<string, number>();
    // a replay re-reads records the gates saw already: they are not repeats of themselves
    const runOptions = { trackRepeats: options.source !== 'replay' };
    for (const record of records) {
      const run = pipeline.run(record, runOptions);
      this.#count(run, tally);
      const header = record.headers[HEADERS.enforcement];
      const enforcement: EnforcementMode =
        header === 'bypassed'
          ? 'bypassed'
          : header === 'enforce'
            ? 'enforce'
            : (run.dataset?.enforcement ?? 'observe');
      const { evidence, keep } = this.#evidenceFor(
        run,
        record,
        {
          topic: record.storedTopic ?? record.topic,
          partition: record.partition,
          offset: record.offset,
        },
        record.timestamp,
        enforcement,
        options.source,
      );
      out.push({ evidence, kept: keep, run });
    }
    this.#flushTally(tally);
    this.#o.metrics.records.inc({ status: 'judged', source: options.source }, records.length);
    const kept = out.filter((o) => o.kept).map((o) => o.evidence);
    if (options.publish !== false && kept.length > 0) {
      await this.#o.publisher.publish(kept);
      this.#o.metrics.evidence.inc({ status: 'published' }, kept.length);
    }
    return out;
  }
}
