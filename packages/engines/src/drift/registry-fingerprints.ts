import { safeLogger, type Logger, type StateStore } from '@signal-factory/core';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';

export interface RegistryFingerprintsOptions {
  /** The state store holding the dataset registry (the one the sidecar's gate G3 reads). */
  state: Pick<StateStore, 'get'>;
  /** Registry table; item `pk = <dataset URN>`, `sk = meta`, `data.expectedFingerprints: string[]`. Default `DatasetRegistry`. */
  table?: string;
  /** How long a dataset's list is used before it is read again, ms. Default 60,000. */
  refreshMs?: number;
  /** Datasets cached at most (cleared when full). Default 10,000. */
  maxDatasets?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

interface Entry {
  fingerprints: readonly string[] | undefined;
  loadedAt: number;
  loading?: Promise<void>;
}

/**
 * The registered (expected) fingerprints of each dataset, read from the registry in the state
 * store and cached, for `SchemaDriftEngine`'s synchronous `expectedFingerprints` option:
 * `createSchemaDriftEngine({ expectedFingerprints: registry.lookup })`. `lookup` never blocks or
 * throws: it answers from the cache and refreshes stale or missing entries in the background (the
 * drift engine asks again at every window close, so a new list applies from the next window).
 */
export class RegistryFingerprints {
  readonly #state: Pick<StateStore, 'get'>;
  readonly #table: string;
  readonly #refreshMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #cache = new Map<string, Entry>();

  constructor(options: RegistryFingerprintsOptions) {
    const problems: OptionProblem[] = [];
    if (typeof options?.state?.get !== 'function')
      problems.push({ path: 'state', message: 'must be a StateStore' });
    if (options?.table !== undefined && (typeof options.table !== 'string' || options.table === ''))
      problems.push({ path: 'table', message: 'must be a non-empty string' });
    checkNumber(problems, 'refreshMs', options?.refreshMs, { min: 0 });
    checkNumber(problems, 'maxDatasets', options?.maxDatasets, { min: 1, integer: true });
    if (problems.length > 0) throw optionsError('registry fingerprints', problems);
    this.#state = options.state;
    this.#table = options.table ?? 'DatasetRegistry';
    this.#refreshMs = options.refreshMs ?? 60_000;
    this.#max = options.maxDatasets ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#logger = safeLogger(options.logger);
  }

  /** Cached fingerprints of a dataset (undefined until first loaded, or when it has none). */
  readonly lookup = (datasetUrn: string): readonly string[] | undefined => {
    const entry = this.#cache.get(datasetUrn);
    if (
      entry === undefined ||
      (entry.loading === undefined && this.#now() - entry.loadedAt >= this.#refreshMs)
    ) {
      void this.refresh(datasetUrn);
    }
    return entry?.fingerprints;
  };

  /** Reads a dataset's list now (deduplicated with a read in flight); never rejects. */
  refresh(datasetUrn: string): Promise<void> {
    let entry = this.#cache.get(datasetUrn);
    if (entry?.loading !== undefined) return entry.loading;
    if (entry === undefined) {
      if (this.#cache.size >= this.#max) this.#cache.clear();
      entry = { fingerprints: undefined, loadedAt: Number.NEGATIVE_INFINITY };
      this.#cache.set(datasetUrn, entry);
    }
    const target = entry;
    target.loading = (async () => {
      try {
        const item = await this.#state.get(this.#table, { pk: datasetUrn, sk: 'meta' });
        const list = item?.data.expectedFingerprints;
        target.fingerprints = Array.isArray(list)
          ? list.filter((fp): fp is string => typeof fp === 'string')
          : undefined;
        target.loadedAt = this.#now();
      } catch (error) {
        // Keep the last list; try again after refreshMs.
        target.loadedAt = this.#now();
        this.#logger.warn({ err: error, dataset: datasetUrn }, 'registry fingerprints read failed');
      } finally {
        delete target.loading;
      }
    })();
    return target.loading;
  }
}
