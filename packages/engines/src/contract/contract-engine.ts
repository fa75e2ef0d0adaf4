import {
  safeLogger,
  type Evidence,
  type JsonValue,
  type Logger as EnginesLogger,
  type SignalState,
  type SignalType,
} from '@signal-factory/core';
import type {
  DatasetContext,
  EngineStep,
  SignalEngine,
  Verdict,
  WindowBounds,
} from '../runtime/signal-engine';
import type { FailureSignatureUpdate } from '../signatures/failure-signature-sink';
import { recordFailure } from '../signatures/record-failure';
import { SignatureCache } from '../signatures/signature-cache';
import {
  addRecord,
  complianceOf,
  emptyAgg,
  judgeCounts,
  mergeAggs,
  OVERFLOW_KEY,
  topEntries,
  worstState,
  type ComplianceThresholds,
} from './compliance';
import {
  eventTimeMs,
  isObject,
  percent,
  pointerOf,
  producerOf,
  publicPointer,
  resultOf,
  round3,
  round4,
  weightOf,
  type StoredPointer,
} from './evidence-fields';
import {
  resolveContractOptions,
  type ContractEngineOptions,
  type ResolvedContractOptions,
} from './options';
import { dropStaleWindows } from './stale-windows';
import type { ContractEngineState, ContractWindowAgg, ProducerAgg, SignatureEntry } from './types';

const DEFAULT_COMPLIANCE_MIN = 0.95;
const MAX_CODES_PER_SIGNATURE = 20;
const MAX_VERSIONS_PER_SIGNATURE = 10;

function isState(value: unknown): value is ContractEngineState {
  return (
    isObject(value) &&
    value.v === 1 &&
    isObject(value.open) &&
    isObject(value.signatures) &&
    typeof value.skipped === 'number'
  );
}

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : round3(n).toLocaleString('en-US');
}

function producerName(p: { service: string; version?: string }): string {
  return p.version === undefined ? p.service : `${p.service}@${p.version}`;
}

/**
 * CONTRACT compliance engine (consumer group `signal_engines.contract`). Per dataset and window:
 * compliance = weighted compliant records / weighted records, overall and per producer
 * (service + version), judged against the dataset's `complianceMin` with a WARNING band and a
 * minimum-sample guard; failing records are deduplicated into failure signatures that are handed
 * to an optional `FailureSignatureSink` at window close (never per record).
 *
 * State is plain JSON. `observe` updates the given state object in place and returns it.
 */
export class ContractEngine implements SignalEngine<JsonValue> {
  readonly type: SignalType = 'CONTRACT';
  readonly group = 'contract';
  readonly id: string;
  readonly #options: ResolvedContractOptions;
  readonly #signatures = new SignatureCache();
  readonly #logger: EnginesLogger;
  #sinkFailures = 0;

  constructor(options: ContractEngineOptions = {}) {
    this.#options = resolveContractOptions(options);
    this.id = `contract@${this.#options.version}`;
    this.#logger = safeLogger(this.#options.logger);
  }

  /** Times the signature sink threw from `submit` (the updates are retried at the next refresh). */
  get sinkFailures(): number {
    return this.#sinkFailures;
  }

  initialState(_dataset?: DatasetContext): JsonValue {
    const state: ContractEngineState = {
      v: 1,
      open: {},
      current: 'OK',
      signatures: {},
      skipped: 0,
      skippedTotal: 0,
    };
    return state as unknown as JsonValue;
  }

  observe(
    state: JsonValue,
    evidence: Evidence,
    weight: number,
    window: WindowBounds,
    dataset: DatasetContext,
  ): JsonValue {
    const s = this.#state(state, dataset);
    try {
      this.#observe(s, evidence as unknown, weight, window, dataset);
    } catch (error) {
      // Bad input never throws out of the data path: count it and move on.
      s.skipped += 1;
      s.skippedTotal += 1;
      this.#logger.debug({ err: error, dataset: dataset?.urn }, 'contract engine skipped evidence');
    }
    return s as unknown as JsonValue;
  }

  closeWindow(
    state: JsonValue,
    window: WindowBounds,
    dataset: DatasetContext,
    now: number,
  ): EngineStep<JsonValue> {
    const s = this.#state(state, dataset);
    const verdict = this.#close(s, window, dataset, now);
    return { state: s as unknown as JsonValue, verdict };
  }

  #state(state: unknown, dataset: DatasetContext): ContractEngineState {
    return isState(state) ? state : (this.initialState(dataset) as unknown as ContractEngineState);
  }

  #observe(
    s: ContractEngineState,
    raw: unknown,
    weight: number,
    window: WindowBounds,
    dataset: DatasetContext,
  ): void {
    if (!isObject(raw)) {
      s.skipped += 1;
      s.skippedTotal += 1;
      return;
    }
    const result = resultOf(raw);
    const start =
      typeof window?.start === 'number' && Number.isFinite(window.start) ? window.start : undefined;
    if (result === undefined || start === undefined) {
      s.skipped += 1;
      s.skippedTotal += 1;
      return;
    }
    const w = weightOf(weight, raw);
    const ms = eventTimeMs(raw, start);
    const producer = producerOf(raw);
    const checked = contractJudged(raw.gates);
    let failCodes: readonly string[] = [];
    let signature: string | undefined;
    let judgedAs: 'PASS' | 'WARN' | 'FAIL' = result;
    let additive = false;
    if (result === 'FAIL') {
      const failure = recordFailure(raw, dataset?.urn, this.#signatures);
      const failedGates = failure.failedGates;
      failCodes = failure.codes;
      signature = failure.signature;
      if (signature !== undefined)
        this.#noteSignature(s, signature, failedGates, failCodes, ms, w, producer, window);
      if (
        this.#options.additiveFailures === 'warn' &&
        raw.enforcement !== 'enforce' &&
        failCodes.length > 0 &&
        failCodes.every((c) => c === 'UNKNOWN_FIELD' || c.startsWith('UNKNOWN_FIELD:'))
      ) {
        judgedAs = 'WARN';
        additive = true;
        failCodes = [];
        signature = undefined;
      }
    }
    const key = String(start);
    let agg = s.open[key];
    if (agg === undefined) {
      agg = emptyAgg(start);
      s.open[key] = agg;
    }
    let built: StoredPointer | undefined;
    addRecord(
      agg,
      {
        result: judgedAs,
        ...(additive ? { additive } : {}),
        ...(checked ? { checked } : {}),
        weight: w,
        producer,
        failCodes,
        ms,
        ...(signature === undefined ? {} : { signature }),
        pointer: () => (built ??= pointerOf(raw, ms)),
      },
      {
        maxProducers: this.#options.maxProducersPerWindow,
        maxReasons: this.#options.maxReasonCodesPerWindow,
        warnCountsAsPass: this.#options.warnCountsAsPass,
      },
    );
  }

  #noteSignature(
    s: ContractEngineState,
    id: string,
    failedGates: string[],
    codes: readonly string[],
    ms: number,
    w: number,
    producer: { service: string; version?: string },
    window: WindowBounds,
  ): void {
    const entry = s.signatures[id];
    if (entry === undefined) {
      s.signatures[id] = {
        failedGates,
        reasonCodes: codes.slice(0, MAX_CODES_PER_SIGNATURE),
        firstSeen: ms,
        lastSeen: ms,
        count: w,
        producer,
      };
      return;
    }
    entry.count += w;
    if (ms > entry.lastSeen) {
      // A new episode: the signature comes back after a quiet gap (rolled back, re-introduced),
      // or the failing records now come from another version of the same producer.
      const current = entry.episode?.producer ?? entry.producer;
      const windowMs = window.end - window.start;
      const gap =
        this.#options.signatureEpisodeGapMs ??
        (Number.isFinite(windowMs) && windowMs > 0 ? windowMs : 60_000);
      // Only a version never seen failing with this signature: two versions interleaving during a
      // rolling deploy do not start an episode per record.
      const seen = entry.versions ?? (current.version === undefined ? [] : [current.version]);
      const versionChanged =
        producer.version !== undefined &&
        current.version !== undefined &&
        producer.service === current.service &&
        producer.version !== current.version &&
        !seen.includes(producer.version);
      if (ms - entry.lastSeen >= gap || versionChanged) {
        entry.episode = { n: (entry.episode?.n ?? 1) + 1, start: ms, producer };
      }
      if (producer.version !== undefined && !seen.includes(producer.version)) {
        entry.versions = [...seen, producer.version].slice(-MAX_VERSIONS_PER_SIGNATURE);
      }
      entry.lastSeen = ms;
    }
    if (ms < entry.firstSeen) {
      entry.firstSeen = ms;
      entry.producer = producer;
    } else if (entry.episode !== undefined && ms < entry.episode.start && ms > entry.firstSeen) {
      // A late record of the current episode (event time between its start and the quiet gap).
      const gap = this.#options.signatureEpisodeGapMs ?? window.end - window.start;
      const ep = entry.episode.producer;
      if (
        entry.episode.start - ms < gap &&
        producer.service === ep.service &&
        producer.version === ep.version
      ) {
        entry.episode.start = ms;
        entry.episode.producer = producer;
      }
    }
  }

  #thresholds(dataset: DatasetContext): { t: ComplianceThresholds; defaulted: boolean } {
    const raw = dataset?.slo?.complianceMin;
    const valid = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= 1;
    const complianceMin = valid ? raw : DEFAULT_COMPLIANCE_MIN;
    return {
      t: {
        complianceMin,
        warningBelow: Math.min(1, complianceMin + this.#options.warningMargin),
        minRecords: this.#options.minRecords,
        warnCountsAsPass: this.#options.warnCountsAsPass,
      },
      defaulted: !valid,
    };
  }

  #close(
    s: ContractEngineState,
    window: WindowBounds,
    dataset: DatasetContext,
    now: number,
  ): Verdict {
    const o = this.#options;
    const key = String(window.start);
    const windowAgg = s.open[key] ?? emptyAgg(window.start);
    delete s.open[key];
    const stale = dropStaleWindows(s.open, window.start);
    const limits = { maxProducers: o.maxProducersPerWindow, maxReasons: o.maxReasonCodesPerWindow };
    const pooledBefore = s.pool;
    const judged =
      pooledBefore === undefined ? windowAgg : mergeAggs(pooledBefore, windowAgg, limits);
    delete s.pool;
    const skipped = s.skipped;
    s.skipped = 0;
    const { t, defaulted } = this.#thresholds(dataset);
    const previous = s.current;
    const lastGoodBefore = s.lastGood;
    if (
      windowAgg.lastGood !== undefined &&
      (s.lastGood === undefined || windowAgg.lastGood.ms > s.lastGood.ms)
    )
      s.lastGood = windowAgg.lastGood;
    this.#submitSignatures(s, dataset, now);
    let newSignatures = 0;
    for (const id of Object.keys(judged.signatures)) {
      const entry = s.signatures[id];
      if (entry !== undefined && entry.firstSeen >= judged.since) newSignatures += 1;
    }

    const baseMetrics: Record<string, number | string> = {
      compliance_min: t.complianceMin,
      warning_below: round4(t.warningBelow),
      min_records: t.minRecords,
      skipped_evidence: skipped,
      new_failure_signatures: newSignatures,
    };
    if (stale > 0) baseMetrics.stale_windows_dropped = stale;
    if (defaulted) baseMetrics.compliance_min_defaulted = 'true';

    if (!(judged.total > 0)) {
      // Nothing to judge (absence is the freshness engine's business): the state stands.
      return {
        state: previous,
        reason: `No evidence in this window; contract state stays ${previous}.`,
        metrics: { ...baseMetrics, records: 0, evidence_count: 0, windows_pooled: judged.windows },
        expected: { min: t.complianceMin, unit: 'ratio' },
        ...this.#pointers(s, previous),
        ...(defaulted ? { defaultsApplied: ['contract.compliance_min'] } : {}),
      };
    }

    const overall = judgeCounts(judged, t);
    const pooling = !overall.sufficient && judged.windows < o.maxPooledWindows;
    if (pooling) s.pool = judged;

    const producers = Object.values(judged.producers).filter((p) => p.total > 0);
    let state = overall.state;
    let failingProducer: { p: ProducerAgg; compliance: number; critical: boolean } | undefined;
    for (const p of producers) {
      const pj = judgeCounts(p, t);
      const critical = pj.state === 'CRITICAL';
      if (o.producerCompliance === 'judge' && p.service !== OVERFLOW_KEY)
        state = worstState(state, pj.state);
      if (
        p.failed > 0 &&
        (failingProducer === undefined ||
          (critical && !failingProducer.critical) ||
          (critical === failingProducer.critical && p.failed > failingProducer.p.failed))
      ) {
        failingProducer = { p, compliance: pj.compliance, critical };
      }
    }
    // Zero-tolerance codes (PII by default) page on the first failing record, whatever the ratio.
    const zeroTolerance = Object.entries(judged.reasons)
      .filter(([code, n]) => n > 0 && o.zeroToleranceReasonCodes.some((z) => code.startsWith(z)))
      .sort((a, b) => b[1] - a[1])[0];
    if (zeroTolerance !== undefined) state = 'CRITICAL';
    const recovering = state === 'OK' && previous === 'CRITICAL' && !overall.sufficient;
    if (recovering) state = 'WARNING';
    // The guard keeps a small sample from paging; it does not call a CRITICAL dataset that keeps
    // failing on little traffic better than it is.
    const stillCritical = overall.capped && previous === 'CRITICAL';
    if (stillCritical) state = 'CRITICAL';
    s.current = state;

    if (state === 'OK') {
      delete s.episode;
    } else if (s.episode === undefined) {
      const lastGood =
        judged.lastGoodBeforeBad ??
        (lastGoodBefore !== undefined &&
        (judged.firstBad === undefined || lastGoodBefore.ms < judged.firstBad.ms)
          ? lastGoodBefore
          : undefined);
      s.episode = {
        since: judged.since,
        ...(judged.firstBad === undefined ? {} : { firstBad: judged.firstBad }),
        ...(lastGood === undefined ? {} : { lastGood }),
      };
    } else if (s.episode.firstBad === undefined && judged.firstBad !== undefined) {
      s.episode.firstBad = judged.firstBad;
    }

    const topReasons = topEntries(judged.reasons, o.topReasonCodes);
    const signatureIds = topEntries(judged.signatures, o.maxSignatureIdsPerSignal).map(
      ([id]) => id,
    );
    const compliant = judged.passed + (t.warnCountsAsPass ? judged.warned : 0);
    const metrics: Record<string, number | string> = {
      ...baseMetrics,
      compliance: round4(overall.compliance),
      records: round3(judged.total),
      records_compliant: round3(compliant),
      records_passed: round3(judged.passed),
      records_warned: round3(judged.warned),
      records_additive_only: round3(judged.additive ?? 0),
      records_failed: round3(judged.failed),
      records_contract_checked: round3(judged.checked ?? 0),
      evidence_count: judged.evidence,
      failed_evidence_count: judged.failedEvidence,
      sample_sufficient: overall.sufficient ? 'true' : 'false',
      windows_pooled: judged.windows,
      producers: producers.length,
      failure_signatures: Object.keys(judged.signatures).length,
    };
    if (topReasons.length > 0) {
      metrics.top_reason_code = topReasons[0]?.[0] ?? '';
      metrics.top_reason_code_records = round3(topReasons[0]?.[1] ?? 0);
      metrics.reason_codes = topReasons.map(([c, n]) => `${c}=${round3(n)}`).join(';');
    }
    if (producers.length > 0) {
      // Per-producer compliance, largest producers first: `service@version=ratio(records);…`.
      metrics.producer_compliance = [...producers]
        .sort((a, b) => b.total - a.total)
        .slice(0, 5)
        .map(
          (p) =>
            `${producerName(p)}=${round4(complianceOf(p, t.warnCountsAsPass))}(${round3(p.total)})`,
        )
        .join(';');
    }
    if (failingProducer !== undefined) {
      metrics.failing_producer = producerName(failingProducer.p);
      metrics.failing_producer_compliance = round4(failingProducer.compliance);
      metrics.failing_producer_records = round3(failingProducer.p.total);
      metrics.failing_producer_failed = round3(failingProducer.p.failed);
    }

    const reason = this.#reason({
      state,
      overall,
      judged,
      t,
      pooling,
      recovering,
      stillCritical,
      previous,
      failingProducer,
      topReason: topReasons[0],
      zeroTolerance,
    });
    const verdict: Verdict = {
      state,
      reason,
      metrics,
      expected: { min: t.complianceMin, unit: 'ratio' },
      failure_signature_ids: signatureIds,
      ...this.#pointers(s, state),
    };
    if (defaulted) verdict.defaultsApplied = ['contract.compliance_min'];
    if (
      state !== 'OK' &&
      failingProducer !== undefined &&
      failingProducer.p.service !== OVERFLOW_KEY &&
      failingProducer.p.service !== 'unknown'
    ) {
      const p = failingProducer.p;
      verdict.producer =
        p.version === undefined
          ? { service: p.service }
          : { service: p.service, version: p.version };
    }
    if (judged.windows > 1) verdict.window = { start: judged.since, end: window.end };
    return verdict;
  }

  #pointers(s: ContractEngineState, state: SignalState): Pick<Verdict, 'first_bad' | 'last_good'> {
    if (state === 'OK' || s.episode === undefined) {
      const lastGood = publicPointer(s.lastGood);
      return lastGood === undefined ? {} : { last_good: lastGood };
    }
    const firstBad = publicPointer(s.episode.firstBad);
    const lastGood = publicPointer(s.episode.lastGood);
    return {
      ...(firstBad === undefined ? {} : { first_bad: firstBad }),
      ...(lastGood === undefined ? {} : { last_good: lastGood }),
    };
  }

  #reason(r: {
    state: SignalState;
    overall: { compliance: number; sufficient: boolean; capped: boolean };
    judged: ContractWindowAgg;
    t: ComplianceThresholds;
    pooling: boolean;
    recovering: boolean;
    stillCritical: boolean;
    previous: SignalState;
    failingProducer: { p: ProducerAgg; compliance: number; critical: boolean } | undefined;
    topReason: [string, number] | undefined;
    zeroTolerance?: [string, number] | undefined;
  }): string {
    const { overall, judged, t } = r;
    const head = `Contract compliance ${percent(overall.compliance)} of ${fmt(round3(judged.total))} records${
      judged.windows > 1 ? ` (${judged.windows} windows pooled)` : ''
    }${(judged.checked ?? 0) > 0 ? '' : ' (no contract verdicts: gate G4 did not run, so only the other gates count)'}`;
    const slo = `the SLO of ${percent(t.complianceMin)}`;
    const cause =
      r.failingProducer === undefined
        ? ''
        : `; failing records come from ${producerName(r.failingProducer.p)}${
            r.topReason === undefined
              ? ''
              : ` (top reason ${r.topReason[0]}, ${fmt(round3(r.topReason[1]))} records)`
          }`;
    if (r.zeroTolerance !== undefined) {
      const [code, n] = r.zeroTolerance;
      return `${head}; ${fmt(round3(n))} failing records carry ${code}, which has zero tolerance: CRITICAL whatever the compliance${cause}.`;
    }
    if (r.recovering) {
      return `${head} meets ${slo}, but only ${fmt(round3(judged.total))} records (minimum ${t.minRecords}) since the CRITICAL state: recovering, not yet OK.`;
    }
    if (r.stillCritical) {
      return `${head} is still below ${slo}; only ${fmt(round3(judged.total))} records (fewer than ${t.minRecords}), but the dataset was already CRITICAL${cause}.`;
    }
    if (overall.capped) {
      return `${head} is below ${slo}, but ${fmt(round3(judged.total))} records are fewer than the ${t.minRecords} needed to page: WARNING${
        r.pooling ? ', pooled with the next windows' : ''
      }${cause}.`;
    }
    if (overall.compliance < t.complianceMin) return `${head} is below ${slo}${cause}.`;
    const fp = r.failingProducer;
    if (r.state === 'CRITICAL' && fp !== undefined && fp.critical) {
      return `Producer ${producerName(fp.p)} is at ${percent(fp.compliance)} compliance over ${fmt(round3(fp.p.total))} records, below ${slo}, while the dataset overall is at ${percent(overall.compliance)}${
        r.topReason === undefined ? '' : ` (top reason ${r.topReason[0]})`
      }.`;
    }
    if (overall.compliance < t.warningBelow) {
      return `${head} is above ${slo} but below the warning level of ${percent(t.warningBelow)}${cause}.`;
    }
    if (r.state === 'WARNING' && fp !== undefined) {
      return `${head} meets ${slo}, but producer ${producerName(fp.p)} is at ${percent(fp.compliance)} over only ${fmt(round3(fp.p.total))} records (fewer than ${t.minRecords} to page).`;
    }
    const additive =
      (judged.additive ?? 0) > 0
        ? `; ${fmt(round3(judged.additive ?? 0))} records only add undeclared fields (UNKNOWN_FIELD, additive) and count as compliant`
        : '';
    return `${head} meets ${slo}${overall.sufficient ? '' : ` (small sample: minimum ${t.minRecords} records to page)`}${additive}.`;
  }

  #submitSignatures(s: ContractEngineState, dataset: DatasetContext, now: number): void {
    const entries = Object.entries(s.signatures);
    const max = this.#options.maxSignaturesPerDataset;
    if (entries.length > max) {
      entries.sort((a, b) => a[1].lastSeen - b[1].lastSeen);
      for (const [id] of entries.splice(0, entries.length - max)) delete s.signatures[id];
    }
    const sink = this.#options.signatureSink;
    if (sink === undefined) return;
    const updates: FailureSignatureUpdate[] = [];
    const touched: SignatureEntry[] = [];
    const refresh = this.#options.signatureRefreshMs;
    const nowMs = Number.isFinite(now) ? now : Date.now();
    for (const [hash, e] of entries) {
      const isNew = e.submittedAt === undefined;
      const newEpisode = e.episode !== undefined && e.episode.n !== (e.submittedEpisode ?? 1);
      if (
        !isNew &&
        !newEpisode &&
        (e.submittedCount === e.count || nowMs - (e.submittedAt as number) < refresh)
      )
        continue;
      updates.push({
        hash,
        datasetUrn: dataset?.urn ?? null,
        failedGates: [...e.failedGates],
        reasonCodes: [...e.reasonCodes],
        firstSeen: e.firstSeen,
        lastSeen: e.lastSeen,
        count: round3(e.count),
        producer: { ...e.producer },
        isNew,
        ...(e.episode === undefined
          ? {}
          : {
              episode: {
                n: e.episode.n,
                start: e.episode.start,
                producer: { ...e.episode.producer },
              },
            }),
      });
      touched.push(e);
    }
    if (updates.length === 0) return;
    try {
      sink.submit(updates);
      for (const e of touched) {
        e.submittedAt = nowMs;
        e.submittedCount = e.count;
        if (e.episode !== undefined) e.submittedEpisode = e.episode.n;
      }
    } catch (error) {
      this.#sinkFailures += 1;
      this.#logger.warn(
        { err: error, dataset: dataset?.urn },
        'failure signature sink threw; will retry',
      );
    }
  }
}

/** Whether gate G4 ran (PASS or FAIL) on a record; allocation-free (called per record). */
function contractJudged(gates: unknown): boolean {
  if (!Array.isArray(gates)) return false;
  for (const g of gates as unknown[]) {
    if (typeof g !== 'object' || g === null) continue;
    const { gate, result } = g as { gate?: unknown; result?: unknown };
    if (gate === 'G4') return result === 'PASS' || result === 'FAIL';
  }
  return false;
}

/** Creates the CONTRACT compliance engine (see `ContractEngine`). */
export function createContractEngine(options: ContractEngineOptions = {}): ContractEngine {
  return new ContractEngine(options);
}
