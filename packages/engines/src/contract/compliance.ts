import type { SignalState } from '@signal-factory/core';
import type { StoredPointer } from './evidence-fields';
import type { ComplianceCounts, ContractWindowAgg } from './types';

/** Key under which producers or reason codes beyond the caps are counted. */
export const OVERFLOW_KEY = '~other';

/** Thresholds one compliance judgement uses. */
export interface ComplianceThresholds {
  /** Below this: CRITICAL (when the sample is sufficient). */
  complianceMin: number;
  /** Below this (and at or above `complianceMin`): WARNING. */
  warningBelow: number;
  /** Weighted records needed before a CRITICAL verdict; fewer caps the state at WARNING. */
  minRecords: number;
  /** Whether WARN records count as compliant. */
  warnCountsAsPass: boolean;
}

/** The outcome of judging one set of counts. */
export interface ComplianceJudgement {
  state: SignalState;
  /** Compliant weight / total weight; 1 when there is nothing to judge. */
  compliance: number;
  /** `total >= minRecords`. */
  sufficient: boolean;
  /** The counts alone were CRITICAL but the sample was too small: reported as WARNING. */
  capped: boolean;
}

/** Compliant weight of some counts. */
export function compliantWeight(counts: ComplianceCounts, warnCountsAsPass: boolean): number {
  return counts.passed + (warnCountsAsPass ? counts.warned : 0);
}

/** Weighted compliance in [0, 1]; 1 for an empty set. */
export function complianceOf(counts: ComplianceCounts, warnCountsAsPass: boolean): number {
  if (!(counts.total > 0)) return 1;
  const ratio = compliantWeight(counts, warnCountsAsPass) / counts.total;
  return ratio < 0 ? 0 : ratio > 1 ? 1 : ratio;
}

/** Judges weighted counts against the thresholds, with the minimum-sample guard. */
export function judgeCounts(
  counts: ComplianceCounts,
  thresholds: ComplianceThresholds,
): ComplianceJudgement {
  const compliance = complianceOf(counts, thresholds.warnCountsAsPass);
  const sufficient = counts.total >= thresholds.minRecords;
  if (!(counts.total > 0)) return { state: 'OK', compliance, sufficient, capped: false };
  let state: SignalState =
    compliance < thresholds.complianceMin
      ? 'CRITICAL'
      : compliance < thresholds.warningBelow
        ? 'WARNING'
        : 'OK';
  let capped = false;
  if (state === 'CRITICAL' && !sufficient) {
    state = 'WARNING';
    capped = true;
  }
  return { state, compliance, sufficient, capped };
}

const RANK: Record<SignalState, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

/** The more severe of two states. */
export function worstState(a: SignalState, b: SignalState): SignalState {
  return RANK[b] > RANK[a] ? b : a;
}

/** An empty window aggregate. */
export function emptyAgg(since: number): ContractWindowAgg {
  return {
    total: 0,
    passed: 0,
    warned: 0,
    failed: 0,
    evidence: 0,
    failedEvidence: 0,
    producers: {},
    reasons: {},
    signatures: {},
    windows: 1,
    since,
  };
}

/** Key of a producer in the aggregate: `service@version` (or `service@` without version). */
export function producerKey(producer: { service: string; version?: string }): string {
  return `${producer.service}@${producer.version ?? ''}`;
}

/** One judged record, as added to an aggregate. */
export interface RecordFacts {
  result: 'PASS' | 'WARN' | 'FAIL';
  weight: number;
  producer: { service: string; version?: string };
  /** Reason codes of the failing gates (only for FAIL). */
  failCodes: readonly string[];
  /** Failure signature id (only for FAIL). */
  signature?: string;
  /** Gate G4 ran on the record (PASS or FAIL). */
  checked?: boolean;
  /** A FAIL demoted to WARN because it only adds undeclared fields (counted in `additive`). */
  additive?: boolean;
  /** Lazily built pointer (only built when the record becomes a first-bad or last-good candidate). */
  pointer: () => StoredPointer;
  ms: number;
}

/** Limits applied while aggregating. */
export interface AggLimits {
  maxProducers: number;
  maxReasons: number;
  warnCountsAsPass: boolean;
}

/** Adds one record to an aggregate, in place. */
export function addRecord(agg: ContractWindowAgg, facts: RecordFacts, limits: AggLimits): void {
  const w = facts.weight;
  agg.total += w;
  agg.evidence += 1;
  if (facts.checked === true) agg.checked = (agg.checked ?? 0) + w;
  let key = producerKey(facts.producer);
  let producer = agg.producers[key];
  if (producer === undefined) {
    if (Object.keys(agg.producers).length >= limits.maxProducers) {
      key = OVERFLOW_KEY;
      producer = agg.producers[key];
    }
    if (producer === undefined) {
      producer =
        key === OVERFLOW_KEY
          ? { service: OVERFLOW_KEY, total: 0, passed: 0, warned: 0, failed: 0 }
          : { ...facts.producer, total: 0, passed: 0, warned: 0, failed: 0 };
      agg.producers[key] = producer;
    }
  }
  producer.total += w;
  const compliant = facts.result === 'PASS' || (facts.result === 'WARN' && limits.warnCountsAsPass);
  if (facts.result === 'PASS') {
    agg.passed += w;
    producer.passed += w;
  } else if (facts.result === 'WARN') {
    agg.warned += w;
    producer.warned += w;
    if (facts.additive === true) agg.additive = (agg.additive ?? 0) + w;
  } else {
    agg.failed += w;
    producer.failed += w;
    agg.failedEvidence += 1;
  }
  if (compliant) {
    if (agg.lastGood === undefined || facts.ms > agg.lastGood.ms) agg.lastGood = facts.pointer();
    if (
      (agg.firstBad === undefined || facts.ms < agg.firstBad.ms) &&
      (agg.lastGoodBeforeBad === undefined || facts.ms > agg.lastGoodBeforeBad.ms)
    ) {
      agg.lastGoodBeforeBad = agg.lastGood.ms === facts.ms ? agg.lastGood : facts.pointer();
    }
    return;
  }
  // Not compliant: a FAIL, or a WARN when WARN does not count as compliant.
  if (agg.firstBad === undefined || facts.ms < agg.firstBad.ms) {
    agg.firstBad = facts.pointer();
    // A last-good candidate at or after the new first-bad no longer precedes it.
    if (agg.lastGoodBeforeBad !== undefined && agg.lastGoodBeforeBad.ms >= facts.ms)
      delete agg.lastGoodBeforeBad;
  }
  if (producer.firstBad === undefined || facts.ms < producer.firstBad.ms)
    producer.firstBad = agg.firstBad.ms === facts.ms ? agg.firstBad : facts.pointer();
  if (facts.result !== 'FAIL') return;
  const reasons = agg.reasons;
  let distinct = -1;
  for (const code of facts.failCodes) {
    if (reasons[code] === undefined) {
      if (distinct < 0) distinct = Object.keys(reasons).length;
      if (distinct >= limits.maxReasons) {
        reasons[OVERFLOW_KEY] = (reasons[OVERFLOW_KEY] ?? 0) + w;
        continue;
      }
      distinct += 1;
      reasons[code] = w;
    } else {
      reasons[code] += w;
    }
  }
  if (facts.signature !== undefined)
    agg.signatures[facts.signature] = (agg.signatures[facts.signature] ?? 0) + w;
}

function earlier(
  a: StoredPointer | undefined,
  b: StoredPointer | undefined,
): StoredPointer | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.ms < a.ms ? b : a;
}

function later(
  a: StoredPointer | undefined,
  b: StoredPointer | undefined,
): StoredPointer | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.ms > a.ms ? b : a;
}

function addCounts<T extends ComplianceCounts>(into: T, from: ComplianceCounts): T {
  into.total += from.total;
  into.passed += from.passed;
  into.warned += from.warned;
  into.failed += from.failed;
  return into;
}

/** A new aggregate holding both (used to pool small windows). Inputs are not changed. */
export function mergeAggs(
  a: ContractWindowAgg,
  b: ContractWindowAgg,
  limits: Pick<AggLimits, 'maxProducers' | 'maxReasons'>,
): ContractWindowAgg {
  const out = addCounts(emptyAgg(Math.min(a.since, b.since)), a);
  addCounts(out, b);
  out.evidence = a.evidence + b.evidence;
  out.failedEvidence = a.failedEvidence + b.failedEvidence;
  out.windows = a.windows + b.windows;
  if (a.additive !== undefined || b.additive !== undefined)
    out.additive = (a.additive ?? 0) + (b.additive ?? 0);
  if (a.checked !== undefined || b.checked !== undefined)
    out.checked = (a.checked ?? 0) + (b.checked ?? 0);
  for (const side of [a, b]) {
    for (const [key, p] of Object.entries(side.producers)) {
      let target = out.producers[key];
      if (target === undefined) {
        const full = Object.keys(out.producers).length >= limits.maxProducers;
        const k = full ? OVERFLOW_KEY : key;
        target = out.producers[k];
        if (target === undefined) {
          target =
            k === OVERFLOW_KEY
              ? { service: OVERFLOW_KEY, total: 0, passed: 0, warned: 0, failed: 0 }
              : {
                  service: p.service,
                  ...(p.version === undefined ? {} : { version: p.version }),
                  total: 0,
                  passed: 0,
                  warned: 0,
                  failed: 0,
                };
          out.producers[k] = target;
        }
      }
      addCounts(target, p);
      const fb = earlier(target.firstBad, p.firstBad);
      if (fb !== undefined) target.firstBad = fb;
    }
    for (const [code, w] of Object.entries(side.reasons)) {
      if (out.reasons[code] !== undefined) out.reasons[code] += w;
      else if (
        code !== OVERFLOW_KEY &&
        Object.keys(out.reasons).filter((k) => k !== OVERFLOW_KEY).length >= limits.maxReasons
      )
        out.reasons[OVERFLOW_KEY] = (out.reasons[OVERFLOW_KEY] ?? 0) + w;
      else out.reasons[code] = w;
    }
    for (const [id, w] of Object.entries(side.signatures))
      out.signatures[id] = (out.signatures[id] ?? 0) + w;
  }
  const firstBad = earlier(a.firstBad, b.firstBad);
  const lastGood = later(a.lastGood, b.lastGood);
  if (firstBad !== undefined) out.firstBad = firstBad;
  if (lastGood !== undefined) out.lastGood = lastGood;
  let before: StoredPointer | undefined;
  for (const candidate of [a.lastGoodBeforeBad, b.lastGoodBeforeBad, a.lastGood, b.lastGood]) {
    if (candidate === undefined) continue;
    if (firstBad !== undefined && candidate.ms >= firstBad.ms) continue;
    before = later(before, candidate);
  }
  if (before !== undefined) out.lastGoodBeforeBad = before;
  return out;
}

/** Entries of a weight map sorted by weight (descending), then key; overflow key last. */
export function topEntries(map: Record<string, number>, limit: number): Array<[string, number]> {
  return Object.entries(map)
    .filter(([key]) => key !== OVERFLOW_KEY)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, limit);
}
