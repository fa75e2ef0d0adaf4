import type { EvidenceItem, EvidenceKind } from '../types';

/** Hands out `E<n>` refs in the order evidence is first cited, one per (kind, id). */
export class EvidenceCatalog {
  readonly #items: EvidenceItem[] = [];
  readonly #refs = new Map<string, string>();

  /** The ref of this evidence, adding it on first use. */
  cite(kind: EvidenceKind, id: string, description: string): string {
    const key = `${kind}\u0000${id}`;
    const known = this.#refs.get(key);
    if (known !== undefined) return known;
    const ref = `E${this.#items.length + 1}`;
    this.#items.push({ ref, kind, id, description });
    this.#refs.set(key, ref);
    return ref;
  }

  /** The ref already given to this evidence, if any. */
  refOf(kind: EvidenceKind, id: string): string | undefined {
    return this.#refs.get(`${kind}\u0000${id}`);
  }

  items(): EvidenceItem[] {
    return this.#items.map((item) => ({ ...item }));
  }
}

/** Unique refs, in first-seen order. */
export function uniqueRefs(...lists: (string | undefined | string[])[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const entry of lists) {
    for (const ref of Array.isArray(entry) ? entry : [entry]) {
      if (ref === undefined || seen.has(ref)) continue;
      seen.add(ref);
      out.push(ref);
    }
  }
  return out;
}
