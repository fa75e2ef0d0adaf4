/**
 * The values a sidecar saw most recently in each (dataset, field), to tell a repeated value of a
 * `unique` field from a new one. Bounded: each field remembers its last `capacity` distinct values
 * (first in, first out), so memory stays flat whatever the traffic. A retrying producer repeats a
 * record within seconds, well inside that horizon; duplicates further apart are not seen here.
 * Values never leave the process (they may be personal data): only the fact "repeated" does.
 */
export class RecentValues {
  readonly #capacity: number;
  readonly #scopes = new Map<string, Map<string, true>>();
  readonly #maxScopes: number;

  /**
   * @param capacity distinct values remembered per (dataset, field); 0 remembers nothing.
   * @param maxScopes (dataset, field) pairs tracked at once; the oldest is forgotten past it.
   */
  constructor(capacity: number, maxScopes = 1024) {
    this.#capacity = capacity;
    this.#maxScopes = maxScopes;
  }

  /** Remembers `value` for the scope and says whether it was already among the remembered ones. */
  repeated(scope: string, value: unknown): boolean {
    if (this.#capacity <= 0) return false;
    const key = keyOf(value);
    if (key === undefined) return false;
    let seen = this.#scopes.get(scope);
    if (seen === undefined) {
      if (this.#scopes.size >= this.#maxScopes) {
        const oldest = this.#scopes.keys().next().value as string;
        this.#scopes.delete(oldest);
      }
      seen = new Map();
      this.#scopes.set(scope, seen);
    }
    if (seen.has(key)) return true;
    seen.set(key, true);
    if (seen.size > this.#capacity) seen.delete(seen.keys().next().value as string);
    return false;
  }

  /** Forgets everything (a registry change may re-key datasets). */
  clear(): void {
    this.#scopes.clear();
  }
}

/** Values long enough to be keys are kept as they are; objects and arrays are not judged. */
function keyOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      // a prefix keeps numbers and strings apart ("1" vs 1); very long values are not ids
      return value.length <= 256 ? `s${value}` : undefined;
    case 'number':
      return Number.isFinite(value) ? `n${value}` : undefined;
    case 'bigint':
      return `n${value}`;
    case 'boolean':
      return `b${value}`;
    default:
      return undefined;
  }
}
