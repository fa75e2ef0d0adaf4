/**
 * Field paths name a place in a record: object keys joined by `.`, `[]` for "any item of this
 * array" (`items[].sku`). Keys that contain `.`, `[`, `]` or `\` are escaped with `\` so a path
 * stays unambiguous. The root itself is the empty path.
 */
const NEEDS_ESCAPE = /[.[\]\\]/;
const ESCAPE = /[.[\]\\]/g;

/** Escapes one object key for use in a field path. */
export function escapeFieldPathKey(key: string): string {
  return NEEDS_ESCAPE.test(key) ? key.replace(ESCAPE, (c) => `\\${c}`) : key;
}

/** The path of key `key` inside the object at `parent` (`''` is the root). */
export function childFieldPath(parent: string, key: string): string {
  const escaped = escapeFieldPathKey(key);
  return parent === '' ? escaped : `${parent}.${escaped}`;
}

/** The path of the items of the array at `parent`. */
export function itemFieldPath(parent: string): string {
  return `${parent}[]`;
}

/**
 * Converts an RFC 6901 JSON Pointer such as ajv's `instancePath` (`/items/0/sku`) to a field path
 * (`items[].sku`). Numeric segments become `[]`: array indices are not part of a field path (an object key made
 * of digits is read as an index too; pointers do not say which it is).
 */
export function fieldPathFromJsonPointer(pointer: string): string {
  if (pointer === '') return '';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^(0|[1-9][0-9]*)$/.test(segment) ? itemFieldPath(path) : childFieldPath(path, segment);
  }
  return path;
}
