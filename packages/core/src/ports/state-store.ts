/**
 * The state store: DynamoDB's item model (table, partition key, sort key) with optimistic
 * concurrency through a version number, sort-key range queries and TTL.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

export interface StateKey {
  /** Partition key, e.g. a dataset URN. */
  pk: string;
  /** Sort key, e.g. `window#2026-11-25T10:00:00Z`. */
  sk: string;
}

export interface StateItem extends StateKey {
  /** The stored document. */
  data: { [key: string]: JsonValue };
  /** Incremented by every successful write; 1 after the first put. */
  version: number;
  /** Expiry in epoch seconds; expired items are never returned. */
  expiresAt?: number;
}

export interface PutOptions {
  /**
   * Write only if the stored version equals this; `0` means "only if absent".
   * A mismatch throws `SF_ERR_STATE_CONDITION_FAILED`.
   */
  expectedVersion?: number;
  /** Expiry in epoch seconds. */
  expiresAt?: number;
}

export interface QueryOptions {
  /** Inclusive sort-key range. */
  skFrom?: string;
  skTo?: string;
  /** Sort keys starting with this prefix. */
  skPrefix?: string;
  /** Most items returned. */
  limit?: number;
  /** Newest (highest sort key) first. */
  descending?: boolean;
}

export interface StateStore {
  get(table: string, key: StateKey): Promise<StateItem | undefined>;
  /** Writes the whole item and returns it with its new version. */
  put(
    table: string,
    key: StateKey,
    data: StateItem['data'],
    options?: PutOptions,
  ): Promise<StateItem>;
  /** Items of one partition ordered by sort key. */
  query(table: string, pk: string, options?: QueryOptions): Promise<StateItem[]>;
  /** Deletes; with `expectedVersion`, only if it matches. */
  delete(
    table: string,
    key: StateKey,
    options?: Pick<PutOptions, 'expectedVersion'>,
  ): Promise<void>;
  close(): Promise<void>;
}
