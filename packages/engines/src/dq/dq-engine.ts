import { formatReasonCode, type JsonValue } from '@signal-factory/core';
import {
  eventTimeMs,
  pointerOf,
  producerOf,
  publicPointer,
  type StoredPointer,
} from '../contract/evidence-fields';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';
import type { DatasetContext, SignalEngine, Verdict } from '../runtime/signal-engine';

/**
 * An aggregate data-quality rule of a dataset's contract, as `@signal-factory/contracts` compiles it
 * (`CompiledContract.aggregateRules`): e.g. `{ kind: 'nullValues', path: 'email', unit: 'percent',
 * threshold: { operator: 'mustBeLessThan', value: 1 } }`.
 */
export interface DqRule {
  kind: string;
  path?: string;
  unit: string;
  threshold?: { operator: string; value: unknown };
}

/**
 * The rules of a dataset's current contract; `undefined` or `[]` when it has none. Synchronous:
 * called at every window close, so keep the compiled contracts in memory.
 */
export type DqRuleSource = (urn: string) => readonly DqRule[] | undefined;

export interface DqEngineOptions {
  /** The aggregate rules per dataset (from its contract). */
  rules: DqRuleSource;
  /** Fewest records (weighted) in a window before a percent rule is judged. Default 20. */
  minRecords?: number;
  /**
   * How a field's `unique: true` (or `primaryKey: true`) without an explicit `duplicateValues`
   * rule is judged: at-least-once delivery repeats a few records, so a window is WARNING above
   * `warningPercent` repeated values and CRITICAL above `criticalPercent`. Defaults 1 and 10.
   */
  uniqueTolerance?: { warningPercent?: number; criticalPercent?: number };
  /** Engine version in `engine`. Default `0.1.0`. */
  version?: string;
  /** Consumer-group suffix. Default `dq`. */
  group?: string;
}

/** Per-dataset state: the open windows' counts (plain JSON). */
export interface DqState {
  [key: string]: JsonValue;
  /** Window start (epoch ms, as a string key) → counts. */
  windows: { [start: string]: DqWindow };
}

interface DqWindow {
  [key: string]: JsonValue;
  /** Weighted records validated against a contract. */
  checked: number;
  /** `<metric>:<path>` → weighted records that count against it. */
  hits: { [fact: string]: number };
  /** The first record (by event time) that counted against any rule. */
  first: (StoredPointer & JsonValue) | null;
  /** Weighted hits per producer `service@version`. */
  producers: { [producer: string]: number };
}

const JUDGED = new Set(['nullValues', 'missingValues', 'invalidValues', 'duplicateValues']);

/** The evidence fact a rule counts: `unique` fields are reported as `duplicateValues:<path>`. */
function factOf(rule: DqRule): string {
  return `${rule.kind === 'unique' ? 'duplicateValues' : rule.kind}:${rule.path}`;
}
/** Distinct producers a window keeps (evidence names them). */
const MAX_PRODUCERS_PER_WINDOW = 256;

/** Whether `value` satisfies the rule's threshold (`mustBe`, `mustBeLessThan`, …). */
export function meetsThreshold(
  value: number,
  threshold: { operator: string; value: unknown },
): boolean {
  const t = threshold.value;
  const n = typeof t === 'number' ? t : Number.NaN;
  const pair =
    Array.isArray(t) && t.length === 2 && t.every((v) => typeof v === 'number')
      ? (t as [number, number])
      : undefined;
  switch (threshold.operator) {
    case 'mustBe':
      return value === n;
    case 'mustNotBe':
      return value !== n;
    case 'mustBeLessThan':
      return value < n;
    case 'mustBeLessOrEqualTo':
      return value <= n;
    case 'mustBeGreaterThan':
      return value > n;
    case 'mustBeGreaterOrEqualTo':
      return value >= n;
    case 'mustBeBetween':
      return pair !== undefined && value >= pair[0] && value <= pair[1];
    case 'mustNotBeBetween':
      return pair !== undefined && (value < pair[0] || value > pair[1]);
    default:
      return true; // an operator we do not know is not a violation (the contract lint reports it)
  }
}

const OPERATOR_TEXT: Record<string, string> = {
  mustBe: '=',
  mustNotBe: '≠',
  mustBeLessThan: '<',
  mustBeLessOrEqualTo: '≤',
  mustBeGreaterThan: '>',
  mustBeGreaterOrEqualTo: '≥',
  mustBeBetween: 'between',
  mustNotBeBetween: 'not between',
};

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A Signal v1 metric name (`^[a-z][a-z0-9_]{0,63}$`) for a rule: `null_values_pct_email`. */
export function metricName(rule: DqRule): string {
  const kind = rule.kind.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const path = (rule.path ?? 'record').toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return `${kind}_${rule.unit === 'percent' ? 'pct' : 'rows'}_${path}`
    .replace(/_+/g, '_')
    .replace(/_$/, '')
    .slice(0, 64);
}

const emptyWindow = (): DqWindow => ({
  checked: 0,
  hits: {},
  first: null,
  producers: {},
});

/**
 * DQ: the contract's aggregate quality rules (`nullValues`, `missingValues`, `invalidValues`,
 * `duplicateValues` with a threshold, in rows or percent, and `unique` fields), judged per window
 * from the facts the sidecar's G4 attaches to each evidence (`dq: ['nullValues:email']`). The
 * denominator is every record validated against a contract (sample weights honoured). CRITICAL
 * when a rule is broken, WARNING when only a unique field's tolerance for repeats is passed, OK
 * when every judged rule holds; a window with fewer than `minRecords` records is not judged for
 * percent rules and unique fields.
 */
export function createDataQualityEngine(options: DqEngineOptions): SignalEngine<DqState> {
  const problems: OptionProblem[] = [];
  if (typeof options?.rules !== 'function')
    problems.push({ path: 'rules', message: 'must be a function (urn) => rules' });
  checkNumber(problems, 'minRecords', options?.minRecords, { min: 1 });
  const tolerance = options?.uniqueTolerance;
  if (tolerance !== undefined && (typeof tolerance !== 'object' || tolerance === null))
    problems.push({ path: 'uniqueTolerance', message: 'must be an object' });
  else {
    checkNumber(problems, 'uniqueTolerance.warningPercent', tolerance?.warningPercent, {
      min: 0,
      max: 100,
    });
    checkNumber(problems, 'uniqueTolerance.criticalPercent', tolerance?.criticalPercent, {
      min: 0,
      max: 100,
    });
  }
  if (options?.version !== undefined && typeof options.version !== 'string')
    problems.push({ path: 'version', message: 'must be a string' });
  if (options?.group !== undefined && (typeof options.group !== 'string' || options.group === ''))
    problems.push({ path: 'group', message: 'must be a non-empty string' });
  if (problems.length > 0) throw optionsError('createDataQualityEngine', problems);
  const minRecords = options.minRecords ?? 20;
  const warningPct = tolerance?.warningPercent ?? 1;
  const criticalPct = Math.max(tolerance?.criticalPercent ?? 10, warningPct);

  const judged = (urn: string): DqRule[] => {
    let rules: readonly DqRule[] | undefined;
    try {
      rules = options.rules(urn);
    } catch {
      rules = undefined; // a failing lookup judges nothing rather than stopping the engine
    }
    const list = (rules ?? []).filter(
      (r) =>
        typeof r.path === 'string' &&
        ((JUDGED.has(r.kind) &&
          r.threshold !== undefined &&
          typeof r.threshold.operator === 'string') ||
          r.kind === 'unique'),
    );
    // an explicit duplicateValues rule on a field says how many repeats it tolerates
    return list.filter(
      (r, i) =>
        r.kind !== 'unique' ||
        !list.some(
          (o, j) =>
            o.path === r.path && (o.kind === 'duplicateValues' || (o.kind === 'unique' && j < i)),
        ),
    );
  };

  return {
    type: 'DQ',
    id: `dq@${options.version ?? '0.1.0'}`,
    group: options.group ?? 'dq',
    initialState: () => ({ windows: {} }),
    observe(state, evidence, weight, window, dataset) {
      const e = evidence as unknown as Record<string, unknown>;
      if (e.contract === undefined) return state; // not validated against a contract: not counted
      const key = String(window.start);
      const w = (state.windows[key] ??= emptyWindow());
      w.checked += weight;
      const facts = Array.isArray(e.dq) ? (e.dq as unknown[]) : [];
      if (facts.length === 0) return state;
      // only facts of the dataset's rules: evidence could name any number of others
      const wanted = new Set(judged(dataset.urn).map(factOf));
      let counted = false;
      for (const fact of facts) {
        if (typeof fact !== 'string' || !wanted.has(fact)) continue;
        w.hits[fact] = (w.hits[fact] ?? 0) + weight;
        counted = true;
      }
      if (!counted) return state;
      const producer = producerOf(e);
      const label = `${producer.service}@${producer.version ?? ''}`;
      if (
        w.producers[label] !== undefined ||
        Object.keys(w.producers).length < MAX_PRODUCERS_PER_WINDOW
      )
        w.producers[label] = (w.producers[label] ?? 0) + weight;
      const ms = eventTimeMs(e, window.start);
      if (w.first === null || ms < w.first.ms) w.first = pointerOf(e, ms) as DqWindow['first'];
      return state;
    },
    closeWindow(state, window, dataset: DatasetContext) {
      const key = String(window.start);
      const w = state.windows[key] ?? emptyWindow();
      const rest = { ...state.windows };
      delete rest[key];
      const next: DqState = { windows: rest };
      const rules = judged(dataset.urn);
      if (rules.length === 0 || w.checked === 0) return { state: next };
      const broken: string[] = [];
      const warned: string[] = [];
      // `CONSTRAINT_VIOLATION:<field>=<records>` per rule not met, the way CONTRACT signals list
      // their codes: RCA reports them and maps the fields to the consumers reading them
      const codes: string[] = [];
      const noteCode = (rule: DqRule, hits: number): void => {
        if (rule.path === undefined || rule.path.includes(';')) return;
        try {
          codes.push(`${formatReasonCode('CONSTRAINT_VIOLATION', rule.path)}=${fmt(hits)}`);
        } catch {
          // a path no reason code can carry: the reason text still names it
        }
      };
      const metrics: Record<string, number | string> = { records: Math.round(w.checked) };
      let judgedAny = false;
      for (const rule of rules) {
        const hits = w.hits[factOf(rule)] ?? 0;
        if ((rule.unit === 'percent' || rule.kind === 'unique') && w.checked < minRecords) continue;
        judgedAny = true;
        if (rule.kind === 'unique') {
          const pct = (100 * hits) / w.checked;
          metrics[metricName({ ...rule, kind: 'duplicateValues', unit: 'percent' })] = Number(
            pct.toFixed(3),
          );
          const text = `${rule.path} repeats ${fmt(pct)}% of values (unique field: WARNING above ${fmt(warningPct)}%, CRITICAL above ${fmt(criticalPct)}%)`;
          if (pct > criticalPct) broken.push(text);
          else if (pct > warningPct) warned.push(text);
          if (pct > warningPct) noteCode(rule, hits);
          continue;
        }
        const value = rule.unit === 'percent' ? (100 * hits) / w.checked : hits;
        metrics[metricName(rule)] = Number(value.toFixed(3));
        if (!meetsThreshold(value, rule.threshold!)) {
          noteCode(rule, hits);
          const op = OPERATOR_TEXT[rule.threshold!.operator] ?? rule.threshold!.operator;
          const limit = JSON.stringify(rule.threshold!.value);
          broken.push(
            `${rule.path} ${rule.kind} ${fmt(value)}${rule.unit === 'percent' ? '%' : ' rows'} (must be ${op} ${limit}${rule.unit === 'percent' ? '%' : ''})`,
          );
        }
      }
      if (!judgedAny) return { state: next };
      if (codes.length > 0) metrics.reason_codes = codes.join(';');
      const top = Object.entries(w.producers).sort((a, b) => b[1] - a[1])[0]?.[0];
      const producer =
        top === undefined
          ? undefined
          : (() => {
              const at = top.lastIndexOf('@');
              const service = top.slice(0, at);
              const version = top.slice(at + 1);
              return version === '' ? { service } : { service, version };
            })();
      const from =
        producer !== undefined
          ? `; offending records come from ${producer.service}${producer.version !== undefined ? `@${producer.version}` : ''}`
          : '';
      const verdict: Verdict =
        broken.length > 0
          ? {
              state: 'CRITICAL',
              reason: `Data quality rule broken in ${fmt(w.checked)} records: ${[...broken, ...warned].join('; ')}${from}.`,
              metrics,
            }
          : warned.length > 0
            ? {
                state: 'WARNING',
                reason: `Data quality close to its limit in ${fmt(w.checked)} records: ${warned.join('; ')}${from}.`,
                metrics,
              }
            : {
                state: 'OK',
                reason: `All ${rules.length} data quality rule(s) hold in ${fmt(w.checked)} records.`,
                metrics,
              };
      if (broken.length > 0 || warned.length > 0) {
        const first = publicPointer(w.first ?? undefined);
        if (first !== undefined) verdict.first_bad = first;
        if (producer !== undefined) verdict.producer = producer;
      }
      return { state: next, verdict };
    },
  };
}
