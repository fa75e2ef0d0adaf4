import { fullFormats } from 'ajv-formats/dist/formats.js';
import { childFieldPath, itemFieldPath } from '@signal-factory/core';
import { stringify } from 'yaml';
import { CONTRACT_ERROR_CODES, contractError } from '../errors';
import type { OdcsContract, OdcsProperty } from '../types';
import { wilsonLowerBound } from './wilson';

export interface InferOptions {
  /** Contract id. Default `urn:dp:inferred:<name>`. */
  id?: string;
  /** Schema object name. Default `records`. */
  name?: string;
  /** `physicalName` of the schema object (e.g. the topic). */
  physicalName?: string;
  /** Contract version. Default `0.1.0`. */
  version?: string;
  /** A field is drafted as required only when the Wilson lower bound of its non-null presence is at least this. Default 0.95. */
  minRequiredConfidence?: number;
  /** Strings with at most this many distinct values become an enum (invalidValues/validValues). Default 10. */
  maxEnumValues?: number;
  /** A string field needs at least this many non-null values to be drafted as an enum. Default 30. */
  minEnumSamples?: number;
  /** Most field paths tracked (memory bound). Default 2000. */
  maxFields?: number;
  /** Deepest nesting followed; deeper values are left untyped. Default 16. */
  maxDepth?: number;
}

export interface FieldConfidence {
  /** Wilson lower bound (95 %) of "present and non-null" among the records that could carry the field. */
  presence: number;
  /** Share of null values among the records where the field was present. */
  nullRate: number;
  /** Records (or array items) that could carry the field. */
  samples: number;
  /** Whether the draft marks it required. */
  required: boolean;
}

export interface InferResult {
  contract: OdcsContract;
  /** The draft as YAML, for a person to review. */
  yaml: string;
  /** Per field path. */
  confidence: Record<string, FieldConfidence>;
  /** Samples that were not objects and were skipped. */
  skipped: number;
}

interface Stats {
  present: number;
  nulls: number;
  strings: number;
  integers: number;
  floats: number;
  booleans: number;
  objects: number;
  arrays: number;
  minNumber: number;
  maxNumber: number;
  formats: Record<string, number>;
  tz: number;
  distinct: Map<string, number> | undefined;
  children: Map<string, Stats>;
  items: Stats | undefined;
  itemCount: number;
  deep: boolean;
}

function newStats(): Stats {
  return {
    present: 0,
    nulls: 0,
    strings: 0,
    integers: 0,
    floats: 0,
    booleans: 0,
    objects: 0,
    arrays: 0,
    minNumber: Infinity,
    maxNumber: -Infinity,
    formats: { email: 0, uuid: 0, 'iso-date-time': 0, date: 0 },
    tz: 0,
    distinct: new Map(),
    children: new Map(),
    items: undefined,
    itemCount: 0,
    deep: false,
  };
}

type FormatCheck = (s: string) => boolean;
function checker(name: keyof typeof fullFormats): FormatCheck {
  const f = fullFormats[name] as unknown;
  if (f instanceof RegExp) return (s) => f.test(s);
  if (typeof f === 'function') return f as FormatCheck;
  return (f as { validate: FormatCheck }).validate;
}
const FORMAT_CHECKS: Array<[string, FormatCheck]> = [
  ['email', checker('email')],
  ['uuid', checker('uuid')],
  ['iso-date-time', checker('iso-date-time')],
  ['date', checker('date')],
];
const TZ = /(?:z|[+-]\d\d(?::?\d\d)?)$/i;

/**
 * Drafts an ODCS v3.1.0 contract from sample records: logical types, formats, enums for
 * low-cardinality strings, required fields with a Wilson lower-bound confidence, nullability and
 * numeric ranges. Every sample passes the draft; the YAML lints clean.
 */
export function inferContract(samples: Iterable<unknown>, options: InferOptions = {}): InferResult {
  const name = options.name ?? 'records';
  const minConfidence = options.minRequiredConfidence ?? 0.95;
  const maxEnum = options.maxEnumValues ?? 10;
  const minEnumSamples = options.minEnumSamples ?? 30;
  const maxFields = options.maxFields ?? 2000;
  const maxDepth = options.maxDepth ?? 16;
  let fields = 0;
  let skipped = 0;
  const root = newStats();

  const observe = (stats: Stats, value: unknown, depth: number): void => {
    stats.present += 1;
    if (value === null) {
      stats.nulls += 1;
      return;
    }
    if (typeof value === 'string') {
      stats.strings += 1;
      for (const [fmt, check] of FORMAT_CHECKS)
        if (check(value)) stats.formats[fmt] = (stats.formats[fmt] ?? 0) + 1;
      if (TZ.test(value)) stats.tz += 1;
      if (stats.distinct !== undefined) {
        if (value.length > 64) stats.distinct = undefined;
        else {
          stats.distinct.set(value, (stats.distinct.get(value) ?? 0) + 1);
          if (stats.distinct.size > maxEnum) stats.distinct = undefined;
        }
      }
    } else if (typeof value === 'number') {
      if (Number.isInteger(value)) stats.integers += 1;
      else stats.floats += 1;
      if (value < stats.minNumber) stats.minNumber = value;
      if (value > stats.maxNumber) stats.maxNumber = value;
    } else if (typeof value === 'boolean') {
      stats.booleans += 1;
    } else if (Array.isArray(value)) {
      stats.arrays += 1;
      if (depth >= maxDepth) {
        stats.deep = true;
        return;
      }
      if (stats.items === undefined) stats.items = newStats();
      for (const item of value) {
        stats.itemCount += 1;
        observe(stats.items, item, depth + 1);
      }
    } else if (typeof value === 'object') {
      stats.objects += 1;
      if (depth >= maxDepth) {
        stats.deep = true;
        return;
      }
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        if (child === undefined) continue;
        let s = stats.children.get(key);
        if (s === undefined) {
          if (fields >= maxFields) {
            stats.deep = true;
            continue;
          }
          fields += 1;
          s = newStats();
          stats.children.set(key, s);
        }
        observe(s, child, depth + 1);
      }
    } else {
      stats.deep = true; // undefined, bigint, function: not JSON
    }
  };

  let count = 0;
  for (const sample of samples) {
    if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) {
      skipped += 1;
      continue;
    }
    count += 1;
    observe(root, sample, 0);
  }
  if (count === 0) {
    throw contractError(
      CONTRACT_ERROR_CODES.INFERENCE,
      'inference needs at least one object sample',
      {
        problems: [{ path: 'samples', message: `no object samples (${skipped} skipped)` }],
      },
    );
  }

  const confidence: Record<string, FieldConfidence> = {};

  const build = (
    key: string,
    stats: Stats,
    opportunities: number,
    path: string,
    isItem: boolean,
  ): OdcsProperty => {
    const prop: OdcsProperty = isItem ? {} : { name: key };
    const nonNull = stats.present - stats.nulls;
    const kinds = [
      stats.strings > 0,
      stats.integers + stats.floats > 0,
      stats.booleans > 0,
      stats.objects > 0,
      stats.arrays > 0,
    ].filter(Boolean).length;
    const presence = wilsonLowerBound(nonNull, opportunities);
    const allPresent = nonNull === opportunities && opportunities > 0;
    // Array items carry no `required`; an item that was null somewhere stays untyped (items are non-nullable).
    const typed = kinds === 1 && !stats.deep && (!isItem || stats.nulls === 0);
    const required = !isItem && allPresent && presence >= minConfidence;
    if (typed) {
      if (stats.strings > 0) {
        const f = stats.formats;
        if (f['iso-date-time'] === stats.strings) {
          prop.logicalType = 'timestamp';
          if (stats.tz === stats.strings) prop.logicalTypeOptions = { timezone: true };
        } else if (f['date'] === stats.strings) {
          prop.logicalType = 'date';
        } else {
          prop.logicalType = 'string';
          if (f['uuid'] === stats.strings) prop.logicalTypeOptions = { format: 'uuid' };
          else if (f['email'] === stats.strings) prop.logicalTypeOptions = { format: 'email' };
          else if (
            stats.distinct !== undefined &&
            stats.strings >= minEnumSamples &&
            stats.distinct.size * 3 <= stats.strings
          ) {
            prop.quality = [
              {
                type: 'library',
                metric: 'invalidValues',
                arguments: { validValues: [...stats.distinct.keys()].sort() },
                mustBe: 0,
                description: `inferred from ${stats.strings} values`,
              },
            ];
          }
        }
      } else if (stats.integers + stats.floats > 0) {
        prop.logicalType = stats.floats > 0 ? 'number' : 'integer';
        prop.logicalTypeOptions = { minimum: stats.minNumber, maximum: stats.maxNumber };
      } else if (stats.booleans > 0) {
        prop.logicalType = 'boolean';
      } else if (stats.objects > 0) {
        prop.logicalType = 'object';
        prop.properties = [...stats.children.entries()].map(([k, s]) =>
          build(k, s, stats.objects, childFieldPath(path, k), false),
        );
      } else if (stats.arrays > 0) {
        prop.logicalType = 'array';
        if (stats.items !== undefined && stats.itemCount > 0) {
          prop.items = build('', stats.items, stats.itemCount, itemFieldPath(path), true);
        }
      }
    }
    if (!isItem) {
      prop.required = required;
      confidence[path] = {
        presence: round(presence),
        nullRate: round(stats.present === 0 ? 0 : stats.nulls / stats.present),
        samples: opportunities,
        required,
      };
      prop.customProperties = [
        {
          property: 'signalFactory.inference',
          value: {
            presenceConfidence: round(presence),
            nullRate: confidence[path].nullRate,
            samples: opportunities,
          },
        },
      ];
    }
    return prop;
  };

  const properties = [...root.children.entries()].map(([k, s]) =>
    build(k, s, count, childFieldPath('', k), false),
  );
  const contract: OdcsContract = {
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: options.id ?? `urn:dp:inferred:${name}`,
    name,
    version: options.version ?? '0.1.0',
    status: 'draft',
    description: {
      purpose: `Draft inferred from ${count} sample records; review before publishing.`,
    },
    schema: [
      {
        name,
        ...(options.physicalName === undefined ? {} : { physicalName: options.physicalName }),
        physicalType: 'topic',
        logicalType: 'object',
        properties,
      },
    ],
  };
  return { contract, yaml: stringify(contract, { lineWidth: 0 }), confidence, skipped };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
