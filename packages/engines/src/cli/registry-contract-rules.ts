import type { Logger, StateStore } from '@signal-factory/core';
import { compileContract, loadContract } from '@signal-factory/contracts';

import type { DqRule } from '../dq/dq-engine';
import { compareVersions } from './load-contract-rules';

export interface RegistryContractRulesOptions {
  state: StateStore;
  /** Registry table: pk = dataset URN, items `contract#<version>` with `{ contract }`. Default `DatasetRegistry`. */
  table?: string;
  /** How long a dataset's rules are kept before they are read again, ms. Default 60,000. */
  refreshMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * The DQ engine's rules from the registry the sidecars read (the newest contract version of each
 * dataset in `DatasetRegistry`). `rules(urn)` answers synchronously from memory — the engine asks
 * at every record — and reads the registry in the background when a dataset's rules are missing or
 * older than `refreshMs`. Until the first read completes a dataset has no rules; a failing read
 * keeps the last good ones.
 */
export class RegistryContractRules {
  readonly #o: Required<Omit<RegistryContractRulesOptions, 'logger'>> & { logger?: Logger };
  readonly #cache = new Map<string, { at: number; rules: readonly DqRule[] | undefined }>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(options: RegistryContractRulesOptions) {
    this.#o = {
      table: 'DatasetRegistry',
      refreshMs: 60_000,
      now: Date.now,
      ...options,
    };
  }

  /** The dataset's rules as last read (and a background refresh when they are due). */
  rules(urn: string): readonly DqRule[] | undefined {
    const hit = this.#cache.get(urn);
    if (hit === undefined || this.#o.now() - hit.at >= this.#o.refreshMs) void this.load(urn);
    return hit?.rules;
  }

  /** Reads the dataset's newest contract now (one read at a time per dataset). */
  load(urn: string): Promise<void> {
    const running = this.#loading.get(urn);
    if (running !== undefined) return running;
    const work = this.#read(urn).finally(() => this.#loading.delete(urn));
    this.#loading.set(urn, work);
    return work;
  }

  async #read(urn: string): Promise<void> {
    let items;
    try {
      items = await this.#o.state.query(this.#o.table, urn, { skPrefix: 'contract#' });
    } catch (error) {
      this.#o.logger?.warn({ err: error, dataset: urn }, 'could not read the dataset contracts');
      const last = this.#cache.get(urn);
      // try again after the refresh interval, with what we had
      this.#cache.set(urn, { at: this.#o.now(), rules: last?.rules });
      return;
    }
    let newest: { version: string; rules: readonly DqRule[] } | undefined;
    for (const item of items) {
      try {
        const compiled = compileContract(loadContract(item.data.contract as string | object));
        if (newest === undefined || compareVersions(compiled.version, newest.version) > 0)
          newest = { version: compiled.version, rules: compiled.aggregateRules };
      } catch (error) {
        this.#o.logger?.warn(
          { err: error, dataset: urn, item: item.sk },
          'a registry contract does not compile; skipped',
        );
      }
    }
    this.#cache.set(urn, { at: this.#o.now(), rules: newest?.rules });
  }
}
