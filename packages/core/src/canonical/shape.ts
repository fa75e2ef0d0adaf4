import { CORE_ERROR_CODES } from '../errors/codes';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { childFieldPath, itemFieldPath } from '../reason-codes/field-path';
import { sha256Hex } from './sha256';

/** JSON type of a value at a field path. Integers and fractions are both `number`. */
export type ShapeType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** One (field path, JSON type) pair of a structural shape. */
export interface ShapeEntry {
  /** Field path: `''` for the root, `a.b`, `items[]`, `items[].sku` (see field paths in the README). */
  path: string;
  type: ShapeType;
}

/** A schema fingerprint: `sha256:` and 64 lowercase hex digits. */
export type SchemaFingerprint = `sha256:${string}`;

/** Default deepest nesting the walker follows before throwing `SF_ERR_SHAPE_TOO_DEEP`. */
export const SHAPE_DEFAULT_MAX_DEPTH = 64;

// Type ranks sort like the type names (array < boolean < null < number < object < string), so
// sorting `<path>\u0000<rank>` strings sorts entries by path, then type.
const TYPE_RANK: Record<ShapeType, string> = {
  array: '0',
  boolean: '1',
  null: '2',
  number: '3',
  object: '4',
  string: '5',
};
const RANK_TYPE: readonly ShapeType[] = ['array', 'boolean', 'null', 'number', 'object', 'string'];

function typeOf(value: unknown): ShapeType | undefined {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'array' : 'object';
    default:
      return undefined; // undefined, functions, symbols: absent, as in JSON.stringify
  }
}

interface Walk {
  /** De-duplicated `<path>\u0000<type rank>` entries. */
  seen: Set<string>;
  maxDepth: number;
}

function walk(value: unknown, path: string, depth: number, state: Walk): void {
  const type = typeOf(value);
  if (type === undefined) return;
  state.seen.add(`${path}\u0000${TYPE_RANK[type]}`);
  if (type !== 'object' && type !== 'array') return;
  if (depth >= state.maxDepth) tooDeep(path, state.maxDepth);
  if (type === 'array') {
    const items = value as unknown[];
    const itemPath = itemFieldPath(path);
    for (let i = 0; i < items.length; i++) walk(items[i], itemPath, depth + 1, state);
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    walk(object[key], childFieldPath(path, key), depth + 1, state);
  }
}

function compareEntries(a: ShapeEntry, b: ShapeEntry): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function entryOf(item: string): ShapeEntry {
  const cut = item.length - 2;
  return { path: item.slice(0, cut), type: RANK_TYPE[Number(item[cut + 1])] as ShapeType };
}

/** SHA-256 of `[[path, type], …]` (RFC 8785 form; JSON.stringify is identical for these strings). */
function hashSortedItems(items: readonly string[]): SchemaFingerprint {
  let json = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as string;
    const cut = item.length - 2;
    if (i > 0) json += ',';
    json += `[${JSON.stringify(item.slice(0, cut))},"${RANK_TYPE[Number(item[cut + 1])] as ShapeType}"]`;
  }
  return `sha256:${sha256Hex(`${json}]`)}`;
}

/**
 * The structural shape of a JSON value: the sorted set of (field path, JSON type) pairs, including
 * the root (`''`), nested objects and arrays. Array items are merged under `path[]`, so arrays of
 * any length with same-shaped items have the same shape. Values play no part; key order neither.
 * @throws SignalFactoryError `SF_ERR_SHAPE_TOO_DEEP` beyond `maxDepth` (default 64).
 */
export function shapeOf(value: unknown, options: { maxDepth?: number } = {}): ShapeEntry[] {
  const state: Walk = {
    seen: new Set(),
    maxDepth: options.maxDepth ?? SHAPE_DEFAULT_MAX_DEPTH,
  };
  walk(value, '', 0, state);
  return [...state.seen].sort().map(entryOf);
}

/**
 * Fingerprint of a shape: `sha256:<hex>` of the RFC 8785 canonical JSON of the sorted
 * `[[path, type], …]` list. Input order does not matter; duplicates count once.
 * @throws SignalFactoryError `SF_ERR_CORE_ARGUMENT_INVALID` for an entry with an unknown type.
 */
export function fingerprintShape(entries: readonly ShapeEntry[]): SchemaFingerprint {
  const unique = new Set<string>();
  for (const entry of entries) {
    const rank = typeof entry?.path === 'string' ? TYPE_RANK[entry.type] : undefined;
    if (rank === undefined) {
      throw new SignalFactoryError(
        CORE_ERROR_CODES.ARGUMENT_INVALID,
        'fingerprintShape expects [{path: string, type: "object" | "array" | "string" | "number" | "boolean" | "null"}]',
        { details: { path: 'entries' } },
      );
    }
    unique.add(`${entry.path}\u0000${rank}`);
  }
  return hashSortedItems([...unique].sort());
}

function fingerprintOf(value: unknown, maxDepth: number): SchemaFingerprint {
  const state: Walk = { seen: new Set(), maxDepth };
  walk(value, '', 0, state);
  return hashSortedItems([...state.seen].sort());
}

/** Options of `createShapeFingerprinter`. */
export interface ShapeFingerprinterOptions {
  /** Distinct encounter-order shapes remembered; the cache is cleared when full. Default 10 000; 0 disables. */
  cacheSize?: number;
  /** Deepest nesting followed. Default 64. */
  maxDepth?: number;
}

/** A fingerprinter with its own cache; see `shapeFingerprint`. */
export interface ShapeFingerprinter {
  fingerprint(value: unknown): SchemaFingerprint;
  /** Number of cached encounter-order shapes. */
  readonly cacheEntries: number;
  clear(): void;
}

function tooDeep(path: string, maxDepth: number): never {
  throw new SignalFactoryError(
    CORE_ERROR_CODES.SHAPE_TOO_DEEP,
    `Value nests deeper than ${maxDepth} levels at "${path}"`,
    {
      details: { path, maxDepth },
    },
  );
}

/**
 * A compact, encounter-order description of a value's structure used only as a cache key:
 * `{<len>#<key><type>…}` for objects (length-prefixed keys need no escaping), `[<distinct item
 * keys>]` for arrays, one letter for scalars. Equal keys imply equal shapes.
 */
function skeleton(value: unknown, depth: number, maxDepth: number): string {
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
    case 'bigint':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object':
      break;
    default:
      return 'u';
  }
  if (value === null) return 'z';
  if (depth >= maxDepth) tooDeep('', maxDepth);
  if (Array.isArray(value)) {
    let out = '[';
    let previous = '';
    let distinct: string[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = skeleton(value[i], depth + 1, maxDepth);
      if (item === previous) continue;
      if (i > 0) {
        distinct ??= [previous];
        if (distinct.includes(item)) continue;
        distinct.push(item);
      }
      previous = item;
      out += item;
      out += ',';
    }
    return out + ']';
  }
  let out = '{';
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    out += key.length;
    out += '#';
    out += key;
    out += skeleton(object[key], depth + 1, maxDepth);
  }
  return out + '}';
}

/**
 * Creates a shape fingerprinter with its own cache. Records of one dataset mostly share a key
 * order, so an encounter-order skeleton of the value is a cheap cache key: a hit skips building
 * paths, sorting and hashing.
 */
export function createShapeFingerprinter(
  options: ShapeFingerprinterOptions = {},
): ShapeFingerprinter {
  const cacheSize = options.cacheSize ?? 10_000;
  const maxDepth = options.maxDepth ?? SHAPE_DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new SignalFactoryError(
      CORE_ERROR_CODES.ARGUMENT_INVALID,
      'cacheSize must be an integer >= 0',
      {
        details: { path: 'cacheSize' },
      },
    );
  }
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new SignalFactoryError(
      CORE_ERROR_CODES.ARGUMENT_INVALID,
      'maxDepth must be an integer >= 1',
      {
        details: { path: 'maxDepth' },
      },
    );
  }
  const cache = new Map<string, SchemaFingerprint>();
  return {
    fingerprint(value: unknown): SchemaFingerprint {
      if (cacheSize === 0) return fingerprintOf(value, maxDepth);
      const key = skeleton(value, 0, maxDepth);
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const fingerprint = fingerprintOf(value, maxDepth);
      if (cache.size >= cacheSize) cache.clear();
      cache.set(key, fingerprint);
      return fingerprint;
    },
    get cacheEntries() {
      return cache.size;
    },
    clear() {
      cache.clear();
    },
  };
}

let defaultFingerprinter: ShapeFingerprinter | undefined;

/**
 * `sha256:<hex>` fingerprint of the structural shape of `value` (see `shapeOf`): equal for records
 * with the same fields and types whatever their values or key order; different when a field is
 * added, removed or changes type. Uses a shared cache of 10 000 shapes.
 */
export function shapeFingerprint(value: unknown): SchemaFingerprint {
  defaultFingerprinter ??= createShapeFingerprinter();
  return defaultFingerprinter.fingerprint(value);
}

/** How two shapes differ, by field path. */
export interface ShapeDiff {
  /** Paths present only in `after`. */
  added: ShapeEntry[];
  /** Paths present only in `before`. */
  removed: ShapeEntry[];
  /** Paths present in both whose set of types changed. */
  retyped: Array<{ path: string; before: ShapeType[]; after: ShapeType[] }>;
}

/** Compares two shapes (e.g. last-good and first-bad) for drift classification. */
export function diffShapes(before: readonly ShapeEntry[], after: readonly ShapeEntry[]): ShapeDiff {
  const group = (entries: readonly ShapeEntry[]): Map<string, ShapeType[]> => {
    const map = new Map<string, ShapeType[]>();
    for (const { path, type } of entries) {
      const types = map.get(path);
      if (types === undefined) map.set(path, [type]);
      else if (!types.includes(type)) types.push(type);
    }
    for (const types of map.values()) types.sort();
    return map;
  };
  const a = group(before);
  const b = group(after);
  const diff: ShapeDiff = { added: [], removed: [], retyped: [] };
  for (const [path, types] of b) {
    const old = a.get(path);
    if (old === undefined) for (const type of types) diff.added.push({ path, type });
    else if (old.join() !== types.join()) diff.retyped.push({ path, before: old, after: types });
  }
  for (const [path, types] of a)
    if (!b.has(path)) for (const type of types) diff.removed.push({ path, type });
  diff.added.sort(compareEntries);
  diff.removed.sort(compareEntries);
  diff.retyped.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return diff;
}
