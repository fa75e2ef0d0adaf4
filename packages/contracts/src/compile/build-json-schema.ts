import { childFieldPath, itemFieldPath } from '@signal-factory/core';
import type { ContractProblem } from '../errors';
import type { AggregateRule, OdcsProperty, OdcsQualityRule, OdcsSchemaObject } from '../types';
import { checkPattern } from './regex-engine';
import { temporalPatternToRegExp } from './temporal-format';

export const LOGICAL_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'date',
  'timestamp',
  'time',
  'object',
  'array',
] as const;

/** String formats enforced per record (names as ajv-formats spells them). */
export const STRING_FORMATS = [
  'email',
  'uuid',
  'date-time',
  'iso-date-time',
  'date',
  'time',
  'iso-time',
  'uri',
  'uri-reference',
  'hostname',
  'ipv4',
  'ipv6',
  'duration',
] as const;

const JSON_TYPE: Record<string, string[]> = {
  string: ['string'],
  number: ['number'],
  integer: ['integer'],
  boolean: ['boolean'],
  date: ['string'],
  timestamp: ['string', 'integer'],
  time: ['string'],
  object: ['object'],
  array: ['array'],
};

/** Classifications that declare a field personal or sensitive (case-insensitive). */
export const DEFAULT_PII_CLASSIFICATIONS = [
  'pii',
  'personal',
  'sensitive',
  'restricted',
  'confidential',
  'highly-confidential',
  'highly confidential',
  'secret',
];

export type JsonSchema = Record<string, unknown>;

/** Deepest nesting of properties/items a contract may declare. */
export const MAX_SCHEMA_DEPTH = 64;

export interface BuildOptions {
  strict: boolean;
  piiClassifications: readonly string[];
}

export interface BuildResult {
  schema: JsonSchema;
  /** Custom formats (name → regular expression) the ajv instances must know. */
  formats: Map<string, RegExp>;
  /** Display name of each format used, for `expected`. */
  formatNames: Map<string, string>;
  /** Field paths required only by a per-record null rule: an absent field is a NULL_VIOLATION. */
  nullRequired: Set<string>;
  piiFields: string[];
  classifications: Record<string, string>;
  aggregateRules: AggregateRule[];
  warnings: string[];
  problems: ContractProblem[];
}

type Threshold = { operator: string; value: unknown };

const THRESHOLD_KEYS = [
  'mustBe',
  'mustNotBe',
  'mustBeGreaterThan',
  'mustBeGreaterOrEqualTo',
  'mustBeGreaterThanOrEqualTo',
  'mustBeLessThan',
  'mustBeLessOrEqualTo',
  'mustBeLessThanOrEqualTo',
  'mustBeBetween',
  'mustNotBeBetween',
] as const;

function thresholdOf(rule: OdcsQualityRule): Threshold | undefined {
  for (const key of THRESHOLD_KEYS) {
    if (rule[key] !== undefined) return { operator: key, value: rule[key] };
  }
  return undefined;
}

/** Whether a rule's threshold means "no failing record at all". */
function zeroTolerance(rule: OdcsQualityRule): boolean {
  const t = thresholdOf(rule);
  if (t === undefined) return false;
  const percent = rule.unit === 'percent';
  switch (t.operator) {
    case 'mustBe':
    case 'mustBeLessOrEqualTo':
    case 'mustBeLessThanOrEqualTo':
      return t.value === 0;
    case 'mustBeLessThan':
      return !percent && t.value === 1;
    default:
      return false;
  }
}

function metricOf(rule: OdcsQualityRule): string | undefined {
  const m = rule.metric ?? rule.rule;
  if (typeof m !== 'string') return undefined;
  // ODCS v3.0 rule names.
  if (m === 'nullCheck') return 'nullValues';
  if (m === 'duplicateCount') return 'duplicateValues';
  if (m === 'validValues') return 'invalidValues';
  return m;
}

function customFlag(node: { customProperties?: unknown }, name: string): unknown {
  const list = node.customProperties;
  if (!Array.isArray(list)) return undefined;
  for (const entry of list as Array<Record<string, unknown>>) {
    if (entry && entry['property'] === name) return entry['value'];
  }
  return undefined;
}

/** The customProperty a schema object (or the contract) sets to `true` to reject unknown fields. */
export const STRICT_PROPERTY = 'signalFactory.strict';

export function isStrictByContract(
  schemaObject: OdcsSchemaObject,
  contractCustom: unknown,
): boolean {
  const own = customFlag(schemaObject, STRICT_PROPERTY);
  if (own !== undefined) return own === true || own === 'true';
  const top = customFlag({ customProperties: contractCustom }, STRICT_PROPERTY);
  return top === true || top === 'true';
}

export function buildJsonSchema(
  schemaObject: OdcsSchemaObject,
  index: number,
  options: BuildOptions,
): BuildResult {
  const result: BuildResult = {
    schema: {},
    formats: new Map(),
    formatNames: new Map(),
    nullRequired: new Set(),
    piiFields: [],
    classifications: {},
    aggregateRules: [],
    warnings: [],
    problems: [],
  };
  const pii = new Set(options.piiClassifications.map((c) => c.toLowerCase()));
  let formatCounter = 0;

  const addFormat = (display: string, regex: RegExp): string => {
    const name = `sf-format-${formatCounter++}`;
    result.formats.set(name, regex);
    result.formatNames.set(name, display);
    return name;
  };

  const aggregate = (rule: OdcsQualityRule, path: string | undefined, kind?: string): void => {
    const metric = metricOf(rule);
    const threshold = thresholdOf(rule);
    result.aggregateRules.push({
      kind:
        kind ??
        (rule.type !== undefined && rule.type !== 'library' ? rule.type : (metric ?? 'unknown')),
      ...(path === undefined ? {} : { path }),
      ...(threshold === undefined ? {} : { threshold }),
      unit: typeof rule.unit === 'string' ? rule.unit : 'rows',
      ...(rule.arguments === undefined ? {} : { arguments: rule.arguments }),
      source: rule as Record<string, unknown>,
    });
  };

  const node = (
    prop: OdcsProperty,
    pointer: string,
    fieldPath: string,
    presence: 'root' | 'required' | 'optional' | 'item',
    depth = 0,
  ): { schema: JsonSchema; requiredByNullRule: boolean } => {
    const schema: JsonSchema = {};
    if (depth > MAX_SCHEMA_DEPTH) {
      result.problems.push({
        path: pointer,
        message: `properties nest deeper than ${MAX_SCHEMA_DEPTH} levels`,
      });
      return { schema, requiredByNullRule: false };
    }
    const lt = prop.logicalType;
    let nullable = presence === 'optional';
    let requiredByNullRule = false;
    if (lt !== undefined) {
      if (typeof lt !== 'string' || !(LOGICAL_TYPES as readonly string[]).includes(lt)) {
        result.problems.push({
          path: `${pointer}/logicalType`,
          message: `unknown logicalType ${JSON.stringify(lt)}; expected one of ${LOGICAL_TYPES.join(', ')}`,
        });
        return { schema, requiredByNullRule };
      }
      schema['x-sf-type'] = lt;
    }
    if (presence !== 'root' && typeof prop.classification === 'string') {
      result.classifications[fieldPath] = prop.classification;
      if (pii.has(prop.classification.toLowerCase())) result.piiFields.push(fieldPath);
    }
    if (presence !== 'root' && (prop.unique === true || prop.primaryKey === true)) {
      result.aggregateRules.push({
        kind: 'unique',
        path: fieldPath,
        unit: 'rows',
        source: prop.unique === true ? { unique: true } : { primaryKey: true },
      });
    }

    const opts = (prop.logicalTypeOptions ?? {}) as Record<string, unknown>;
    const optPointer = `${pointer}/logicalTypeOptions`;
    const enumValues: unknown[] = [];
    let hasEnum = false;
    const patterns: string[] = [];
    let missingValues: unknown[] | undefined;

    // Quality rules judged per record, or handed to the DQ engine.
    const quality = Array.isArray(prop.quality) ? prop.quality : [];
    quality.forEach((rule, q) => {
      if (typeof rule !== 'object' || rule === null) return;
      const metric = metricOf(rule);
      const isLibrary = rule.type === undefined || rule.type === 'library';
      const path = presence === 'root' ? undefined : fieldPath;
      if (!isLibrary || path === undefined || !zeroTolerance(rule)) {
        aggregate(rule, path);
        return;
      }
      const args = (rule.arguments ?? {}) as Record<string, unknown>;
      if (metric === 'invalidValues') {
        const valid = (args['validValues'] ?? rule['validValues']) as unknown;
        const pattern = args['pattern'];
        let used = false;
        if (Array.isArray(valid)) {
          if (hasEnum) {
            const keep = enumValues.filter((v) => valid.includes(v));
            enumValues.length = 0;
            enumValues.push(...keep);
          } else enumValues.push(...valid);
          hasEnum = true;
          used = true;
        }
        if (typeof pattern === 'string') {
          patterns.push(pattern);
          const at = `${pointer}/quality/${q}/arguments/pattern`;
          try {
            checkPattern(pattern);
          } catch (error) {
            result.problems.push({
              path: at,
              message: `invalid regular expression: ${(error as Error).message}`,
            });
          }
          used = true;
        }
        if (!used) aggregate(rule, path);
      } else if (metric === 'nullValues') {
        nullable = false;
        requiredByNullRule = true;
      } else if (metric === 'missingValues') {
        const list = args['missingValues'];
        missingValues = Array.isArray(list) ? list : [''];
        nullable = false; // null is always a missing value
        requiredByNullRule = true;
      } else {
        aggregate(rule, path);
      }
    });

    if (hasEnum && enumValues.includes(null)) nullable = true;

    if (lt !== undefined) {
      const types = [...(JSON_TYPE[lt] ?? [])];
      if (nullable) types.push('null');
      schema['type'] = types.length === 1 ? types[0] : types;
    } else if (!nullable && (presence === 'required' || requiredByNullRule)) {
      schema['not'] = { type: 'null' };
      schema['x-sf-notnull'] = true;
    }

    // logicalTypeOptions
    const fmt = opts['format'];
    const timezone = opts['timezone'] === true;
    if (lt === 'date' || lt === 'timestamp' || lt === 'time') {
      if (typeof fmt === 'string' && !(STRING_FORMATS as readonly string[]).includes(fmt)) {
        const regex = temporalPatternToRegExp(fmt);
        if (regex === undefined) {
          result.warnings.push(
            `${optPointer}/format: ${JSON.stringify(fmt)} is not understood; ISO 8601 is enforced instead`,
          );
          schema['format'] = defaultTemporalFormat(lt, timezone);
        } else {
          schema['format'] = addFormat(fmt, regex);
        }
      } else {
        schema['format'] = typeof fmt === 'string' ? fmt : defaultTemporalFormat(lt, timezone);
      }
      const bounds: Record<string, unknown> = {};
      for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
        const v = opts[key];
        if (v === undefined) continue;
        if (typeof v === 'boolean') continue;
        if (typeof v !== 'string' && typeof v !== 'number') {
          result.problems.push({
            path: `${optPointer}/${key}`,
            message: 'must be a date/time string or a number',
          });
          continue;
        }
        bounds[key] = v;
      }
      // ODCS v3.0 boolean form: `exclusiveMinimum: true` turns `minimum` exclusive.
      if (opts['exclusiveMinimum'] === true && bounds['minimum'] !== undefined) {
        bounds['exclusiveMinimum'] = bounds['minimum'];
        delete bounds['minimum'];
      }
      if (opts['exclusiveMaximum'] === true && bounds['maximum'] !== undefined) {
        bounds['exclusiveMaximum'] = bounds['maximum'];
        delete bounds['maximum'];
      }
      if (Object.keys(bounds).length > 0)
        schema['sfTemporalRange'] = { logicalType: lt, ...bounds };
    } else if (lt === 'string' || lt === undefined) {
      if (typeof fmt === 'string') {
        if ((STRING_FORMATS as readonly string[]).includes(fmt)) schema['format'] = fmt;
        else
          result.warnings.push(
            `${optPointer}/format: string format ${JSON.stringify(fmt)} is not enforced`,
          );
      }
      for (const key of ['minLength', 'maxLength']) {
        const v = opts[key];
        if (v === undefined) continue;
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0) schema[key] = v;
        else
          result.problems.push({
            path: `${optPointer}/${key}`,
            message: 'must be a non-negative integer',
          });
      }
      const p = opts['pattern'];
      if (p !== undefined) {
        if (typeof p !== 'string') {
          result.problems.push({ path: `${optPointer}/pattern`, message: 'must be a string' });
        } else {
          try {
            checkPattern(p);
            patterns.unshift(p);
          } catch (error) {
            result.problems.push({
              path: `${optPointer}/pattern`,
              message: `invalid regular expression: ${(error as Error).message}`,
            });
          }
        }
      }
    }
    if (lt === 'number' || lt === 'integer') {
      for (const key of [
        'minimum',
        'maximum',
        'exclusiveMinimum',
        'exclusiveMaximum',
        'multipleOf',
      ]) {
        const v = opts[key];
        if (v === undefined) continue;
        if (typeof v === 'number' && Number.isFinite(v)) schema[key] = v;
        else if (
          typeof v === 'boolean' &&
          (key === 'exclusiveMinimum' || key === 'exclusiveMaximum')
        )
          continue;
        else
          result.problems.push({
            path: `${optPointer}/${key}`,
            message: 'must be a finite number',
          });
      }
      if (opts['exclusiveMinimum'] === true && typeof schema['minimum'] === 'number') {
        schema['exclusiveMinimum'] = schema['minimum'];
        delete schema['minimum'];
      }
      if (opts['exclusiveMaximum'] === true && typeof schema['maximum'] === 'number') {
        schema['exclusiveMaximum'] = schema['maximum'];
        delete schema['maximum'];
      }
    }
    if (lt === 'array') {
      for (const key of ['minItems', 'maxItems']) {
        const v = opts[key];
        if (v === undefined) continue;
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0) schema[key] = v;
        else
          result.problems.push({
            path: `${optPointer}/${key}`,
            message: 'must be a non-negative integer',
          });
      }
      if (opts['uniqueItems'] === true) schema['uniqueItems'] = true;
      if (prop.items !== undefined && typeof prop.items === 'object' && prop.items !== null) {
        schema['items'] = node(
          prop.items,
          `${pointer}/items`,
          itemFieldPath(fieldPath),
          'item',
          depth + 1,
        ).schema;
      }
    }
    if (lt === 'object' || presence === 'root' || Array.isArray(prop.properties)) {
      const children = Array.isArray(prop.properties) ? prop.properties : [];
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      const optRequired = Array.isArray(opts['required']) ? (opts['required'] as unknown[]) : [];
      children.forEach((child, c) => {
        const childPointer = `${pointer}/properties/${c}`;
        if (typeof child !== 'object' || child === null || typeof child.name !== 'string') {
          result.problems.push({
            path: `${childPointer}/name`,
            message: 'a property needs a name to be validated',
          });
          return;
        }
        const childPath = childFieldPath(fieldPath, child.name);
        const isRequired = child.required === true || optRequired.includes(child.name);
        const built = node(
          child,
          childPointer,
          childPath,
          isRequired ? 'required' : 'optional',
          depth + 1,
        );
        properties[child.name] = built.schema;
        if (isRequired) required.push(child.name);
        else if (built.requiredByNullRule) {
          required.push(child.name);
          result.nullRequired.add(childPath);
        }
      });
      for (const name of optRequired) {
        if (typeof name === 'string' && !required.includes(name)) required.push(name);
      }
      if (lt === undefined && presence === 'root') schema['type'] = 'object';
      schema['properties'] = properties;
      if (required.length > 0) schema['required'] = required;
      for (const key of ['minProperties', 'maxProperties']) {
        const v = opts[key];
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0) schema[key] = v;
      }
      if (options.strict) schema['additionalProperties'] = false;
    }
    if (patterns.length === 1) schema['pattern'] = patterns[0];
    else if (patterns.length > 1) schema['allOf'] = patterns.map((p) => ({ pattern: p }));
    if (hasEnum)
      schema['enum'] = nullable && !enumValues.includes(null) ? [...enumValues, null] : enumValues;
    if (missingValues !== undefined) schema['not'] = { enum: missingValues };
    return { schema, requiredByNullRule };
  };

  const pointer = `/schema/${index}`;
  if (schemaObject.logicalType !== undefined && schemaObject.logicalType !== 'object') {
    result.problems.push({
      path: `${pointer}/logicalType`,
      message: `a schema object validated per record must be an object, not ${JSON.stringify(schemaObject.logicalType)}`,
    });
  }
  result.schema = node(schemaObject, pointer, '', 'root').schema;
  return result;
}

function defaultTemporalFormat(lt: string, timezone: boolean): string {
  if (lt === 'date') return 'date';
  if (lt === 'time') return timezone ? 'time' : 'iso-time';
  return timezone ? 'date-time' : 'iso-date-time';
}
