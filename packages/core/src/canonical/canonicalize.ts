import { CORE_ERROR_CODES } from '../errors/codes';
import { SignalFactoryError } from '../errors/signal-factory-error';

/** A JSON value as `canonicalize` accepts it. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Internal: carries the problem up while each container adds its path segment (paths are built only on error). */
class Unsupported {
  readonly segments: Array<string | number> = [];
  constructor(readonly problem: string) {}
}

const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

function serializeString(s: string): string {
  // RFC 8785 §3.2.2.2 builds on I-JSON (RFC 7493), which forbids lone surrogates.
  if (!isWellFormed(s)) throw new Unsupported('string contains a lone UTF-16 surrogate');
  // JSON.stringify escapes exactly as RFC 8785 asks: \b \t \n \f \r \" \\ and \u00xx (lowercase) for other controls.
  return JSON.stringify(s);
}

function serialize(value: unknown, stack: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Unsupported(`${String(value)} is not a JSON number`);
      // ECMAScript Number::toString is the RFC 8785 number format; -0 serialises as 0.
      return value === 0 ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      throw new Unsupported('undefined is not JSON');
    case 'bigint':
      throw new Unsupported('bigint is not JSON (convert it to a string or number first)');
    case 'function':
    case 'symbol':
      throw new Unsupported(`a ${typeof value} is not JSON`);
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return serialize(toJSON.call(object), stack);
  if (stack.has(object)) throw new Unsupported('the value contains a cycle');
  stack.add(object);
  let out: string;
  if (Array.isArray(object)) {
    out = '[';
    let i = 0;
    try {
      for (; i < object.length; i++) {
        if (i > 0) out += ',';
        out += serialize(object[i], stack);
      }
    } catch (error) {
      if (error instanceof Unsupported) error.segments.push(i);
      throw error;
    }
    out += ']';
  } else {
    // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
    const keys = Object.keys(object).sort();
    out = '{';
    let key = '';
    try {
      for (let i = 0; i < keys.length; i++) {
        key = keys[i] as string;
        if (i > 0) out += ',';
        out += serializeString(key);
        out += ':';
        out += serialize((object as Record<string, unknown>)[key], stack);
      }
    } catch (error) {
      if (error instanceof Unsupported) error.segments.push(key);
      throw error;
    }
    out += '}';
  }
  stack.delete(object);
  return out;
}

/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no whitespace,
 * numbers in ECMAScript form, strings with minimal escaping. Objects with `toJSON` (e.g. `Date`)
 * are serialised through it, as `JSON.stringify` does.
 * @throws SignalFactoryError `SF_ERR_CANONICAL_UNSUPPORTED` for NaN/±Infinity, undefined (also as a
 * property value), bigint, functions, symbols, cycles and lone surrogates; `details.path` says where
 * (`a.b[2]`, `''` for the value itself).
 */
export function canonicalize(value: unknown): string {
  try {
    return serialize(value, new Set());
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    let path = '';
    for (let i = error.segments.length - 1; i >= 0; i--) {
      const segment = error.segments[i] as string | number;
      path += typeof segment === 'number' ? `[${segment}]` : path === '' ? segment : `.${segment}`;
    }
    throw new SignalFactoryError(
      CORE_ERROR_CODES.CANONICAL_UNSUPPORTED,
      `Cannot canonicalize ${path === '' ? 'the value' : `"${path}"`}: ${error.problem}`,
      { details: { path, problem: error.problem } },
    );
  }
}
