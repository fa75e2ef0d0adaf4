import type { Evidence } from '@signal-factory/core';

/** What `GET /v1/trust` answers for one dataset and window. */
export interface TrustReport {
  dataset: string;
  /** Window length in seconds. */
  windowSeconds: number;
  /** Weighted record count (sum of `sample_weight`). */
  records: number;
  /** Kept evidence records in the window. */
  samples: number;
  pass: number;
  warn: number;
  fail: number;
  /** (pass + warn) / records, or null with no data. */
  passRate: number | null;
  lastFailure: { at: string; reasonCodes: string[] } | null;
  /** `process` when passRate >= threshold, `quarantine` below, `unknown` with no data. */
  recommendation: 'process' | 'quarantine' | 'unknown';
}

interface Bucket {
  start: number;
  pass: number;
  warn: number;
  fail: number;
  samples: number;
}

/**
 * Per-dataset pass/warn/fail counts in 10-second buckets (retained 1 hour by default), fed with
 * evidence the sidecar emits or an evidence consumer reads. Bounded: at most `maxDatasets`.
 */
export class TrustTracker {
  readonly #datasets = new Map<
    string,
    { buckets: Bucket[]; lastFailure: { at: string; reasonCodes: string[] } | null }
  >();
  readonly #bucketMs: number;
  readonly #retentionMs: number;
  readonly #maxDatasets: number;
  readonly #threshold: number;
  readonly #now: () => number;

  constructor(
    options: {
      bucketMs?: number;
      retentionMs?: number;
      maxDatasets?: number;
      passRateThreshold?: number;
      /** Clock (epoch ms) for buckets and report windows. Default `Date.now`. */
      now?: () => number;
    } = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#bucketMs = options.bucketMs ?? 10_000;
    this.#retentionMs = options.retentionMs ?? 3_600_000;
    this.#maxDatasets = options.maxDatasets ?? 10_000;
    this.#threshold = options.passRateThreshold ?? 0.99;
  }

  observe(
    evidence: Pick<
      Evidence,
      'dataset_urn' | 'result' | 'sample_weight' | 'reason_codes' | 'processing_time'
    >,
    now = this.#now(),
  ): void {
    const urn = evidence.dataset_urn;
    if (urn === null) return;
    let entry = this.#datasets.get(urn);
    if (entry === undefined) {
      if (this.#datasets.size >= this.#maxDatasets) return;
      entry = { buckets: [], lastFailure: null };
      this.#datasets.set(urn, entry);
    }
    const start = now - (now % this.#bucketMs);
    let bucket = entry.buckets[entry.buckets.length - 1];
    if (bucket === undefined || bucket.start !== start) {
      bucket = { start, pass: 0, warn: 0, fail: 0, samples: 0 };
      entry.buckets.push(bucket);
      const oldest = now - this.#retentionMs;
      while (entry.buckets.length > 0 && (entry.buckets[0] as Bucket).start < oldest)
        entry.buckets.shift();
    }
    const weight = evidence.sample_weight;
    bucket.samples++;
    if (evidence.result === 'PASS') bucket.pass += weight;
    else if (evidence.result === 'WARN') bucket.warn += weight;
    else {
      bucket.fail += weight;
      entry.lastFailure = { at: evidence.processing_time, reasonCodes: [...evidence.reason_codes] };
    }
  }

  report(dataset: string, windowMs: number, now = this.#now()): TrustReport {
    const from = now - windowMs;
    let pass = 0;
    let warn = 0;
    let fail = 0;
    let samples = 0;
    const entry = this.#datasets.get(dataset);
    for (const b of entry?.buckets ?? []) {
      if (b.start + this.#bucketMs <= from) continue;
      pass += b.pass;
      warn += b.warn;
      fail += b.fail;
      samples += b.samples;
    }
    const records = pass + warn + fail;
    const passRate = records === 0 ? null : (pass + warn) / records;
    return {
      dataset,
      windowSeconds: Math.round(windowMs / 1000),
      records: Math.round(records * 1000) / 1000,
      samples,
      pass: Math.round(pass * 1000) / 1000,
      warn: Math.round(warn * 1000) / 1000,
      fail: Math.round(fail * 1000) / 1000,
      passRate: passRate === null ? null : Math.round(passRate * 10_000) / 10_000,
      lastFailure: entry?.lastFailure ?? null,
      recommendation:
        passRate === null ? 'unknown' : passRate >= this.#threshold ? 'process' : 'quarantine',
    };
  }
}

/** Parses `30s`, `5m`, `1h` (or plain seconds) into ms; undefined when invalid or over 1 h. */
export function parseWindow(
  text: string | null | undefined,
  maxMs = 3_600_000,
): number | undefined {
  if (text === null || text === undefined || text === '') return 300_000;
  const m = /^(\d{1,6})(s|m|h)?$/.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const ms = n * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000);
  return ms > 0 && ms <= maxMs ? ms : undefined;
}
