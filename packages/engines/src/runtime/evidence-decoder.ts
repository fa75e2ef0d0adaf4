import { evidenceProblems, isEvidence, type Evidence } from '@signal-factory/core';

/** A decoded evidence record: the document, or why it is not Evidence v1. */
export type Decoded =
  { evidence: Evidence; problem?: undefined } | { evidence?: undefined; problem: string };

/**
 * Parses and validates evidence once per process, whatever the number of engine groups reading
 * it: each group looks the record's text up and the entry is dropped once every group has read
 * it (bounded besides, so a stopped group cannot grow it). The decoded document is shared and
 * must be treated as read-only by engines.
 */
export class EvidenceDecoder {
  readonly #readers: number;
  readonly #max: number;
  readonly #cache = new Map<string, { decoded: Decoded; reads: number }>();

  constructor(readers: number, max = 20_000) {
    this.#readers = readers;
    this.#max = max;
  }

  decode(value: string): Decoded {
    if (this.#readers <= 1) return decodeOnce(value);
    const hit = this.#cache.get(value);
    if (hit !== undefined) {
      hit.reads += 1;
      if (hit.reads >= this.#readers) this.#cache.delete(value);
      return hit.decoded;
    }
    const decoded = decodeOnce(value);
    if (this.#cache.size >= this.#max) {
      // Drop the oldest tenth (Map iterates in insertion order).
      let drop = Math.ceil(this.#max / 10);
      for (const key of this.#cache.keys()) {
        this.#cache.delete(key);
        if (--drop === 0) break;
      }
    }
    this.#cache.set(value, { decoded, reads: 1 });
    return decoded;
  }

  /** Entries waiting for other groups (for tests and metrics). */
  get size(): number {
    return this.#cache.size;
  }
}

function decodeOnce(value: string): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
  if (isEvidence(parsed)) return { evidence: parsed };
  return {
    problem: evidenceProblems(parsed)
      .slice(0, 5)
      .map((p) => `${p.path} ${p.message}`)
      .join('; '),
  };
}
