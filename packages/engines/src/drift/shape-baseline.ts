import type { ShapeEntry, ShapeType } from '@signal-factory/core';
import type { DriftCounters, DriftKind, ShapeDelta } from './types';

const BIT: Record<ShapeType, number> = {
  object: 1,
  array: 2,
  string: 4,
  number: 8,
  boolean: 16,
  null: 32,
};

const MAX_LISTED = 20;

/** Structural contract codes: a record of this shape misses a field or has another type. */
export const BREAKING_CODES: ReadonlySet<string> = new Set([
  'MISSING_FIELD',
  'TYPE_MISMATCH',
  'NULL_VIOLATION',
]);

/** The bare code of `CODE[:…]`. */
export function bareCode(code: string): string {
  const cut = code.indexOf(':');
  return cut === -1 ? code : code.slice(0, cut);
}

/**
 * Merges one baseline shape into the union. `required` keeps the paths present in every merged
 * shape (the first shape seeds it). Returns false when the union would exceed `maxPaths`.
 */
export function mergeShape(
  union: Record<string, number>,
  required: string[] | undefined,
  entries: readonly ShapeEntry[],
  maxPaths: number,
): { ok: boolean; required: string[] } {
  const paths = new Set<string>();
  let added = 0;
  for (const { path } of entries) {
    paths.add(path);
    if (union[path] === undefined) added += 1;
  }
  if (Object.keys(union).length + added > maxPaths) return { ok: false, required: required ?? [] };
  for (const { path, type } of entries) union[path] = (union[path] ?? 0) | BIT[type];
  const next = required === undefined ? [...paths].sort() : required.filter((p) => paths.has(p));
  return { ok: true, required: next };
}

/** Adds `path:type` entries (as kept in `ShapeDelta.added`) to the union. */
export function mergeAddedEntries(union: Record<string, number>, added: readonly string[]): void {
  for (const item of added) {
    const cut = item.lastIndexOf(':');
    if (cut < 0) continue;
    const bit = BIT[item.slice(cut + 1) as ShapeType] as number | undefined;
    if (bit === undefined) continue;
    const path = item.slice(0, cut);
    union[path] = (union[path] ?? 0) | bit;
  }
}

/** How a shape differs from the baseline union. */
export function deltaOf(
  union: Record<string, number>,
  required: readonly string[],
  entries: readonly ShapeEntry[],
): ShapeDelta & { empty: boolean } {
  const added: string[] = [];
  const retyped: string[] = [];
  const present = new Set<string>();
  let addedCount = 0;
  let retypedCount = 0;
  let nullOnly = true;
  for (const { path, type } of entries) {
    present.add(path);
    const mask = union[path];
    if (mask === undefined) {
      addedCount += 1;
      if (added.length < MAX_LISTED) added.push(`${path}:${type}`);
    } else if ((mask & BIT[type]) === 0) {
      retypedCount += 1;
      if (type !== 'null') nullOnly = false;
      if (retyped.length < MAX_LISTED) retyped.push(`${path}:${type}`);
    }
  }
  const removed: string[] = [];
  let removedCount = 0;
  for (const path of required) {
    if (present.has(path)) continue;
    // Under an array, absence may just be an empty array (a value, not a shape change).
    const item = path.lastIndexOf('[]');
    if (item !== -1 && !present.has(path.slice(0, item + 2))) continue;
    removedCount += 1;
    if (removed.length < MAX_LISTED) removed.push(path);
  }
  return {
    added,
    removed,
    retyped,
    nullOnly: retypedCount > 0 && nullOnly,
    empty: addedCount === 0 && retypedCount === 0 && removedCount === 0,
  };
}

/** For a shape whose only new structural codes are `NULL_VIOLATION`: how much of the window they are. */
export interface NullOnlyBreak {
  /** Every new structural code of the shape is `NULL_VIOLATION`. */
  only: boolean;
  /** Weight of the window's null-only breaking shapes / the window's weight. */
  share: number;
  /** Share of failing records the dataset tolerates (1 - `compliance_min`). */
  tolerance: number;
}

/** Whether every code is `NULL_VIOLATION[:…]` (and there is one). */
export function nullOnlyCodes(codes: readonly string[]): boolean {
  return codes.length > 0 && codes.every((code) => bareCode(code) === 'NULL_VIOLATION');
}

/** How the evidence classifies a drifted shape. */
export interface Classification {
  kind: DriftKind;
  /** What decided: the contract's reason codes, the sample's shape, both, or nothing. */
  by: 'contract' | 'shape' | 'contract+shape' | 'none';
}

/**
 * Classifies a drifted fingerprint from its counters (of one window) and its shape delta.
 *
 * - Contract codes MISSING_FIELD / TYPE_MISMATCH / NULL_VIOLATION that the baseline does not have,
 *   on at least half the records of the shape, mean breaking (records of one shape fail
 *   structurally alike; a value-level TYPE_MISMATCH such as 1.5 for an integer hits a few only) —
 *   except shapes whose only new code is NULL_VIOLATION while they are no more of the window than
 *   the compliance SLO tolerates (`nulls`): `unknown`, and the contract engine judges the rate.
 * - Otherwise, when a contract judged most of its records, the contract accepts the shape: its
 *   required fields are there with their types, so a missing field is an optional one and the shape
 *   is additive — unless the sample shows a field changed to a new non-null type (a field the
 *   contract does not declare): `unknown`.
 * - Without a contract the sample decides: a new non-null type for a known path is breaking; a path
 *   that every baseline shape had is gone is breaking only when shapes without it are at least
 *   `replacedShare` of the window's records (a deploy replaced the shape; a rare record lacking an
 *   optional field is not that), else `unknown`; a field that only became nullable is `unknown`;
 *   only new paths is additive. With neither contract nor sample: `unknown`.
 *
 * @param removedShare weight of this window's drifted shapes that lack a baseline path / window weight
 */
export function classify(
  c: DriftCounters,
  delta: ShapeDelta | undefined,
  removedShare = 1,
  replacedShare = 0.5,
  nulls?: NullOnlyBreak,
): Classification {
  const n = Math.max(1, c.n);
  if (c.breaking > 0 && c.breaking * 2 >= n) {
    // A required field that is sometimes null is a value problem the compliance SLO judges; the
    // shape is breaking only once such records pass what that SLO tolerates.
    if (nulls !== undefined && nulls.only && nulls.share <= nulls.tolerance)
      return { kind: 'unknown', by: delta === undefined ? 'contract' : 'contract+shape' };
    return { kind: 'breaking', by: delta === undefined ? 'contract' : 'contract+shape' };
  }
  const contract = c.checked > 0 && c.checked * 2 >= n;
  const retypes = delta !== undefined && delta.retyped.length > 0 && !delta.nullOnly;
  if (contract) {
    if (delta === undefined) return { kind: 'additive', by: 'contract' };
    return { kind: retypes ? 'unknown' : 'additive', by: 'contract+shape' };
  }
  if (delta !== undefined) {
    if (retypes) return { kind: 'breaking', by: 'shape' };
    if (delta.removed.length > 0)
      return { kind: removedShare >= replacedShare ? 'breaking' : 'unknown', by: 'shape' };
    if (delta.nullOnly) return { kind: 'unknown', by: 'shape' };
    return { kind: 'additive', by: 'shape' };
  }
  return { kind: 'unknown', by: 'none' };
}
