import { childFieldPath, itemFieldPath } from '@signal-factory/core';
import { loadContract } from '../load/load-contract';
import type { OdcsContract, OdcsProperty, OdcsQualityRule } from '../types';

export interface ContractChange {
  /** Stable kind, e.g. `field_removed`, `required_added`, `type_changed`, `enum_value_removed`, `range_narrowed`. */
  kind: string;
  /** `<schema object>` or `<schema object>.<field path>` (dots, `[]` for array items). */
  path: string;
  breaking: boolean;
  message: string;
}

export interface ContractDiff {
  /** True when any change is breaking. */
  breaking: boolean;
  changes: ContractChange[];
}

interface FieldView {
  logicalType?: string;
  required: boolean;
  notNull: boolean;
  options: Record<string, unknown>;
  enumValues?: unknown[];
  patterns: string[];
  classification?: string;
}

function zero(rule: OdcsQualityRule): boolean {
  if (rule.mustBe === 0 || rule.mustBeLessOrEqualTo === 0 || rule.mustBeLessThanOrEqualTo === 0)
    return true;
  return rule.mustBeLessThan === 1 && rule.unit !== 'percent';
}

function viewOf(p: OdcsProperty): FieldView {
  const view: FieldView = {
    required: p.required === true,
    notNull: p.required === true,
    options: { ...(p.logicalTypeOptions ?? {}) },
    patterns: [],
    ...(p.logicalType === undefined ? {} : { logicalType: p.logicalType }),
    ...(typeof p.classification === 'string' ? { classification: p.classification } : {}),
  };
  if (typeof view.options['pattern'] === 'string') view.patterns.push(view.options['pattern']);
  for (const rule of Array.isArray(p.quality) ? p.quality : []) {
    const metric = rule?.metric ?? rule?.rule;
    if ((rule.type ?? 'library') !== 'library' || !zero(rule)) continue;
    const args = (rule.arguments ?? {}) as Record<string, unknown>;
    if (metric === 'nullValues' || metric === 'nullCheck' || metric === 'missingValues')
      view.notNull = true;
    if (metric === 'invalidValues' || metric === 'validValues') {
      const valid = args['validValues'] ?? rule['validValues'];
      if (Array.isArray(valid)) view.enumValues = valid;
      if (typeof args['pattern'] === 'string') view.patterns.push(args['pattern']);
    }
  }
  return view;
}

function visit(p: OdcsProperty, path: string, out: Map<string, FieldView>): void {
  out.set(path, viewOf(p));
  flatten(p.properties, path, out);
  if (p.items !== undefined && typeof p.items === 'object' && p.items !== null)
    visit(p.items, itemFieldPath(path), out);
}

function flatten(
  props: OdcsProperty[] | undefined,
  prefix: string,
  out: Map<string, FieldView>,
): void {
  if (!Array.isArray(props)) return;
  for (const p of props) {
    if (typeof p?.name !== 'string') continue;
    visit(p, childFieldPath(prefix, p.name), out);
  }
}

const WIDENINGS = new Set(['integer>number', 'date>timestamp']);

const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];

function compareBound(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a.replace(' ', 'T'));
    const tb = Date.parse(b.replace(' ', 'T'));
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return Number.NaN;
}

function asContract(c: OdcsContract | string | object): OdcsContract {
  return loadContract(c as string | object);
}

/**
 * Classifies every difference between two contract versions as breaking or compatible, like
 * `datacontract breaking`: removed fields or schema objects, new required fields, narrowed types,
 * ranges, formats or patterns, and removed enum values break; additions and widenings do not.
 */
export function diffContracts(
  oldSource: OdcsContract | string | object,
  newSource: OdcsContract | string | object,
): ContractDiff {
  const before = asContract(oldSource);
  const after = asContract(newSource);
  const changes: ContractChange[] = [];
  const add = (kind: string, path: string, breaking: boolean, message: string): void => {
    changes.push({ kind, path, breaking, message });
  };
  const oldObjects = new Map((before.schema ?? []).map((s) => [s.name, s]));
  const newObjects = new Map((after.schema ?? []).map((s) => [s.name, s]));
  for (const [name] of oldObjects) {
    if (!newObjects.has(name))
      add('schema_removed', name, true, `schema object ${name} was removed`);
  }
  for (const [name, objNew] of newObjects) {
    const objOld = oldObjects.get(name);
    if (objOld === undefined) {
      add('schema_added', name, false, `schema object ${name} was added`);
      continue;
    }
    const oldFields = new Map<string, FieldView>();
    const newFields = new Map<string, FieldView>();
    flatten(objOld.properties, '', oldFields);
    flatten(objNew.properties, '', newFields);
    for (const [path] of oldFields) {
      if (!newFields.has(path))
        add('field_removed', `${name}.${path}`, true, `field ${path} was removed`);
    }
    for (const [path, n] of newFields) {
      const at = `${name}.${path}`;
      const o = oldFields.get(path);
      if (o === undefined) {
        if (n.required) add('field_added_required', at, true, `required field ${path} was added`);
        else add('field_added', at, false, `optional field ${path} was added`);
        continue;
      }
      if (!o.required && n.required)
        add('required_added', at, true, `field ${path} became required`);
      if (o.required && !n.required)
        add(
          'required_removed',
          at,
          true,
          `field ${path} became optional: consumers may now receive records without it`,
        );
      if (!o.notNull && n.notNull && !(n.required && !o.required))
        add('nullability_narrowed', at, true, `field ${path} may no longer be null`);
      if (o.notNull && !n.notNull && !(o.required && !n.required))
        add('nullability_widened', at, false, `field ${path} may now be null`);
      if (o.logicalType !== n.logicalType) {
        const widening =
          WIDENINGS.has(`${o.logicalType}>${n.logicalType}`) || n.logicalType === undefined;
        add(
          'type_changed',
          at,
          !widening,
          `logicalType of ${path} changed from ${o.logicalType ?? '(any)'} to ${n.logicalType ?? '(any)'}`,
        );
      }
      const of = o.options['format'];
      const nf = n.options['format'];
      if (of !== nf) {
        add(
          nf === undefined ? 'format_removed' : 'format_changed',
          at,
          nf !== undefined,
          `format of ${path} changed from ${String(of ?? '(none)')} to ${String(nf ?? '(none)')}`,
        );
      }
      const op = o.patterns.join('\u0000');
      const np = n.patterns.join('\u0000');
      if (op !== np) {
        const removed = n.patterns.every((p) => o.patterns.includes(p));
        add(
          removed ? 'pattern_removed' : 'pattern_changed',
          at,
          !removed,
          `pattern of ${path} changed`,
        );
      }
      for (const key of [...LOWER, ...UPPER]) {
        const a = o.options[key];
        const b = n.options[key];
        if (a === b || typeof a === 'boolean' || typeof b === 'boolean') continue;
        const lower = LOWER.includes(key);
        if (b === undefined) {
          add('range_widened', at, false, `${key} of ${path} was removed`);
        } else if (a === undefined) {
          add('range_narrowed', at, true, `${key} ${String(b)} was added to ${path}`);
        } else {
          const d = compareBound(b, a);
          const narrowed = Number.isNaN(d) || (lower ? d > 0 : d < 0);
          add(
            narrowed ? 'range_narrowed' : 'range_widened',
            at,
            narrowed,
            `${key} of ${path} changed from ${String(a)} to ${String(b)}`,
          );
        }
      }
      if (o.enumValues !== undefined || n.enumValues !== undefined) {
        if (n.enumValues === undefined)
          add('enum_removed', at, false, `allowed values of ${path} are no longer restricted`);
        else if (o.enumValues === undefined)
          add('enum_added', at, true, `allowed values of ${path} are now restricted`);
        else {
          const oldValues = o.enumValues;
          const newValues = n.enumValues;
          for (const v of oldValues.filter((x) => !newValues.includes(x)))
            add(
              'enum_value_removed',
              at,
              true,
              `value ${JSON.stringify(v)} of ${path} is no longer allowed`,
            );
          for (const v of newValues.filter((x) => !oldValues.includes(x)))
            add(
              'enum_value_added',
              at,
              false,
              `value ${JSON.stringify(v)} of ${path} is now allowed`,
            );
        }
      }
      if (o.classification !== n.classification) {
        add(
          'classification_changed',
          at,
          false,
          `classification of ${path} changed from ${o.classification ?? '(none)'} to ${n.classification ?? '(none)'}`,
        );
      }
    }
  }
  return { breaking: changes.some((c) => c.breaking), changes };
}
