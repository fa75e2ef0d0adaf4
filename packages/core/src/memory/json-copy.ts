import type { OptionProblem } from './options-problems';

/**
 * Deep-copies a JSON value, recording a problem (with its path) for anything JSON cannot hold:
 * `undefined`, functions, symbols, bigints, non-finite numbers, cycles and non-plain objects.
 */
export function copyJson(
  value: unknown,
  path: string,
  problems: OptionProblem[],
  seen = new Set<object>(),
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
          return value.map((v, i) => copyJson(v, `${path}[${i}]`, problems, seen));
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) {
          problems.push({ path, message: 'must be a plain object' });
          return null;
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value))
          setOwn(out, k, copyJson(v, `${path}.${k}`, problems, seen));
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
