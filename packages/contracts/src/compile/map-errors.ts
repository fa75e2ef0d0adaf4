import type { ErrorObject } from 'ajv';
import {
  childFieldPath,
  formatReasonCode,
  itemFieldPath,
  type ReasonCode,
} from '@signal-factory/core';
import type { Violation } from '../types';

export interface MapContext {
  formatNames: ReadonlyMap<string, string>;
  nullRequired: ReadonlySet<string>;
  maxViolations: number;
}

/** The kind of a value, never the value: `null`, `array`, `integer`, `number`, `string`… */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/items/0/sku` → `items[].sku`, walking the record to tell array indexes from keys. */
export function fieldPath(record: unknown, pointer: string, extra?: string): string {
  let path = '';
  let current: unknown = record;
  if (pointer.length > 0) {
    for (const raw of pointer.slice(1).split('/')) {
      const segment = unescapePointer(raw);
      if (Array.isArray(current)) {
        path = itemFieldPath(path);
        current = current[Number(segment)];
      } else {
        path = childFieldPath(path, segment);
        current =
          typeof current === 'object' && current !== null
            ? (current as Record<string, unknown>)[segment]
            : undefined;
      }
    }
  }
  return extra === undefined ? path : childFieldPath(path, extra);
}

function expectedType(parentSchema: unknown): string | undefined {
  if (typeof parentSchema !== 'object' || parentSchema === null) return undefined;
  const s = parentSchema as Record<string, unknown>;
  const lt = s['x-sf-type'];
  if (typeof lt === 'string') return lt;
  const t = s['type'];
  if (Array.isArray(t)) return t.filter((x) => x !== 'null').join('|');
  return typeof t === 'string' ? t : undefined;
}

function describeEnum(values: unknown): string {
  if (!Array.isArray(values)) return 'one of the allowed values';
  const shown = values.slice(0, 10).map((v) => JSON.stringify(v));
  return `one of [${shown.join(', ')}${values.length > 10 ? `, … ${values.length - 10} more` : ''}]`;
}

const RANGE = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);

function toViolation(record: unknown, e: ErrorObject, ctx: MapContext): Violation {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const name = String(p['missingProperty']);
      const path = fieldPath(record, e.instancePath, name);
      const props = (e.parentSchema as Record<string, unknown> | undefined)?.['properties'] as
        Record<string, unknown> | undefined;
      const expected = expectedType(props?.[name]) ?? 'a value';
      return ctx.nullRequired.has(path)
        ? { code: 'NULL_VIOLATION', path, expected: `non-null ${expected}`, actual: 'absent' }
        : { code: 'MISSING_FIELD', path, expected, actual: 'absent' };
    }
    case 'type': {
      const path = fieldPath(record, e.instancePath);
      const expected = expectedType(e.parentSchema) ?? String(p['type']);
      return e.data === null && path !== ''
        ? { code: 'NULL_VIOLATION', path, expected, actual: 'null' }
        : { code: 'TYPE_MISMATCH', path, expected, actual: kindOf(e.data) };
    }
    case 'format': {
      const name = String(p['format']);
      return {
        code: 'INVALID_FORMAT',
        path: fieldPath(record, e.instancePath),
        expected: ctx.formatNames.get(name) ?? name,
        actual: kindOf(e.data),
      };
    }
    case 'pattern':
      return {
        code: 'PATTERN_MISMATCH',
        path: fieldPath(record, e.instancePath),
        expected: `match ${String(p['pattern'])}`,
        actual: kindOf(e.data),
      };
    case 'enum':
    case 'const':
      return {
        code: 'ENUM_VIOLATION',
        path: fieldPath(record, e.instancePath),
        expected: describeEnum(p['allowedValues'] ?? [p['allowedValue']]),
        actual: kindOf(e.data),
      };
    case 'not':
      return {
        code: 'NULL_VIOLATION',
        path: fieldPath(record, e.instancePath),
        expected: 'a non-missing value',
        actual: e.data === null ? 'null' : 'missing-value marker',
      };
    case 'additionalProperties': {
      const name = String(p['additionalProperty']);
      const parent = e.data as Record<string, unknown> | undefined;
      return {
        code: 'UNKNOWN_FIELD',
        path: fieldPath(record, e.instancePath, name),
        expected: 'no such field',
        actual: kindOf(parent?.[name]),
      };
    }
    case 'uniqueItems':
      return {
        code: 'CONSTRAINT_VIOLATION',
        path: fieldPath(record, e.instancePath),
        expected: 'unique items',
        actual: 'duplicate items',
      };
    case 'sfTemporalRange':
      return {
        code: 'OUT_OF_RANGE',
        path: fieldPath(record, e.instancePath),
        expected: String(p['expected'] ?? 'within range'),
        actual: kindOf(e.data),
      };
    default:
      if (RANGE.has(e.keyword)) {
        return {
          code: 'OUT_OF_RANGE',
          path: fieldPath(record, e.instancePath),
          expected: `${String(p['comparison'] ?? e.keyword)} ${String(p['limit'])}`,
          actual: kindOf(e.data),
        };
      }
      return {
        code: 'TYPE_MISMATCH',
        path: fieldPath(record, e.instancePath),
        expected: expectedType(e.parentSchema) ?? e.keyword,
        actual: kindOf(e.data),
      };
  }
}

interface Mapped {
  violation: Violation;
  reasonCode: string;
}

const CACHE_LIMIT = 4096;

/**
 * Maps ajv errors (allErrors + verbose) to distinct violations, one per code and path. A
 * violation depends only on the failing schema location, the instance path and the kind of value
 * found (or the missing/unknown property name), so each is built once and reused from a bounded
 * three-level cache whose keys are mostly interned strings: the invalid path allocates little
 * more than the result arrays.
 */
export class ErrorMapper {
  readonly #ctx: MapContext;
  readonly #cache = new Map<string, Map<string, Map<string, Mapped>>>();
  #size = 0;

  constructor(ctx: MapContext) {
    this.#ctx = ctx;
  }

  map(
    record: unknown,
    errors: readonly ErrorObject[],
  ): { violations: Violation[]; reasonCodes: string[] } {
    const violations: Violation[] = [];
    const reasonCodes: string[] = [];
    const max = this.#ctx.maxViolations;
    const seen = errors.length > 16 ? new Set<string>() : undefined;
    // Instance paths (one concrete value) that already failed on type: other keywords there are noise.
    let typed: string[] | undefined;
    for (const e of errors) if (e.keyword === 'type') (typed ??= []).push(e.instancePath);
    for (const e of errors) {
      const k = e.keyword;
      if (k === 'if' || k === 'allOf') continue;
      if (
        typed !== undefined &&
        k !== 'type' &&
        k !== 'required' &&
        k !== 'additionalProperties' &&
        typed.includes(e.instancePath)
      ) {
        continue;
      }
      const m = this.#mapped(record, e);
      if (seen !== undefined ? seen.has(m.reasonCode) : reasonCodes.includes(m.reasonCode))
        continue;
      seen?.add(m.reasonCode);
      violations.push(m.violation);
      reasonCodes.push(m.reasonCode);
      if (violations.length >= max) break;
    }
    return { violations, reasonCodes };
  }

  #mapped(record: unknown, e: ErrorObject): Mapped {
    let third: string;
    if (e.keyword === 'required') third = (e.params as { missingProperty: string }).missingProperty;
    else if (e.keyword === 'additionalProperties') {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      third = `${name}\u0000${kindOf((e.data as Record<string, unknown> | undefined)?.[name])}`;
    } else third = kindOf(e.data);
    let bySchema = this.#cache.get(e.schemaPath);
    if (bySchema === undefined) {
      bySchema = new Map();
      this.#cache.set(e.schemaPath, bySchema);
    }
    let byInstance = bySchema.get(e.instancePath);
    if (byInstance === undefined) {
      byInstance = new Map();
      if (this.#size < CACHE_LIMIT) bySchema.set(e.instancePath, byInstance);
    }
    let m = byInstance.get(third);
    if (m === undefined) {
      const violation = Object.freeze(toViolation(record, e, this.#ctx));
      m = { violation, reasonCode: reasonCodeOf(violation) };
      if (this.#size < CACHE_LIMIT) {
        byInstance.set(third, m);
        this.#size += 1;
      }
    }
    return m;
  }
}

/** `CODE:path`, or the bare code for a finding about the record itself (empty path). */
export function reasonCodeOf(v: Violation): string {
  return formatReasonCode(v.code as ReasonCode, v.path === '' ? undefined : v.path);
}
