import {
  InMemoryStateStore,
  isDatasetUrn,
  PORT_ERROR_CODES,
  type StateJsonValue as JsonValue,
  type StateStore,
} from '@signal-factory/core';
import { compileContract, type CompileOptions } from '../compile/compile-contract';
import { CONTRACT_ERROR_CODES, contractError } from '../errors';
import { loadContract } from '../load/load-contract';
import type { CompiledContract, OdcsContract } from '../types';
import { compareVersions } from './semver';

export interface ContractRegistryOptions {
  /** Where versions and active sets live. Default: a new `InMemoryStateStore`. */
  store?: StateStore;
  /** Table name in the store. Default `sf_contracts`. */
  table?: string;
  /** Clock in epoch milliseconds (tests). Default `Date.now`. */
  now?: () => number;
  /** How long compiled active validators are reused before the store is read again, in ms. Default 5000. */
  cacheTtlMs?: number;
  /** Options for every compilation (schemaName, strict, piiClassifications). */
  compile?: CompileOptions;
}

export interface PublishedContract {
  datasetUrn: string;
  version: string;
  /** Epoch milliseconds of the first publication. */
  publishedAt: number;
  contract: OdcsContract;
}

export interface ActiveVersion {
  version: string;
  /** Epoch milliseconds after which the version is no longer active (grace period end); absent = no end. */
  until?: number;
}

export interface SetActiveOptions {
  /**
   * Versions active before this call and not named in it stay active until this instant (a grace
   * period, e.g. now + 7 days). Date, ISO string or epoch milliseconds. Default: they stop at once.
   */
  graceUntil?: Date | string | number;
}

export interface RegistryValidation {
  /** One entry per active version, newest first. */
  results: Array<{ version: string; valid: boolean; reasonCodes: string[] }>;
  /** True when at least one active version accepts the record. */
  anyValid: boolean;
}

const VERSION_PREFIX = 'version#';
const ACTIVE_KEY = 'active';

interface CacheEntry {
  loadedAt: number;
  active: ActiveVersion[];
  compiled: Map<string, CompiledContract>;
}

/**
 * Contract versions per dataset URN on the core `StateStore` port: publish (immutable versions),
 * list, get, set active versions with a grace period, and validate a record against every active version.
 */
export class ContractRegistry {
  readonly #store: StateStore;
  readonly #table: string;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #compile: CompileOptions;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: ContractRegistryOptions = {}) {
    const problems: Array<{ path: string; message: string }> = [];
    if (
      options.table !== undefined &&
      (typeof options.table !== 'string' || options.table.length === 0)
    ) {
      problems.push({ path: 'table', message: 'must be a non-empty string' });
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      problems.push({ path: 'now', message: 'must be a function returning epoch milliseconds' });
    }
    if (
      options.cacheTtlMs !== undefined &&
      !(Number.isFinite(options.cacheTtlMs) && options.cacheTtlMs >= 0)
    ) {
      problems.push({
        path: 'cacheTtlMs',
        message: 'must be a non-negative number of milliseconds',
      });
    }
    if (problems.length > 0) {
      throw contractError(
        CONTRACT_ERROR_CODES.OPTIONS,
        `invalid ContractRegistry options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        {
          problems,
        },
      );
    }
    this.#store = options.store ?? new InMemoryStateStore();
    this.#table = options.table ?? 'sf_contracts';
    this.#now = options.now ?? Date.now;
    this.#ttl = options.cacheTtlMs ?? 5000;
    this.#compile = options.compile ?? {};
  }

  /**
   * Publishes a contract version for a dataset (default: the contract id when it is a `urn:dp:` URN).
   * Versions are immutable: publishing the same content again is a no-op, different content throws
   * `SF_ERR_CONTRACT_VERSION_EXISTS`. The contract is linted and compiled first.
   */
  async publish(
    source: string | object,
    options: { datasetUrn?: string } = {},
  ): Promise<PublishedContract> {
    const contract = loadContract(source);
    const compiled = compileContract(contract, this.#compile);
    const datasetUrn = options.datasetUrn ?? compiled.datasetUrn;
    if (datasetUrn !== undefined && !isDatasetUrn(datasetUrn)) {
      throw contractError(CONTRACT_ERROR_CODES.OPTIONS, `${datasetUrn} is not a dataset URN`, {
        problems: [
          { path: 'datasetUrn', message: 'must look like urn:dp:<domain>:<name>[:v<major>]' },
        ],
      });
    }
    if (datasetUrn === undefined) {
      throw contractError(
        CONTRACT_ERROR_CODES.OPTIONS,
        `contract ${contract.id} has no dataset URN; pass { datasetUrn } or use a urn:dp: id`,
        {
          problems: [
            { path: 'datasetUrn', message: 'required when the contract id is not a urn:dp: URN' },
          ],
        },
      );
    }
    const key = { pk: datasetUrn, sk: `${VERSION_PREFIX}${contract.version}` };
    const existing = await this.#store.get(this.#table, key);
    if (existing !== undefined) {
      if (JSON.stringify(existing.data['contract']) === JSON.stringify(contract)) {
        return this.#toPublished(datasetUrn, existing.data);
      }
      throw contractError(
        CONTRACT_ERROR_CODES.VERSION_EXISTS,
        `${datasetUrn} already has version ${contract.version} with different content; publish a new version`,
        { datasetUrn, version: contract.version },
      );
    }
    const data = {
      contract: contract as unknown as JsonValue,
      version: contract.version,
      publishedAt: this.#now(),
    };
    try {
      await this.#store.put(this.#table, key, data, { expectedVersion: 0 });
    } catch (error) {
      if ((error as { code?: string }).code === PORT_ERROR_CODES.STATE_CONDITION_FAILED) {
        return this.publish(contract, { datasetUrn });
      }
      throw error;
    }
    return this.#toPublished(datasetUrn, data);
  }

  /** Every published version of a dataset, oldest first (semver order). */
  async list(datasetUrn: string): Promise<PublishedContract[]> {
    const items = await this.#store.query(this.#table, datasetUrn, { skPrefix: VERSION_PREFIX });
    return items
      .map((item) => this.#toPublished(datasetUrn, item.data))
      .sort((a, b) => compareVersions(a.version, b.version));
  }

  /** One published version, or `undefined`. */
  async get(datasetUrn: string, version: string): Promise<PublishedContract | undefined> {
    const item = await this.#store.get(this.#table, {
      pk: datasetUrn,
      sk: `${VERSION_PREFIX}${version}`,
    });
    return item === undefined ? undefined : this.#toPublished(datasetUrn, item.data);
  }

  /**
   * Makes `versions` the active ones. Versions active before and not named here stay active until
   * `graceUntil` (e.g. v2 and v3 both accepted for 7 days), then drop out by themselves.
   */
  async setActive(
    datasetUrn: string,
    versions: readonly string[],
    options: SetActiveOptions = {},
  ): Promise<ActiveVersion[]> {
    if (!Array.isArray(versions) || versions.length === 0) {
      throw contractError(CONTRACT_ERROR_CODES.OPTIONS, 'setActive needs at least one version', {
        problems: [
          { path: 'versions', message: 'must be a non-empty array of published versions' },
        ],
      });
    }
    const missing: string[] = [];
    for (const version of versions) {
      if ((await this.get(datasetUrn, version)) === undefined) missing.push(version);
    }
    if (missing.length > 0) {
      throw contractError(
        CONTRACT_ERROR_CODES.NOT_FOUND,
        `${datasetUrn} has no published version ${missing.join(', ')}`,
        {
          datasetUrn,
          versions: missing,
        },
      );
    }
    const graceUntil = toMillis(options.graceUntil);
    const now = this.#now();
    for (let attempt = 0; ; attempt++) {
      const item = await this.#store.get(this.#table, { pk: datasetUrn, sk: ACTIVE_KEY });
      const previous = item === undefined ? [] : parseActive(item.data['versions']);
      const next: ActiveVersion[] = versions.map((version) => ({ version }));
      if (graceUntil !== undefined && graceUntil > now) {
        for (const old of previous) {
          if (versions.includes(old.version)) continue;
          if (old.until !== undefined && old.until <= now) continue;
          next.push({ version: old.version, until: Math.min(graceUntil, old.until ?? graceUntil) });
        }
      }
      next.sort((a, b) => compareVersions(b.version, a.version));
      try {
        await this.#store.put(
          this.#table,
          { pk: datasetUrn, sk: ACTIVE_KEY },
          { versions: next as unknown as JsonValue },
          { expectedVersion: item?.version ?? 0 },
        );
        this.#cache.delete(datasetUrn);
        return next;
      } catch (error) {
        if (
          (error as { code?: string }).code !== PORT_ERROR_CODES.STATE_CONDITION_FAILED ||
          attempt >= 5
        )
          throw error;
      }
    }
  }

  /** The versions active now (grace periods that ended are left out), newest first. */
  async activeVersions(datasetUrn: string): Promise<ActiveVersion[]> {
    return (await this.#entry(datasetUrn)).active.filter(
      (a) => a.until === undefined || a.until > this.#now(),
    );
  }

  /** Compiled validators of the active versions, newest first; compiled once and cached. */
  async activeValidators(datasetUrn: string): Promise<CompiledContract[]> {
    const entry = await this.#entry(datasetUrn);
    const now = this.#now();
    const out: CompiledContract[] = [];
    for (const active of entry.active) {
      if (active.until !== undefined && active.until <= now) continue;
      const compiled = entry.compiled.get(active.version);
      if (compiled !== undefined) out.push(compiled);
    }
    return out;
  }

  /**
   * Validates a record against every active version and says which passed. A dataset without an
   * active version gives `{ results: [], anyValid: false }` (gate G4 reports `CONTRACT_NOT_FOUND`);
   * bad records never make it throw.
   */
  async validate(datasetUrn: string, record: unknown): Promise<RegistryValidation> {
    const validators = await this.activeValidators(datasetUrn);
    let anyValid = false;
    const results = validators.map((v) => {
      const r = v.validate(record);
      if (r.valid) anyValid = true;
      return { version: v.version, valid: r.valid, reasonCodes: r.reasonCodes };
    });
    return { results, anyValid };
  }

  async #entry(datasetUrn: string): Promise<CacheEntry> {
    const cached = this.#cache.get(datasetUrn);
    const now = this.#now();
    if (cached !== undefined && now - cached.loadedAt < this.#ttl) return cached;
    const item = await this.#store.get(this.#table, { pk: datasetUrn, sk: ACTIVE_KEY });
    const active = item === undefined ? [] : parseActive(item.data['versions']);
    const compiled = new Map<string, CompiledContract>();
    for (const a of active) {
      const reuse = cached?.compiled.get(a.version);
      if (reuse !== undefined) {
        compiled.set(a.version, reuse);
        continue;
      }
      const published = await this.get(datasetUrn, a.version);
      if (published !== undefined)
        compiled.set(a.version, compileContract(published.contract, this.#compile));
    }
    const entry = { loadedAt: now, active, compiled };
    this.#cache.set(datasetUrn, entry);
    return entry;
  }

  #toPublished(datasetUrn: string, data: Record<string, unknown>): PublishedContract {
    return {
      datasetUrn,
      version: String(data['version']),
      publishedAt: Number(data['publishedAt']),
      contract: data['contract'] as OdcsContract,
    };
  }
}

function parseActive(value: unknown): ActiveVersion[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    if (typeof v !== 'object' || v === null || typeof (v as ActiveVersion).version !== 'string')
      return [];
    const a = v as ActiveVersion;
    return [
      typeof a.until === 'number' ? { version: a.version, until: a.until } : { version: a.version },
    ];
  });
}

function toMillis(value: Date | string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (!Number.isFinite(ms)) {
    throw contractError(
      CONTRACT_ERROR_CODES.OPTIONS,
      'graceUntil must be a Date, an ISO-8601 string or epoch milliseconds',
      {
        problems: [{ path: 'graceUntil', message: 'not a valid instant' }],
      },
    );
  }
  return ms;
}
