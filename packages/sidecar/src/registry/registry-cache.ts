import { SignalFactoryError } from '@signal-factory/core';

import { SIDECAR_ERROR_CODES } from '../errors';
import type { Logger } from '../logger';
import type { RegistrySnapshot, RegistrySource } from './types';

/** What `/readyz` and `/metrics` say about the registry. */
export interface RegistryStatus {
  source: string;
  /** A snapshot was loaded at least once. */
  loaded: boolean;
  /** The last refresh failed: the sidecar serves the last good copy. */
  stale: boolean;
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  consecutiveFailures: number;
  version: number;
}

export interface RegistryCacheOptions {
  /** Refresh interval in ms. Default 30,000. 0 disables refresh. */
  ttlMs?: number;
  logger?: Logger;
  /** Called after every successful load with the new snapshot. */
  onUpdate?: (snapshot: RegistrySnapshot) => void;
  /** Clock (epoch ms) for `lastSuccessAt`. Default `Date.now`. The refresh timer runs on real time. */
  now?: () => number;
}

/**
 * Keeps the last good registry snapshot and refreshes it every `ttlMs`. A failed refresh never
 * drops the snapshot; it marks the registry stale.
 */
export class RegistryCache {
  readonly #source: RegistrySource;
  readonly #ttlMs: number;
  readonly #logger: Logger | undefined;
  readonly #onUpdate: ((snapshot: RegistrySnapshot) => void) | undefined;
  readonly #now: () => number;
  #snapshot: RegistrySnapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #status: RegistryStatus;
  #refreshing: Promise<void> | undefined;

  constructor(source: RegistrySource, options: RegistryCacheOptions = {}) {
    this.#source = source;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#logger = options.logger;
    this.#onUpdate = options.onUpdate;
    this.#now = options.now ?? Date.now;
    this.#status = {
      source: source.description,
      loaded: false,
      stale: false,
      lastSuccessAt: undefined,
      lastError: undefined,
      consecutiveFailures: 0,
      version: 0,
    };
  }

  /** Loads the first snapshot (throws if it cannot) and starts refreshing. */
  async start(): Promise<RegistrySnapshot> {
    await this.refresh();
    if (this.#snapshot === undefined) {
      throw new SignalFactoryError(
        SIDECAR_ERROR_CODES.REGISTRY_UNAVAILABLE,
        `The registry could not be loaded from ${this.#source.description}: ${this.#status.lastError ?? 'unknown error'}`,
        { retriable: true },
      );
    }
    if (this.#ttlMs > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => void this.refresh(), this.#ttlMs);
      this.#timer.unref();
    }
    return this.#snapshot;
  }

  /** Reloads now; failures are recorded, never thrown. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<void> {
    try {
      const snapshot = await this.#source.load();
      this.#snapshot = snapshot;
      this.#status = {
        ...this.#status,
        loaded: true,
        stale: false,
        lastSuccessAt: this.#now(),
        lastError: undefined,
        consecutiveFailures: 0,
        version: this.#status.version + 1,
      };
      try {
        this.#onUpdate?.(snapshot);
      } catch (error) {
        this.#logger?.warn({ err: error }, 'registry onUpdate hook failed');
      }
    } catch (error) {
      this.#status = {
        ...this.#status,
        stale: this.#snapshot !== undefined,
        lastError: error instanceof Error ? error.message : String(error),
        consecutiveFailures: this.#status.consecutiveFailures + 1,
      };
      this.#logger?.warn({ err: error }, 'registry refresh failed; serving the last good copy');
    }
  }

  get snapshot(): RegistrySnapshot | undefined {
    return this.#snapshot;
  }

  get status(): RegistryStatus {
    return { ...this.#status };
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
