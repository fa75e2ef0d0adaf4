import RE2 from 're2';

/**
 * Per-record facts for a contract's aggregate quality rules (ODCS `quality` with `metric`
 * `nullValues`, `missingValues`, `invalidValues` or `duplicateValues`, and a property's
 * `unique: true` / `primaryKey: true`): which of them this record counts against. The rules
 * themselves ("less than 1 % nulls") can only be judged over many records: the DQ engine does that
 * from these facts, weighted like every other evidence count.
 */

/** The part of a contract's aggregate rule the facts need (structurally `AggregateRule`). */
export interface DqRuleLike {
  kind: string;
  path?: string;
  arguments?: Record<string, unknown>;
}

const KINDS = new Set(['nullValues', 'missingValues', 'invalidValues']);
/** Rules about repeated values; both are reported as `duplicateValues:<path>`. */
const DUPLICATE_KINDS = new Set(['duplicateValues', 'unique']);
const ABSENT = Symbol('absent');

/**
 * Whether a value was seen before in this field (the caller keeps the memory, per dataset); it must
 * also remember the value. Absent when the caller does not track repeats.
 */
export type RepeatCheck = (path: string, value: unknown) => boolean;

/** Compiled `invalidValues` patterns, per rule object; `null` for a pattern RE2 rejects. */
const patterns = new WeakMap<DqRuleLike, { test(s: string): boolean } | null>();

function patternOf(rule: DqRuleLike): { test(s: string): boolean } | null {
  let compiled = patterns.get(rule);
  if (compiled === undefined) {
    const source = rule.arguments?.pattern;
    try {
      // RE2: a contract's pattern can never make the data path super-linear
      compiled = typeof source === 'string' ? new RE2(source, 'u') : null;
    } catch {
      compiled = null; // the contract compiler reports the bad pattern
    }
    patterns.set(rule, compiled);
  }
  return compiled;
}

/** The value at a dotted field path of a parsed record; `ABSENT` when a step is missing. */
function valueAt(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return ABSENT;
    if (!Object.prototype.hasOwnProperty.call(current, step)) return ABSENT;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function listed(list: unknown, value: unknown): boolean {
  return Array.isArray(list) && list.some((v) => v === value);
}

/** Whether the record counts against the rule; `undefined` when the rule cannot be judged per record. */
function counts(rule: DqRuleLike, value: unknown): boolean | undefined {
  const missing = value === ABSENT || value === null;
  switch (rule.kind) {
    case 'nullValues':
      // a column-store reading: an absent optional field is a null value
      return missing;
    case 'missingValues':
      return missing || listed(rule.arguments?.missingValues, value);
    case 'invalidValues': {
      if (missing) return false;
      const valid = rule.arguments?.validValues;
      if (Array.isArray(valid)) return !listed(valid, value);
      const pattern = patternOf(rule);
      if (pattern === null) return undefined;
      return typeof value !== 'string' || !pattern.test(value);
    }
    default:
      return undefined;
  }
}

/**
 * `<metric>:<path>` for every rule the record counts against, in rule order. Repeated values of a
 * `unique` or `duplicateValues` field are reported only when `repeated` is given; each such field
 * is checked (and remembered) once per record.
 */
export function dqFacts(
  rules: readonly DqRuleLike[] | undefined,
  record: unknown,
  repeated?: RepeatCheck,
): string[] {
  if (rules === undefined || rules.length === 0) return [];
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return [];
  const hits: string[] = [];
  for (const rule of rules) {
    if (rule.path === undefined || rule.path.includes('[]')) continue;
    let fact: string | undefined;
    if (DUPLICATE_KINDS.has(rule.kind)) {
      fact = `duplicateValues:${rule.path}`;
      if (repeated === undefined || hits.includes(fact) || checked(rules, rule)) continue;
      const value = valueAt(record, rule.path);
      if (value === ABSENT || value === null || !repeated(rule.path, value)) continue;
    } else if (KINDS.has(rule.kind)) {
      if (counts(rule, valueAt(record, rule.path)) !== true) continue;
      fact = `${rule.kind}:${rule.path}`;
    } else continue;
    if (!hits.includes(fact)) hits.push(fact);
    if (hits.length >= 64) break;
  }
  return hits;
}

/** Whether an earlier rule already checked repeats of this rule's field (`unique` + a rule). */
function checked(rules: readonly DqRuleLike[], rule: DqRuleLike): boolean {
  for (const other of rules) {
    if (other === rule) return false;
    if (other.path === rule.path && DUPLICATE_KINDS.has(other.kind)) return true;
  }
  return false;
}
