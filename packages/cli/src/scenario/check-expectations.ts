import type { Incident, Signal } from '@signal-factory/core';

import type { ExpectedRca, ExpectedRootCause, ExpectedSignal, Scenario } from './types';
import { formatDuration, formatOffset } from './units';

/** Root cause as the copilot reported it (mapped by the caller from its RCA report). */
export interface ObservedRootCause {
  /** `deployment`, `stall`, `upstream_dataset`, `failure_signature`, `unknown`, … */
  kind: string;
  service?: string;
  version?: string;
  commit?: string;
  /** Dataset URN (upstream dataset, stalled dataset). */
  dataset?: string;
}

/** The minimal view of one RCA report that expectations are checked against. */
export interface ObservedRca {
  incidentId: string;
  /** Undefined when the RCA says nothing explains the incident. */
  rootCause?: ObservedRootCause;
  confidence?: 'HIGH' | 'MEDIUM' | 'LOW';
  /** First bad record time: RFC 3339 or epoch ms. */
  firstBad?: string | number;
  /** Blast radius entries: job names and dataset URNs (both may appear). */
  blastRadius: string[];
  /** Reason codes of the failure signatures (`MISSING_FIELD:customer_id`). */
  reasonCodes: string[];
}

/** What the platform produced while playing a scenario. */
export interface ObservedOutcome {
  /** Every Signal v1 emitted (state changes and heartbeats). */
  signals: readonly Signal[];
  /** Incident v1 documents; lifecycle updates of one incident are merged by `incident_id`. */
  incidents: readonly Incident[];
  /** One RCA report per incident (or fewer). */
  rca: readonly ObservedRca[];
}

/** The verdict on one expectation. */
export interface ExpectationResult {
  /** Readable expectation, e.g. `signals[0]: CONTRACT CRITICAL on urn:dp:orders:created within 7m`. */
  expectation: string;
  passed: boolean;
  /** What was observed, in words. */
  actual: string;
}

function toMs(t: string | number | undefined): number | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'number') return Number.isFinite(t) ? t : undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function signalTime(s: Signal): number | undefined {
  return toMs(s.emitted_at) ?? toMs(s.window?.end);
}

/** A deployment or fault that can cause signals on a dataset. */
interface Cause {
  at: number;
  label: string;
}

/**
 * Causes relevant to a dataset: faults on it and deployments of the services producing it
 * (its `producer` and its traffic entries' services). When none exists (e.g. a downstream
 * dataset), every deployment and fault of the scenario.
 */
export function causesFor(
  scenario: Scenario,
  dataset: string,
): Array<{ at: number; label: string }> {
  const producers = new Set<string>();
  const ds = scenario.datasets.find((d) => d.urn === dataset);
  if (ds?.producer !== undefined) producers.add(ds.producer);
  for (const t of scenario.traffic)
    if (t.dataset === dataset && t.service !== undefined) producers.add(t.service);
  const all: Array<Cause & { dataset?: string; service?: string }> = [
    ...scenario.deployments.map((d) => ({
      at: d.at,
      service: d.service,
      label: `deployment ${d.service} ${d.version} at ${formatOffset(d.at, scenario.start)}`,
    })),
    ...scenario.faults.map((f) => ({
      at: f.at,
      dataset: f.dataset,
      label: `${f.kind} fault at ${formatOffset(f.at, scenario.start)}`,
    })),
  ];
  const relevant = all.filter(
    (c) => c.dataset === dataset || (c.service !== undefined && producers.has(c.service)),
  );
  return (relevant.length > 0 ? relevant : all)
    .map(({ at, label }) => ({ at, label }))
    .sort((a, b) => a.at - b.at);
}

function describeSignal(e: ExpectedSignal): string {
  return `${e.type} ${e.state ?? 'WARNING|CRITICAL'} on ${e.dataset}${e.within === undefined ? '' : ` within ${formatDuration(e.within)}`}`;
}

function stateMatches(expected: ExpectedSignal['state'], actual: Signal['state']): boolean {
  return expected === undefined ? actual !== 'OK' : expected === actual;
}

function checkSignal(
  scenario: Scenario,
  e: ExpectedSignal,
  signals: readonly Signal[],
): { passed: boolean; actual: string } {
  const at = (t: number | undefined): string =>
    t === undefined ? 'an unknown time' : formatOffset(t, scenario.start);
  const sameSeries = signals.filter((s) => s.signal_type === e.type && s.dataset_urn === e.dataset);
  const matching = sameSeries
    .filter((s) => stateMatches(e.state, s.state))
    .map((s) => ({ s, t: signalTime(s) }))
    .sort((a, b) => (a.t ?? Infinity) - (b.t ?? Infinity));
  if (matching.length === 0) {
    if (sameSeries.length > 0) {
      const states = [...new Set(sameSeries.map((s) => s.state))].join(', ');
      return { passed: false, actual: `${e.type} signals on ${e.dataset} were only ${states}` };
    }
    const others = signals.filter((s) => s.state !== 'OK');
    const seen = [
      ...new Set(others.map((s) => `${s.signal_type} ${s.state} on ${s.dataset_urn}`)),
    ].slice(0, 5);
    return {
      passed: false,
      actual: `no ${e.type} signal on ${e.dataset}${seen.length > 0 ? `; non-OK signals seen: ${seen.join('; ')}` : '; no non-OK signal at all'}`,
    };
  }
  if (e.within === undefined) {
    const first = matching[0] as { s: Signal; t: number | undefined };
    return { passed: true, actual: `${first.s.signal_type} ${first.s.state} at ${at(first.t)}` };
  }
  const causes = causesFor(scenario, e.dataset);
  let closest: { t: number; cause: Cause; delay: number } | undefined;
  for (const { s, t } of matching) {
    if (t === undefined) continue;
    let cause: Cause | undefined;
    for (const c of causes) if (c.at <= t) cause = c;
    if (cause === undefined) continue;
    const delay = t - cause.at;
    if (delay <= e.within) {
      return {
        passed: true,
        actual: `${e.type} ${s.state} at ${at(t)}, ${formatDuration(delay)} after ${cause.label}`,
      };
    }
    if (closest === undefined || delay < closest.delay) closest = { t, cause, delay };
  }
  if (closest === undefined) {
    return {
      passed: false,
      actual: `${e.type} signal(s) at ${matching.map((m) => at(m.t)).join(', ')} but no deployment or fault precedes them`,
    };
  }
  return {
    passed: false,
    actual: `too late: first at ${at(closest.t)}, ${formatDuration(closest.delay)} after ${closest.cause.label}`,
  };
}

/** Latest document per incident id (by `updated_at`, then arrival order). */
export function latestIncidents(incidents: readonly Incident[]): Incident[] {
  const byId = new Map<string, Incident>();
  for (const i of incidents) {
    const prev = byId.get(i.incident_id);
    if (prev === undefined || (toMs(i.updated_at) ?? 0) >= (toMs(prev.updated_at) ?? 0))
      byId.set(i.incident_id, i);
  }
  return [...byId.values()];
}

function describeIncident(i: Incident): string {
  return `${i.severity} [${i.dataset_urns.join(', ')}]`;
}

/** Assigns each expected incident a distinct observed one (small backtracking search). */
function assignIncidents(
  expected: Scenario['expect']['incidents'],
  observed: readonly Incident[],
): Array<Incident | undefined> {
  const fits = (e: Scenario['expect']['incidents'][number], i: Incident): boolean =>
    (e.severity === undefined || e.severity === i.severity) &&
    e.datasets.every((d) => i.dataset_urns.includes(d));
  const best: Array<Incident | undefined> = expected.map(() => undefined);
  let bestCount = -1;
  const current: Array<Incident | undefined> = [];
  const used = new Set<number>();
  const search = (k: number, count: number): void => {
    if (bestCount === expected.length) return;
    if (k === expected.length) {
      if (count > bestCount) {
        bestCount = count;
        for (let j = 0; j < current.length; j++) best[j] = current[j];
      }
      return;
    }
    if (count + (expected.length - k) <= bestCount) return;
    const e = expected[k] as Scenario['expect']['incidents'][number];
    for (let i = 0; i < observed.length; i++) {
      if (used.has(i) || !fits(e, observed[i] as Incident)) continue;
      used.add(i);
      current[k] = observed[i];
      search(k + 1, count + 1);
      used.delete(i);
    }
    current[k] = undefined;
    search(k + 1, count);
  };
  search(0, 0);
  return best;
}

/** Root-cause kinds meaning "nothing explains it": they match a report without a root cause. */
const UNEXPLAINED_KINDS = new Set(['unknown', 'unexplained']);

function rootCauseMatches(e: ExpectedRootCause, r: ObservedRca): boolean {
  const c = r.rootCause;
  if (e.kind !== undefined && UNEXPLAINED_KINDS.has(e.kind)) {
    return c === undefined || UNEXPLAINED_KINDS.has(c.kind);
  }
  if (c === undefined) return false;
  return (
    (e.kind === undefined || e.kind === c.kind) &&
    (e.service === undefined || e.service === c.service) &&
    (e.version === undefined || e.version === c.version) &&
    (e.commit === undefined ||
      (c.commit !== undefined &&
        (c.commit.startsWith(e.commit) || e.commit.startsWith(c.commit)))) &&
    (e.dataset === undefined || e.dataset === c.dataset)
  );
}

function describeRootCause(c: ExpectedRootCause | ObservedRootCause | undefined): string {
  if (c === undefined) return 'none (unexplained)';
  const parts: string[] = [];
  if (c.kind !== undefined) parts.push(c.kind);
  if (c.service !== undefined)
    parts.push(c.service + (c.version === undefined ? '' : ` ${c.version}`));
  if (c.commit !== undefined) parts.push(`commit ${c.commit}`);
  if (c.dataset !== undefined) parts.push(c.dataset);
  return parts.join(' ');
}

interface RcaCheck {
  key: string;
  describe: string;
  test: (r: ObservedRca) => boolean;
  show: (r: ObservedRca) => string;
}

function rcaChecks(scenario: Scenario, e: ExpectedRca): RcaCheck[] {
  const checks: RcaCheck[] = [];
  if (e.rootCause !== undefined) {
    const rc = e.rootCause;
    checks.push({
      key: 'root_cause',
      describe: describeRootCause(rc),
      test: (r) => rootCauseMatches(rc, r),
      show: (r) => describeRootCause(r.rootCause),
    });
  }
  if (e.confidence !== undefined) {
    const want = e.confidence;
    checks.push({
      key: 'confidence',
      describe: want,
      test: (r) => r.confidence === want,
      show: (r) => r.confidence ?? 'none',
    });
  }
  if (e.firstBadAfter !== undefined) {
    const after = e.firstBadAfter;
    checks.push({
      key: 'first_bad_after',
      describe: `${formatOffset(after, scenario.start)} (${new Date(after).toISOString()})`,
      test: (r) => {
        const t = toMs(r.firstBad);
        return t !== undefined && t >= after;
      },
      show: (r) => {
        const t = toMs(r.firstBad);
        return t === undefined
          ? 'no first_bad'
          : `${formatOffset(t, scenario.start)} (${new Date(t).toISOString()})`;
      },
    });
  }
  if (e.blastRadiusIncludes.length > 0) {
    const want = e.blastRadiusIncludes;
    checks.push({
      key: 'blast_radius_includes',
      describe: want.join(', '),
      test: (r) => want.every((w) => r.blastRadius.includes(w)),
      show: (r) => {
        const missing = want.filter((w) => !r.blastRadius.includes(w));
        return `[${r.blastRadius.join(', ')}]${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}`;
      },
    });
  }
  if (e.reasonCodesInclude.length > 0) {
    const want = e.reasonCodesInclude;
    checks.push({
      key: 'reason_codes_include',
      describe: want.join(', '),
      test: (r) => want.every((w) => r.reasonCodes.includes(w)),
      show: (r) => {
        const missing = want.filter((w) => !r.reasonCodes.includes(w));
        return `[${r.reasonCodes.join(', ')}]${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}`;
      },
    });
  }
  return checks;
}

/**
 * Checks every expectation of a scenario against what the platform produced.
 *
 * - `signals[i]`: some signal has the type, dataset and state (no state: WARNING or CRITICAL).
 *   With `within`, its `emitted_at` (simulated clock) must be at most `within` after its cause:
 *   the latest deployment or fault at or before the signal among those relevant to the dataset
 *   (faults on it, deployments of its producing services; all of them if none is relevant).
 * - `incidents[i]`: each expectation is matched to a distinct incident with that severity whose
 *   datasets include the expected ones.
 * - `incident_count`: exact number of distinct incident ids.
 * - `rca`: the report that satisfies the most sub-checks is chosen (among those whose root cause
 *   matches, when one does); one result per sub-check: `root_cause` (every given key equal;
 *   commits compare by prefix), `confidence` (equal), `first_bad_after` (first bad >= time),
 *   `blast_radius_includes` and `reason_codes_include` (every entry present).
 */
export function checkExpectations(
  scenario: Scenario,
  observed: ObservedOutcome,
): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  const e = scenario.expect;

  e.signals.forEach((s, i) => {
    const r = checkSignal(scenario, s, observed.signals);
    results.push({ expectation: `signals[${i}]: ${describeSignal(s)}`, ...r });
  });

  const incidents = latestIncidents(observed.incidents);
  const assigned = assignIncidents(e.incidents, incidents);
  e.incidents.forEach((x, i) => {
    const match = assigned[i];
    const expectation = `incidents[${i}]: ${x.severity ?? 'any severity'} incident covering ${x.datasets.length > 0 ? x.datasets.join(', ') : 'any dataset'}`;
    results.push(
      match !== undefined
        ? { expectation, passed: true, actual: `${match.incident_id}: ${describeIncident(match)}` }
        : {
            expectation,
            passed: false,
            actual:
              incidents.length === 0
                ? 'no incident'
                : `incidents: ${incidents.map(describeIncident).join('; ')}`,
          },
    );
  });

  if (e.incidentCount !== undefined) {
    results.push({
      expectation: `incident_count: ${e.incidentCount}`,
      passed: incidents.length === e.incidentCount,
      actual: `${incidents.length}${incidents.length > 0 ? ` (${incidents.map(describeIncident).join('; ')})` : ''}`,
    });
  }

  e.rca.forEach((x, i) => {
    const prefix = e.rca.length === 1 ? 'rca' : `rca[${i}]`;
    const checks = rcaChecks(scenario, x);
    if (checks.length === 0) return;
    const reports = observed.rca;
    if (reports.length === 0) {
      for (const c of checks) {
        results.push({
          expectation: `${prefix}.${c.key}: ${c.describe}`,
          passed: false,
          actual: 'no RCA report',
        });
      }
      return;
    }
    const rootCheck = checks.find((c) => c.key === 'root_cause');
    const rooted = rootCheck === undefined ? [] : reports.filter((r) => rootCheck.test(r));
    const pool = rooted.length > 0 ? rooted : reports;
    let best = pool[0] as ObservedRca;
    let bestScore = -1;
    for (const r of pool) {
      const score = checks.filter((c) => c.test(r)).length;
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    for (const c of checks) {
      results.push({
        expectation: `${prefix}.${c.key}: ${c.describe}`,
        passed: c.test(best),
        actual: `${c.show(best)} (report for ${best.incidentId})`,
      });
    }
  });
  return results;
}
