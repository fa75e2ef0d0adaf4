import {
  buildSnapshot,
  type RegistryDocument,
  type RegistrySnapshot,
  type RegistrySource,
} from '@signal-factory/sidecar';

/**
 * The embedded sidecar registry: registry documents (Dataset, IdentityFallback, Tiers, ODCS
 * contracts) added at run time by the platform (`registerDataset`), compiled by the sidecar's own
 * `buildSnapshot` on every load.
 */
export class MutableRegistrySource implements RegistrySource {
  readonly description = 'platform';
  readonly #documents = new Map<string, RegistryDocument>();

  /** Adds or replaces a document under a key (e.g. `dataset:<urn>`). */
  set(key: string, document: RegistryDocument): void {
    this.#documents.set(key, document);
  }

  documents(): RegistryDocument[] {
    return [...this.#documents.values()];
  }

  async load(): Promise<RegistrySnapshot> {
    return buildSnapshot([...this.#documents].map(([origin, document]) => ({ origin, document })));
  }
}
