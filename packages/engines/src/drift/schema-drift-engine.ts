import {
  createShapeFingerprinter,
  safeLogger,
  shapeOf,
  type Evidence,
  type JsonValue,
  type Logger as EnginesLogger,
  type ShapeFingerprinter,
  type SignalState,
  type SignalType,
} from '@signal-factory/core';
import { dropStaleWindows } from '../contract/stale-windows';
import {
  eventTimeMs,
  gatesOf,
  isObject,
  pointerOf,
  producerOf,
  publicPointer,
  reasonCodesOf,
  round3,
  weightOf,
  type GateView,
} from '../contract/evidence-fields';
import type {
  DatasetContext,
  EngineStep,
  SignalEngine,
  Verdict,
  WindowBounds,
} from '../runtime/signal-engine';
import {
  resolveDriftOptions,
  type ResolvedDriftOptions,
  type SchemaDriftEngineOptions,
} from './options';
import {
  bareCode,
  BREAKING_CODES,
  classify,
  deltaOf,
  mergeAddedEntries,
  mergeShape,
  nullOnlyCodes,
  type Classification,
} from './shape-baseline';
import { recordFailure } from '../signatures/record-failure';
import { SignatureCache } from '../signatures/signature-cache';
import type {
  DriftCandidate,
  DriftCounters,
  DriftEngineState,
  DriftKind,
  DriftWindowAgg,
} from './types';

const FINGERPRINT = /^sha256:[0-9a-f]{64}$/;
const MAX_CODES = 10;
const MAX_SIGNATURES = 5;
const MAX_BASELINE_CODES = 64;
const MAX_SAMPLE_TRIES = 3;
const KIND_RANK: Record<DriftKind, number> = { additive: 0, unknown: 1, breaking: 2 };

function isState(value: unknown): value is DriftEngineState {
  return (
    isObject(value) &&
    value.v === 1 &&
    isObject(value.baseline) &&
    isObject(value.candidates) &&
    isObject(value.open) &&
    isObject(value.shape)
  );
}

const zeroCounters = (): DriftCounters => ({
  n: 0,
  w: 0,
  flagged: 0,
  checked: 0,
  breaking: 0,
  unknownField: 0,
});

interface RecordFacts {
  w: number;
  flagged: boolean;
  checked: boolean;
  newBreaking: string[];
  newUnknown: string[];
}

/**
 * SCHEMA_DRIFT engine (consumer group `signal_engines.drift`). Tracks the shape fingerprints of a
 * dataset against a baseline (registered fingerprints when `expectedFingerprints` knows them,
 * otherwise learned from the first records), and classifies each new shape as additive (never
 * CRITICAL), breaking (CRITICAL) or unknown (WARNING) from the evidence's contract reason codes
 * and, when the evidence carries a record sample, from the shape difference. Verdicts carry the
 * last good and first bad records with their fingerprints and times.
 *
 * State is plain JSON. `observe` updates the given state object in place and returns it.
 */
export class SchemaDriftEngine implements SignalEngine<JsonValue> {
  readonly type: SignalType = 'SCHEMA_DRIFT';
  readonly group = 'drift';
  readonly id: string;
  readonly #o: ResolvedDriftOptions;
  readonly #fingerprinter: ShapeFingerprinter = createShapeFingerprinter({ cacheSize: 1_000 });
  readonly #logger: EnginesLogger;
  readonly #signatures = new SignatureCache(1_000);

  constructor(options: SchemaDriftEngineOptions = {}) {
    this.#o = resolveDriftOptions(options);
    this.id = `schema-drift@${this.#o.version}`;
    this.#logger = safeLogger(this.#o.logger);
  }

  initialState(dataset?: DatasetContext): JsonValue {
    const state: DriftEngineState = {
      v: 1,
      learning: true,
      learnedWeight: 0,
      baseline: {},
      shape: {},
      required: [],
      shaped: {},
      shapeVersion: 0,
      shapeOverflow: false,
      baselineCodes: [],
      candidates: {},
      open: {},
      current: 'OK',
      skipped: 0,
      skippedTotal: 0,
    };
    this.#refreshExpected(state, dataset);
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
      this.#observe(s, evidence as unknown, weight, window);
    } catch (error) {
      s.skipped += 1;
      s.skippedTotal += 1;
      this.#logger.debug(
        { err: error, dataset: dataset?.urn },
        'schema drift engine skipped evidence',
      );
    }
    return s as unknown as JsonValue;
  }

  closeWindow(
    state: JsonValue,
    window: WindowBounds,
    dataset: DatasetContext,
    _now: number,
  ): EngineStep<JsonValue> {
    const s = this.#state(state, dataset);
    const verdict = this.#close(s, window, dataset);
    return { state: s as unknown as JsonValue, verdict };
  }

  #state(state: unknown, dataset: DatasetContext | undefined): DriftEngineState {
    return isState(state) ? state : (this.initialState(dataset) as unknown as DriftEngineState);
  }

  #refreshExpected(s: DriftEngineState, dataset: DatasetContext | undefined): void {
    const source = this.#o.expectedFingerprints;
    if (source === undefined || typeof dataset?.urn !== 'string') return;
    let list: Iterable<string> | undefined;
    try {
      list = source(dataset.urn);
    } catch (error) {
      this.#logger.warn(
        { err: error, dataset: dataset.urn },
        'expectedFingerprints threw; keeping the last list',
      );
      return;
    }
    const expected: Record<string, number> = {};
    let count = 0;
    for (const fp of list ?? []) {
      if (typeof fp !== 'string' || !FINGERPRINT.test(fp)) continue;
      expected[fp] = 1;
      if (++count >= 1_000) break;
    }
    if (count === 0) {
      delete s.expected;
      return;
    }
    // The registry is authoritative: a baseline learned before its list was known is dropped.
    if (s.expected === undefined) s.baseline = {};
    s.expected = expected;
    s.learning = false;
    for (const fp of Object.keys(expected)) delete s.candidates[fp];
  }

  #isBaseline(s: DriftEngineState, fp: string): boolean {
    return (
      s.baseline[fp] !== undefined || (s.expected !== undefined && s.expected[fp] !== undefined)
    );
  }

  #observe(s: DriftEngineState, raw: unknown, weight: number, window: WindowBounds): void {
    const start =
      typeof window?.start === 'number' && Number.isFinite(window.start) ? window.start : undefined;
    if (!isObject(raw) || start === undefined) {
      s.skipped += 1;
      s.skippedTotal += 1;
      return;
    }
    const w = weightOf(weight, raw);
    const key = String(start);
    let agg = s.open[key];
    if (agg === undefined) {
      agg = { evidence: 0, weight: 0, baselineWeight: 0, noFingerprint: 0, fingerprints: {} };
      s.open[key] = agg;
    }
    agg.evidence += 1;
    agg.weight += w;
    const fp = raw.schema_fingerprint;
    if (typeof fp !== 'string' || !FINGERPRINT.test(fp)) {
      // No shape was taken (unparseable value, too large, bypassed SDK): nothing to compare.
      agg.noFingerprint += 1;
      return;
    }
    const ms = eventTimeMs(raw, start);
    if (s.learning) {
      if (s.learnFrom === undefined) {
        s.learnFrom = start;
        s.learnWindowMs = Math.max(1, window.end - start);
      }
      this.#maybeEndLearning(s, ms);
    }
    const gates = gatesOf(raw);
    const facts = this.#facts(s, raw, gates, w);
    const candidate = s.candidates[fp];
    // While learning, G3's SCHEMA_DRIFT flag is weak evidence (a sidecar without registered
    // fingerprints flags every shape it has not seen itself): only new structural contract
    // failures keep a shape out of the baseline then.
    if (
      candidate === undefined &&
      (this.#isBaseline(s, fp) ||
        (s.learning && (!facts.flagged || facts.newBreaking.length === 0)))
    ) {
      this.#observeBaseline(s, agg, raw, gates, fp, ms, w);
      return;
    }
    this.#observeCandidate(s, agg, raw, fp, ms, facts, candidate, window.end - start);
  }

  /**
   * Learning lasts, in event time, through the first window with evidence and until
   * `learnMinRecords` baseline records were seen, at most `learnMaxWindows` windows. Event time,
   * not window closes, so a backlog consumed in one go (catch-up, replay) learns only from its start.
   */
  #maybeEndLearning(s: DriftEngineState, time: number): void {
    if (!s.learning || s.learnFrom === undefined) return;
    const length = s.learnWindowMs ?? 1;
    if (
      (time >= s.learnFrom + length && s.learnedWeight >= this.#o.learnMinRecords) ||
      time >= s.learnFrom + this.#o.learnMaxWindows * length
    ) {
      s.learning = false;
    }
  }

  #facts(
    s: DriftEngineState,
    raw: Record<string, unknown>,
    gates: readonly GateView[],
    w: number,
  ): RecordFacts {
    let flagged = false;
    let checked = false;
    let contractCodes: readonly string[] | undefined;
    for (const g of gates) {
      if (g.gate === 'G3' && g.codes.includes('SCHEMA_DRIFT')) flagged = true;
      if (g.gate === 'G4') {
        if (g.result === 'PASS' || g.result === 'FAIL') checked = true;
        contractCodes = g.codes;
      }
    }
    const codes = contractCodes ?? (gates.length === 0 ? reasonCodesOf(raw) : []);
    if (gates.length === 0 && codes.includes('SCHEMA_DRIFT')) flagged = true;
    const newBreaking: string[] = [];
    const newUnknown: string[] = [];
    for (const code of codes) {
      const bare = bareCode(code);
      if (BREAKING_CODES.has(bare)) {
        if (!s.baselineCodes.includes(code)) newBreaking.push(code);
      } else if (bare === 'UNKNOWN_FIELD' && !s.baselineCodes.includes(code)) {
        newUnknown.push(code);
      }
    }
    return { w, flagged, checked, newBreaking, newUnknown };
  }

  #observeBaseline(
    s: DriftEngineState,
    agg: DriftWindowAgg,
    raw: Record<string, unknown>,
    gates: readonly GateView[],
    fp: string,
    ms: number,
    w: number,
  ): void {
    agg.baselineWeight += w;
    if (s.learning) s.learnedWeight += w;
    if (s.baseline[fp] === undefined && (s.expected === undefined || s.expected[fp] === undefined))
      s.baseline[fp] = ms;
    if (s.lastGood === undefined || ms >= s.lastGood.ms) s.lastGood = pointerOf(raw, ms);
    // Contract codes that baseline-shaped records already carry are not drift.
    const g4 = gates.find((g) => g.gate === 'G4');
    const codes = g4?.codes ?? (gates.length === 0 ? reasonCodesOf(raw) : []);
    for (const code of codes) {
      const bare = bareCode(code);
      if (
        (BREAKING_CODES.has(bare) || bare === 'UNKNOWN_FIELD') &&
        !s.baselineCodes.includes(code)
      ) {
        if (s.baselineCodes.length < MAX_BASELINE_CODES) s.baselineCodes.push(code);
      }
    }
    if (s.shaped[fp] === undefined && !s.shapeOverflow && isObject(raw.sample))
      this.#learnShape(s, raw.sample, fp);
  }

  #learnShape(s: DriftEngineState, sample: Record<string, unknown>, fp: string): void {
    if (this.#fingerprinter.fingerprint(sample) !== fp) return; // redacted or partial sample
    const merged = mergeShape(
      s.shape,
      Object.keys(s.shaped).length === 0 ? undefined : s.required,
      shapeOf(sample),
      this.#o.maxShapePaths,
    );
    if (!merged.ok) {
      s.shapeOverflow = true;
      s.shape = {};
      s.required = [];
      for (const c of Object.values(s.candidates)) delete c.delta;
      return;
    }
    s.required = merged.required;
    s.shaped[fp] = 1;
    // The baseline changed: candidates recompute their delta from their next sample (the old
    // delta is kept until then).
    s.shapeVersion = (s.shapeVersion ?? 0) + 1;
  }

  #observeCandidate(
    s: DriftEngineState,
    agg: DriftWindowAgg,
    raw: Record<string, unknown>,
    fp: string,
    ms: number,
    facts: RecordFacts,
    existing: DriftCandidate | undefined,
    windowMs: number,
  ): void {
    let c = existing;
    if (c === undefined) {
      const lastGood = s.lastGood !== undefined && s.lastGood.ms <= ms ? s.lastGood : undefined;
      c = {
        ...zeroCounters(),
        firstSeen: ms,
        lastSeen: ms,
        firstBad: pointerOf(raw, ms),
        ...(lastGood === undefined ? {} : { lastGood }),
        producer: producerOf(raw),
        breakingCodes: [],
        unknownFieldCodes: [],
        sampleTries: 0,
        kind: 'unknown',
      };
      s.candidates[fp] = c;
    } else {
      if (ms > c.lastSeen) {
        // The shape comes back after at least a window without it (rolled back, re-introduced by
        // a later version): first bad / last good / producer describe this episode, so the
        // signal points at the re-introduction, not at the first time the shape was ever seen.
        // `firstSeen` stays (its age decides acceptance).
        const gap = Number.isFinite(windowMs) && windowMs > 0 ? windowMs : 60_000;
        if (ms - c.lastSeen >= gap) {
          c.firstBad = pointerOf(raw, ms);
          c.producer = producerOf(raw);
          const lastGood = s.lastGood !== undefined && s.lastGood.ms <= ms ? s.lastGood : undefined;
          if (lastGood === undefined) delete c.lastGood;
          else c.lastGood = lastGood;
        }
        c.lastSeen = ms;
      }
      if (ms < c.firstSeen) {
        c.firstSeen = ms;
        c.firstBad = pointerOf(raw, ms);
        c.producer = producerOf(raw);
        if (c.lastGood !== undefined && c.lastGood.ms > ms) delete c.lastGood;
      }
    }
    let wc = agg.fingerprints[fp];
    if (wc === undefined) {
      wc = zeroCounters();
      agg.fingerprints[fp] = wc;
    }
    for (const counters of [c, wc]) {
      counters.n += 1;
      counters.w += facts.w;
      if (facts.flagged) counters.flagged += 1;
      if (facts.checked) counters.checked += 1;
      if (facts.newBreaking.length > 0) counters.breaking += 1;
      if (facts.newUnknown.length > 0) counters.unknownField += 1;
    }
    for (const code of facts.newBreaking)
      if (c.breakingCodes.length < MAX_CODES && !c.breakingCodes.includes(code))
        c.breakingCodes.push(code);
    for (const code of facts.newUnknown)
      if (c.unknownFieldCodes.length < MAX_CODES && !c.unknownFieldCodes.includes(code))
        c.unknownFieldCodes.push(code);
    if (facts.newBreaking.length > 0 && raw.result === 'FAIL') {
      const signatures = (c.signatures ??= []);
      if (signatures.length < MAX_SIGNATURES) {
        const id = recordFailure(raw, undefined, this.#signatures).signature;
        if (id !== undefined && !signatures.includes(id)) signatures.push(id);
      }
    }
    const version = s.shapeVersion ?? 0;
    if (c.deltaVersion !== undefined && c.deltaVersion !== version && c.deltaVersion !== -1) {
      // The baseline shape changed since this delta: try fresh samples (-1 = stale, retrying).
      c.deltaVersion = -1;
      c.sampleTries = 0;
    }
    if (
      c.deltaVersion !== version &&
      c.sampleTries < MAX_SAMPLE_TRIES &&
      !s.shapeOverflow &&
      Object.keys(s.shaped).length > 0 &&
      isObject(raw.sample)
    ) {
      c.sampleTries += 1;
      if (this.#fingerprinter.fingerprint(raw.sample) === fp) {
        const { empty, ...delta } = deltaOf(s.shape, s.required, shapeOf(raw.sample));
        if (empty && c.breaking === 0) {
          // Only known fields with known types (another mix of optional fields): not drift.
          agg.baselineWeight += wc.w;
          delete agg.fingerprints[fp];
          delete s.candidates[fp];
          s.baseline[fp] = ms;
          return;
        }
        c.delta = delta;
        c.deltaVersion = version;
      }
    }
  }

  #promote(s: DriftEngineState, fp: string, at: number): void {
    const c = s.candidates[fp];
    if (c?.delta !== undefined && !s.shapeOverflow) mergeAddedEntries(s.shape, c.delta.added);
    delete s.candidates[fp];
    s.baseline[fp] = at;
  }

  #prune(s: DriftEngineState, now: number): void {
    const o = this.#o;
    const candidates = Object.entries(s.candidates);
    for (const [fp, c] of candidates)
      if (now - c.lastSeen > o.candidateTtlMs) delete s.candidates[fp];
    const left = Object.entries(s.candidates);
    if (left.length > o.maxCandidates) {
      left.sort((a, b) => a[1].lastSeen - b[1].lastSeen);
      for (const [fp] of left.slice(0, left.length - o.maxCandidates)) delete s.candidates[fp];
    }
    const baseline = Object.entries(s.baseline);
    if (baseline.length > o.maxBaseline) {
      baseline.sort((a, b) => a[1] - b[1]);
      for (const [fp] of baseline.slice(0, baseline.length - o.maxBaseline)) {
        delete s.baseline[fp];
        delete s.shaped[fp];
      }
    }
  }

  #close(s: DriftEngineState, window: WindowBounds, dataset: DatasetContext): Verdict {
    const o = this.#o;
    const key = String(window.start);
    const agg: DriftWindowAgg = s.open[key] ?? {
      evidence: 0,
      weight: 0,
      baselineWeight: 0,
      noFingerprint: 0,
      fingerprints: {},
    };
    delete s.open[key];
    const stale = dropStaleWindows(s.open, window.start);
    const skipped = s.skipped;
    s.skipped = 0;
    this.#refreshExpected(s, dataset);
    const wasLearning = s.learning;
    if (s.learning) this.#maybeEndLearning(s, window.end);

    interface Judged {
      fp: string;
      c: DriftCandidate;
      kind: DriftKind;
      by: Classification['by'];
      w: number;
      accepted: boolean;
    }
    const judged: Judged[] = [];
    let removedWeight = 0;
    for (const [fp, wc] of Object.entries(agg.fingerprints)) {
      const delta = s.candidates[fp]?.delta;
      if (delta !== undefined && delta.removed.length > 0) removedWeight += wc.w;
    }
    const removedShare = agg.weight > 0 ? removedWeight / agg.weight : 0;
    let nullOnlyWeight = 0;
    for (const [fp, wc] of Object.entries(agg.fingerprints)) {
      const c = s.candidates[fp];
      if (c !== undefined && wc.breaking > 0 && nullOnlyCodes(c.breakingCodes))
        nullOnlyWeight += wc.w;
    }
    const nullShare = agg.weight > 0 ? nullOnlyWeight / agg.weight : 0;
    const nullTolerance = 1 - dataset.slo.complianceMin;
    for (const [fp, wc] of Object.entries(agg.fingerprints)) {
      const c = s.candidates[fp];
      if (c === undefined) continue; // promoted or evicted meanwhile
      if (s.expected?.[fp] !== undefined) continue;
      const { kind, by } = classify(wc, c.delta, removedShare, undefined, {
        only: nullOnlyCodes(c.breakingCodes),
        share: nullShare,
        tolerance: nullTolerance,
      });
      c.kind = kind;
      const age = window.end - c.firstSeen;
      const accepted =
        (kind === 'additive' && age >= o.acceptAdditiveAfterMs) ||
        (kind === 'unknown' && age >= o.acceptUnknownAfterMs);
      judged.push({ fp, c, kind, by, w: wc.w, accepted });
    }
    judged.sort(
      (a, b) => KIND_RANK[b.kind] - KIND_RANK[a.kind] || b.w - a.w || (a.fp < b.fp ? -1 : 1),
    );
    const active = judged.filter((j) => !j.accepted);
    for (const j of judged) if (j.accepted) this.#promote(s, j.fp, window.end);
    this.#prune(s, window.end);

    const previous = s.current;
    const driftWeight = active.reduce((sum, j) => sum + j.w, 0);
    const worst = active[0];
    let state: SignalState;
    if (worst === undefined) {
      state = agg.evidence === 0 ? previous : 'OK';
    } else if (worst.kind === 'breaking') {
      state = worst.c.w >= o.minBreakingRecords ? 'CRITICAL' : 'WARNING';
    } else if (worst.kind === 'unknown') {
      state = 'WARNING';
    } else {
      state = o.additiveState;
    }
    s.current = state;

    const metrics: Record<string, number | string> = {
      records: round3(agg.weight),
      evidence_count: agg.evidence,
      baseline_records: round3(agg.baselineWeight),
      drift_records: round3(driftWeight),
      drifted_fingerprints: active.length,
      accepted_fingerprints: judged.length - active.length,
      baseline_fingerprints: Object.keys(s.baseline).length + Object.keys(s.expected ?? {}).length,
      baseline_source: s.expected !== undefined ? 'registered' : 'learned',
      learning: wasLearning ? 'true' : 'false',
      evidence_without_fingerprint: agg.noFingerprint,
      skipped_evidence: skipped,
      min_breaking_records: o.minBreakingRecords,
    };
    if (stale > 0) metrics.stale_windows_dropped = stale;
    const verdict: Verdict = { state, reason: '', metrics };
    const expectedList = Object.keys(s.expected ?? s.baseline).slice(0, 5);
    if (expectedList.length > 0) verdict.expected = { values: expectedList };

    if (worst === undefined) {
      const lastGood = publicPointer(s.lastGood);
      if (lastGood !== undefined) verdict.last_good = lastGood;
      verdict.reason =
        agg.evidence === 0
          ? `No evidence in this window; schema drift state stays ${previous}.`
          : judged.length > 0
            ? `All records match the baseline shapes; ${judged.length} compatible shape(s) seen long enough joined the baseline.`
            : wasLearning
              ? `Learning the baseline shapes (${round3(s.learnedWeight)} records so far); no drift.`
              : 'All records match the baseline shapes.';
      return verdict;
    }

    const c = worst.c;
    metrics.drift_kind = worst.kind;
    metrics.classified_by = worst.by;
    metrics.first_bad_fingerprint = worst.fp;
    metrics.first_bad_time = c.firstBad.time;
    metrics.drift_fingerprint_records = round3(c.w);
    if (c.lastGood?.fingerprint !== undefined)
      metrics.last_good_fingerprint = c.lastGood.fingerprint;
    if (c.lastGood !== undefined) metrics.last_good_time = c.lastGood.time;
    if (c.delta !== undefined) {
      if (c.delta.added.length > 0) metrics.added_fields = c.delta.added.join(',');
      if (c.delta.removed.length > 0) metrics.removed_fields = c.delta.removed.join(',');
      if (c.delta.retyped.length > 0) metrics.retyped_fields = c.delta.retyped.join(',');
    }
    if (c.breakingCodes.length > 0) metrics.breaking_reason_codes = c.breakingCodes.join(',');
    if (c.unknownFieldCodes.length > 0) metrics.unknown_field_codes = c.unknownFieldCodes.join(',');
    const kinds = new Set(active.map((j) => j.kind));
    metrics.drift_kinds = [...kinds].sort().join(',');

    const firstBad = publicPointer(c.firstBad);
    const lastGood = publicPointer(c.lastGood);
    if (firstBad !== undefined) verdict.first_bad = firstBad;
    if (lastGood !== undefined) verdict.last_good = lastGood;
    if (c.producer.service !== 'unknown') verdict.producer = { ...c.producer };
    if (worst.kind === 'breaking') {
      // the failing records' signatures: the incident links them as the cause (and joins the
      // contract engine's signal for the same records)
      const ids = new Set<string>();
      for (const j of active)
        if (j.kind === 'breaking') for (const id of j.c.signatures ?? []) ids.add(id);
      if (ids.size > 0) verdict.failure_signature_ids = [...ids].slice(0, MAX_SIGNATURES * 2);
    }
    verdict.reason = this.#reason(
      worst.kind,
      worst.fp,
      c,
      state,
      active.length,
      o.minBreakingRecords,
    );
    return verdict;
  }

  #reason(
    kind: DriftKind,
    fp: string,
    c: DriftCandidate,
    state: SignalState,
    count: number,
    minBreaking: number,
  ): string {
    const short = fp.slice(0, 19);
    const since = `first seen ${c.firstBad.time}${c.lastGood === undefined ? '' : `, last good record ${c.lastGood.time}`}`;
    const from =
      c.producer.service === 'unknown'
        ? ''
        : ` from ${c.producer.service}${c.producer.version === undefined ? '' : `@${c.producer.version}`}`;
    const more = count > 1 ? ` (${count} new shapes in this window)` : '';
    const detail: string[] = [];
    if (c.breakingCodes.length > 0)
      detail.push(`contract codes ${c.breakingCodes.slice(0, 3).join(', ')}`);
    if (c.delta?.removed.length) detail.push(`removed ${c.delta.removed.slice(0, 3).join(', ')}`);
    if (c.delta?.retyped.length) detail.push(`retyped ${c.delta.retyped.slice(0, 3).join(', ')}`);
    if (c.delta?.added.length) detail.push(`added ${c.delta.added.slice(0, 3).join(', ')}`);
    if (c.unknownFieldCodes.length > 0 && c.delta === undefined)
      detail.push(`undeclared ${c.unknownFieldCodes.slice(0, 3).join(', ')}`);
    const why = detail.length > 0 ? `: ${detail.join('; ')}` : '';
    if (kind === 'breaking') {
      const guard =
        state === 'CRITICAL'
          ? ''
          : ` Only ${round3(c.w)} records so far (CRITICAL from ${minBreaking}).`;
      return `Breaking schema drift${from}: shape ${short}… ${since}${why}${more}.${guard}`;
    }
    if (kind === 'unknown') {
      return `Schema drift of unknown impact${from}: shape ${short}… ${since}${why || ' (no contract verdict and no record sample to compare)'}${more}.`;
    }
    return `Additive schema drift${from}: shape ${short}… ${since}${why}${more}; compatible, not paging.`;
  }
}

/** Creates the SCHEMA_DRIFT engine (see `SchemaDriftEngine`). */
export function createSchemaDriftEngine(options: SchemaDriftEngineOptions = {}): SchemaDriftEngine {
  return new SchemaDriftEngine(options);
}
