import { failureSignatureId } from '@signal-factory/core';

/**
 * A bounded memo for `failureSignatureId`: failing records of one incident share their gates and
 * reason codes, so hashing once per distinct combination keeps SHA-256 off the per-record path.
 * Cleared when full (the combinations of a healthy platform are few).
 */
export class SignatureCache {
  readonly #cache = new Map<string, string>();
  readonly #max: number;

  constructor(maxEntries = 10_000) {
    this.#max = maxEntries;
  }

  /** The signature id, or `undefined` when the input cannot be hashed (e.g. a lone surrogate). */
  idOf(
    datasetUrn: string | null,
    failedGates: readonly string[],
    reasonCodes: readonly string[],
  ): string | undefined {
    const key = `${datasetUrn ?? ''}\u0000${failedGates.join('\u0001')}\u0000${reasonCodes.join('\u0001')}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    let id: string;
    try {
      id = failureSignatureId({ datasetUrn, failedGates, reasonCodes });
    } catch {
      return undefined;
    }
    if (this.#cache.size >= this.#max) this.#cache.clear();
    this.#cache.set(key, id);
    return id;
  }

  get size(): number {
    return this.#cache.size;
  }
}
