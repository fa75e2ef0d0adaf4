/**
 * Per-record facts for a contract's aggregate quality rules (ODCS `quality` with `metric`
 * `nullValues`, `missingValues` or `invalidValues`): which of them this record counts against.
 * The rules themselves ("less than 1 % nulls") can only be judged over many records: the DQ engine
 * does that from these facts, weighted like every other evidence count.
 */

/** The part of a contract's aggregate rule the facts need (structurally `AggregateRule`). */
export interface DqRuleLike {
  kind: string;
  path?: string;
  arguments?: Record<string, unknown>;
}

const KINDS = new Set(['nullValues', 'missingValues', 'invalidValues']);
const ABSENT = Symbol('absent');

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
      const valid = rule.arguments?.validValues;
      if (!Array.isArray(valid)) return undefined; // pattern-based: judged per record by the schema
      return !missing && !listed(valid, value);
    }
    default:
      return undefined;
  }
}

/** `<metric>:<path>` for every rule the record counts against, in rule order. */
export function dqFacts(rules: readonly DqRuleLike[] | undefined, record: unknown): string[] {
  if (rules === undefined || rules.length === 0) return [];
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return [];
  const hits: string[] = [];
  for (const rule of rules) {
    if (!KINDS.has(rule.kind) || rule.path === undefined || rule.path.includes('[]')) continue;
    if (counts(rule, valueAt(record, rule.path)) === true) {
      const fact = `${rule.kind}:${rule.path}`;
      if (!hits.includes(fact)) hits.push(fact);
      if (hits.length >= 64) break;
    }
  }
  return hits;
}
