import type { PutOptions, StateItem, StateKey, StateStore } from '@signal-factory/core';

/**
 * A simulated run stamps TTLs in simulated time (January 2026 for the steel thread), so on a shared
 * DynamoDB a reader on the wall clock — `signal-factory rca --config`, the console, DynamoDB's own
 * TTL sweeper — would see the run's signal history as long expired. Shifting every expiry by the
 * distance between the wall clock and the simulated clock keeps "14 days of history" meaning 14
 * days from now for those readers; readers on the simulated clock see items live even longer, which
 * only matters for runs that simulate more than the retention.
 */
export function withWallClockExpiry(store: StateStore, offsetSeconds: number): StateStore {
  if (offsetSeconds <= 0) return store;
  return {
    get: (table: string, key: StateKey) => store.get(table, key),
    put: (table: string, key: StateKey, data: StateItem['data'], options?: PutOptions) =>
      store.put(
        table,
        key,
        data,
        options?.expiresAt === undefined
          ? options
          : { ...options, expiresAt: options.expiresAt + offsetSeconds },
      ),
    query: (table, pk, options) => store.query(table, pk, options),
    delete: (table, key, options) => store.delete(table, key, options),
    close: () => store.close(),
  };
}
