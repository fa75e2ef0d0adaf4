import { SignalFactoryError } from '../errors/signal-factory-error';
import { PORT_ERROR_CODES } from '../ports/port-error-codes';
import type {
  PutOptions,
  QueryOptions,
  StateItem,
  StateKey,
  StateStore,
} from '../ports/state-store';
import { cloneJson, copyJson } from './json-copy';
import {
  checkFunction,
  optionsObject,
  throwOnProblems,
  type OptionProblem,
} from './options-problems';
import { compareUtf8 } from './utf8-compare';

export interface InMemoryStateStoreOptions {
  /** Clock for TTL checks, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface Stored {
  data: StateItem['data'];
  version: number;
  expiresAt?: number;
}

function argumentError(operation: string, problems: OptionProblem[]): SignalFactoryError {
  return new SignalFactoryError(
    PORT_ERROR_CODES.STATE_ARGUMENT_INVALID,
    `Invalid ${operation} call: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}

function checkKey(problems: OptionProblem[], table: unknown, key: unknown): void {
  if (typeof table !== 'string' || table === '') {
    problems.push({ path: 'table', message: 'must be a non-empty string' });
  }
  if (typeof key !== 'object' || key === null) {
    problems.push({ path: 'key', message: 'must be an object with pk and sk' });
    return;
  }
  const { pk, sk } = key as Partial<StateKey>;
  if (typeof pk !== 'string' || pk === '')
    problems.push({ path: 'key.pk', message: 'must be a non-empty string' });
  if (typeof sk !== 'string' || sk === '')
    problems.push({ path: 'key.sk', message: 'must be a non-empty string' });
}

function checkVersion(problems: OptionProblem[], path: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
    problems.push({ path, message: 'must be an integer ≥ 0' });
  }
}

/**
 * The embedded state store with DynamoDB's item semantics: a version per item (1 after the
 * first put), `expectedVersion` conditions (`0` = only if absent) that throw
 * `SF_ERR_STATE_CONDITION_FAILED`, sort-key queries in UTF-8 byte order, and TTL (expired items
 * are never returned and count as absent). Everything is deep-copied in and out.
 */
export class InMemoryStateStore implements StateStore {
  readonly #tables = new Map<string, Map<string, Map<string, Stored>>>();
  readonly #now: () => number;
  #closed = false;

  constructor(options?: InMemoryStateStoreOptions) {
    const problems: OptionProblem[] = [];
    const raw = optionsObject(problems, options);
    checkFunction(problems, 'now', raw.now);
    throwOnProblems('InMemoryStateStore', problems);
    this.#now = (raw.now as (() => number) | undefined) ?? Date.now;
  }

  async get(table: string, key: StateKey): Promise<StateItem | undefined> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    checkKey(problems, table, key);
    if (problems.length > 0) throw argumentError('get', problems);
    const stored = this.#live(table, key.pk, key.sk);
    return stored === undefined ? undefined : this.#item(key.pk, key.sk, stored);
  }

  async put(
    table: string,
    key: StateKey,
    data: StateItem['data'],
    options: PutOptions = {},
  ): Promise<StateItem> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    checkKey(problems, table, key);
    let copy: StateItem['data'] = {};
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      problems.push({ path: 'data', message: 'must be a plain object' });
    } else {
      copy = copyJson(data, 'data', problems) as StateItem['data'];
    }
    checkVersion(problems, 'options.expectedVersion', options?.expectedVersion);
    if (
      options?.expiresAt !== undefined &&
      (typeof options.expiresAt !== 'number' || !Number.isFinite(options.expiresAt))
    ) {
      problems.push({
        path: 'options.expiresAt',
        message: 'must be a finite number (epoch seconds)',
      });
    }
    if (problems.length > 0) throw argumentError('put', problems);

    const current = this.#live(table, key.pk, key.sk);
    this.#check(table, key, current, options.expectedVersion);
    const stored: Stored = { data: copy, version: (current?.version ?? 0) + 1 };
    if (options.expiresAt !== undefined) stored.expiresAt = options.expiresAt;
    this.#partition(table, key.pk, true)!.set(key.sk, stored);
    return this.#item(key.pk, key.sk, stored);
  }

  async query(table: string, pk: string, options: QueryOptions = {}): Promise<StateItem[]> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof table !== 'string' || table === '') {
      problems.push({ path: 'table', message: 'must be a non-empty string' });
    }
    if (typeof pk !== 'string' || pk === '')
      problems.push({ path: 'pk', message: 'must be a non-empty string' });
    for (const name of ['skFrom', 'skTo', 'skPrefix'] as const) {
      if (options?.[name] !== undefined && typeof options[name] !== 'string') {
        problems.push({ path: `options.${name}`, message: 'must be a string' });
      }
    }
    if (
      options?.limit !== undefined &&
      (typeof options.limit !== 'number' || !Number.isInteger(options.limit) || options.limit < 1)
    ) {
      problems.push({ path: 'options.limit', message: 'must be an integer ≥ 1' });
    }
    if (problems.length > 0) throw argumentError('query', problems);

    const partition = this.#partition(table, pk, false);
    if (partition === undefined) return [];
    const { skFrom, skTo, skPrefix, limit, descending } = options;
    const now = this.#now();
    const keys: string[] = [];
    for (const [sk, stored] of partition) {
      if (this.#expired(stored, now)) {
        partition.delete(sk);
        continue;
      }
      if (skFrom !== undefined && compareUtf8(sk, skFrom) < 0) continue;
      if (skTo !== undefined && compareUtf8(sk, skTo) > 0) continue;
      if (skPrefix !== undefined && !sk.startsWith(skPrefix)) continue;
      keys.push(sk);
    }
    keys.sort(compareUtf8);
    if (descending === true) keys.reverse();
    const selected = limit === undefined ? keys : keys.slice(0, limit);
    return selected.map((sk) => this.#item(pk, sk, partition.get(sk)!));
  }

  async delete(
    table: string,
    key: StateKey,
    options: Pick<PutOptions, 'expectedVersion'> = {},
  ): Promise<void> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    checkKey(problems, table, key);
    checkVersion(problems, 'options.expectedVersion', options?.expectedVersion);
    if (problems.length > 0) throw argumentError('delete', problems);
    const current = this.#live(table, key.pk, key.sk);
    this.#check(table, key, current, options.expectedVersion);
    const partition = this.#partition(table, key.pk, false);
    partition?.delete(key.sk);
    if (partition?.size === 0) this.#tables.get(table)?.delete(key.pk);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new SignalFactoryError(PORT_ERROR_CODES.STATE_CLOSED, 'The state store is closed');
    }
  }

  #check(
    table: string,
    key: StateKey,
    current: Stored | undefined,
    expected: number | undefined,
  ): void {
    if (expected === undefined) return;
    const actual = current?.version ?? 0;
    if (actual === expected) return;
    throw new SignalFactoryError(
      PORT_ERROR_CODES.STATE_CONDITION_FAILED,
      expected === 0
        ? `Item ${key.pk} / ${key.sk} in ${table} already exists`
        : `Item ${key.pk} / ${key.sk} in ${table} is not at version ${expected}`,
      { retriable: false, details: { table, pk: key.pk, sk: key.sk, expectedVersion: expected } },
    );
  }

  #partition(table: string, pk: string, create: boolean): Map<string, Stored> | undefined {
    let partitions = this.#tables.get(table);
    if (partitions === undefined) {
      if (!create) return undefined;
      partitions = new Map();
      this.#tables.set(table, partitions);
    }
    let partition = partitions.get(pk);
    if (partition === undefined && create) {
      partition = new Map();
      partitions.set(pk, partition);
    }
    return partition;
  }

  #expired(stored: Stored, now: number): boolean {
    return stored.expiresAt !== undefined && stored.expiresAt * 1000 <= now;
  }

  /** The stored item unless absent or expired (expired items are purged on sight). */
  #live(table: string, pk: string, sk: string): Stored | undefined {
    const partition = this.#partition(table, pk, false);
    const stored = partition?.get(sk);
    if (stored === undefined) return undefined;
    if (this.#expired(stored, this.#now())) {
      partition!.delete(sk);
      return undefined;
    }
    return stored;
  }

  #item(pk: string, sk: string, stored: Stored): StateItem {
    const item: StateItem = { pk, sk, data: cloneJson(stored.data), version: stored.version };
    if (stored.expiresAt !== undefined) item.expiresAt = stored.expiresAt;
    return item;
  }
}
