import type { OptionProblem } from './options-problems';

const NOT_JSON = Symbol('not JSON');
/** Deeper than this, the fast copy hands over to the checked one (which also finds cycles). */
const FAST_DEPTH = 64;

/** A copy of a JSON value, or NOT_JSON at the first thing JSON cannot hold (no paths, no cycle set). */
function fastCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NOT_JSON;
    case 'object': {
      if (value === null) return null;
      if (depth > FAST_DEPTH) return NOT_JSON;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const v = fastCopy(value[i], depth + 1);
          if (v === NOT_JSON) return NOT_JSON;
          out[i] = v;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return NOT_JSON;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const v = fastCopy((value as Record<string, unknown>)[key], depth + 1);
        if (v === NOT_JSON) return NOT_JSON;
        setOwn(out, key, v);
      }
      return out;
    }
    default:
      return NOT_JSON;
  }
}

/**
 * Deep-copies a JSON value, recording a problem (with its path) for anything JSON cannot hold:
 * `undefined`, functions, symbols, bigints, non-finite numbers, cycles and non-plain objects.
 * Valid documents (nearly all) are copied without building a path per value; the checked copy
 * runs only to say what is wrong, or past a depth where a cycle could hide.
 */
export function copyJson(
  value: unknown,
  path: string,
  problems: OptionProblem[],
  seen = new Set<object>(),
): unknown {
  if (seen.size === 0) {
    const fast = fastCopy(value, 0);
    if (fast !== NOT_JSON) return fast;
  }
  return checkedCopy(value, path, problems, seen);
}

function checkedCopy(
  value: unknown,
  path: string,
  problems: OptionProblem[],
  seen: Set<object>,
): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) problems.push({ path, message: 'must be a finite number' });
      return value;
    case 'object': {
      if (value === null) return null;
      if (seen.has(value)) {
        problems.push({ path, message: 'is a circular reference' });
        return null;
      }
      seen.add(value);
      try {
        if (Array.isArray(value))
          return value.map((v, i) => checkedCopy(v, `${path}[${i}]`, problems, seen));
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) {
          problems.push({ path, message: 'must be a plain object' });
          return null;
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value))
          setOwn(out, k, checkedCopy(v, `${path}.${k}`, problems, seen));
        return out;
      } finally {
        seen.delete(value);
      }
    }
    default:
      problems.push({ path, message: `cannot hold a ${typeof value}` });
      return null;
  }
}

/** Deep-copies a value already known to be JSON (faster than `structuredClone` for small documents). */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    setOwn(out, key, cloneJson((value as Record<string, unknown>)[key]));
  }
  return out as T;
}

/** Assigns an own property, also for the key `__proto__` (which plain assignment would not create). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
