import { formatReasonCode } from '@signal-factory/core';
import RE2 from 're2';

import type { GateOutcome } from '../types';

/** A topic pattern: an anchored RE2 regular expression; the URN may use `$1`…`$9` for its groups. */
export interface ResolutionPattern {
  pattern: string;
  urn: string;
}

/** Where topics map to dataset URNs. */
export interface ResolutionMap {
  /** Topic → URN, checked first. */
  exact: Readonly<Record<string, string>>;
  /** Checked in order when no exact entry matches. */
  patterns: readonly ResolutionPattern[];
}

export interface ResolutionOutcome extends GateOutcome {
  /** The dataset URN, or null when unresolved. */
  datasetUrn: string | null;
}

const UNRESOLVED: ResolutionOutcome = Object.freeze({
  result: 'WARN',
  reasonCodes: Object.freeze([formatReasonCode('UNRESOLVED_TOPIC')]) as unknown as string[],
  datasetUrn: null,
}) as ResolutionOutcome;

/**
 * Gate G1: topic → dataset URN, exact map first, then patterns in order. Unresolved is a WARN
 * finding (`UNRESOLVED_TOPIC`), never an exception. Results are cached per topic (bounded).
 */
export class ResolutionGate {
  readonly #exact: Map<string, string>;
  readonly #patterns: Array<{ regex: RE2; urn: string }>;
  readonly #cache = new Map<string, ResolutionOutcome>();
  readonly #cacheSize: number;

  constructor(map: ResolutionMap, options: { cacheSize?: number } = {}) {
    this.#exact = new Map(Object.entries(map.exact));
    this.#patterns = map.patterns.map((p) => ({
      regex: new RE2(`^(?:${p.pattern})$`, 'u'),
      urn: p.urn,
    }));
    this.#cacheSize = options.cacheSize ?? 10_000;
  }

  /** The URN of `topic`, or null. */
  resolveUrn(topic: string): string | null {
    return this.evaluate(topic).datasetUrn;
  }

  evaluate(topic: string): ResolutionOutcome {
    const cached = this.#cache.get(topic);
    if (cached !== undefined) return cached;
    const outcome = this.#resolve(topic);
    if (this.#cache.size >= this.#cacheSize) this.#cache.clear();
    this.#cache.set(topic, outcome);
    return outcome;
  }

  #resolve(topic: string): ResolutionOutcome {
    const exact = this.#exact.get(topic);
    if (exact !== undefined) return { result: 'PASS', reasonCodes: [], datasetUrn: exact };
    for (const { regex, urn } of this.#patterns) {
      const match = regex.exec(topic);
      if (match !== null) {
        const resolved = urn.replace(/\$([1-9])/g, (_, n: string) => match[Number(n)] ?? '');
        return { result: 'PASS', reasonCodes: [], datasetUrn: resolved };
      }
    }
    return UNRESOLVED;
  }
}
