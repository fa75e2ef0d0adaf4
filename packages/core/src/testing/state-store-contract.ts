import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateItem, StateStore } from '../ports/state-store';
import { randomRunId } from './unique-name';

/** What a `StateStore` implementation hands to its contract suite. */
export interface StateStoreContractContext {
  store: StateStore;
  /**
   * Two distinct table names the store accepts (for a real backend: tables that exist or that
   * the store creates). Default `['sf-contract-a', 'sf-contract-b']`. Every partition key the
   * suite writes starts with a random run id, so the tables may be shared.
   */
  tables?: [string, string];
  /** Called after the suite, after `store.close()`. */
  cleanup?: () => Promise<void>;
}

export type StateStoreContractFactory = () => Promise<StateStoreContractContext>;

const CONDITION_FAILED = 'SF_ERR_STATE_CONDITION_FAILED';

async function expectConditionFailed(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected SF_ERR_STATE_CONDITION_FAILED').toBeDefined();
  expect((error as { code?: unknown }).code).toBe(CONDITION_FAILED);
  expect((error as { retriable?: unknown }).retriable).toBe(false);
}

/**
 * The contract every `StateStore` must pass: versions, `expectedVersion` conditions (also under
 * concurrent writers), whole-item writes, sort-key range/prefix/limit/descending queries in
 * UTF-8 byte order, TTL and conditional deletes. Partition keys are unique per run and test, so
 * the suite can run against a shared server.
 */
export function describeStateStoreContract(name: string, factory: StateStoreContractFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    const runId = randomRunId();
    let context: StateStoreContractContext;
    let store: StateStore;
    let table: string;
    let otherTable: string;
    let pkCount = 0;
    const nowSeconds = () => Math.floor(Date.now() / 1000);

    beforeAll(async () => {
      context = await factory();
      store = context.store;
      [table, otherTable] = context.tables ?? ['sf-contract-a', 'sf-contract-b'];
    }, 120_000);

    afterAll(async () => {
      await store?.close();
      await context?.cleanup?.();
    }, 60_000);

    function pk(label: string): string {
      pkCount += 1;
      return `urn:dp:contract:${runId}-${pkCount}-${label}`;
    }

    it('returns undefined for a missing item and versions writes from 1', async () => {
      const key = { pk: pk('basic'), sk: 'state' };
      expect(await store.get(table, key)).toBeUndefined();
      const data = {
        s: 'text ü✓',
        n: 42,
        f: -1.25,
        b: true,
        nil: null,
        list: [1, 'two', { three: 3 }, [], null],
        nested: { deep: { deeper: ['x'] }, empty: {} },
      };
      const first = await store.put(table, key, data);
      expect(first).toEqual({ ...key, data, version: 1 });
      expect(await store.get(table, key)).toEqual({ ...key, data, version: 1 });
      const second = await store.put(table, key, { s: 'replaced' });
      expect(second.version).toBe(2);
      // A put writes the whole item.
      expect(await store.get(table, key)).toEqual({ ...key, data: { s: 'replaced' }, version: 2 });
    });

    it('never lets callers mutate stored items', async () => {
      const key = { pk: pk('copy'), sk: 'a' };
      const data = { list: [1, 2], inner: { x: 1 } };
      const returned = await store.put(table, key, data);
      data.list.push(3);
      data.inner.x = 99;
      (returned.data.inner as { x: number }).x = 7;
      const got = await store.get(table, key);
      expect(got?.data).toEqual({ list: [1, 2], inner: { x: 1 } });
      (got!.data.list as number[]).push(4);
      expect((await store.get(table, key))?.data).toEqual({ list: [1, 2], inner: { x: 1 } });
    });

    it('keeps tables and partitions apart', async () => {
      const key = { pk: pk('iso'), sk: 's' };
      await store.put(table, key, { where: 'a' });
      expect(await store.get(otherTable, key)).toBeUndefined();
      await store.put(otherTable, key, { where: 'b' });
      expect((await store.get(table, key))?.data).toEqual({ where: 'a' });
      expect((await store.get(otherTable, key))?.data).toEqual({ where: 'b' });
      expect(await store.query(table, `${key.pk}-other`)).toEqual([]);
      expect(await store.get(table, { pk: key.pk, sk: 's2' })).toBeUndefined();
    });

    it('applies expectedVersion: 0 means absent, otherwise the stored version', async () => {
      const key = { pk: pk('cond'), sk: 'x' };
      await expectConditionFailed(store.put(table, key, { v: 0 }, { expectedVersion: 1 }));
      expect(await store.get(table, key)).toBeUndefined();
      const created = await store.put(table, key, { v: 1 }, { expectedVersion: 0 });
      expect(created.version).toBe(1);
      await expectConditionFailed(store.put(table, key, { v: 'again' }, { expectedVersion: 0 }));
      await expectConditionFailed(store.put(table, key, { v: 'stale' }, { expectedVersion: 2 }));
      const updated = await store.put(table, key, { v: 2 }, { expectedVersion: 1 });
      expect(updated).toEqual({ ...key, data: { v: 2 }, version: 2 });
      expect(await store.get(table, key)).toEqual({ ...key, data: { v: 2 }, version: 2 });
    });

    it('lets exactly one of many racing conditional writers win', async () => {
      const key = { pk: pk('race'), sk: 'x' };
      const creates = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          store.put(table, key, { writer: i }, { expectedVersion: 0 }),
        ),
      );
      const created = creates.filter((r) => r.status === 'fulfilled');
      expect(created).toHaveLength(1);
      for (const r of creates) {
        if (r.status === 'rejected')
          expect((r.reason as { code?: unknown }).code).toBe(CONDITION_FAILED);
      }
      const winner = (created[0] as PromiseFulfilledResult<StateItem>).value;
      expect(await store.get(table, key)).toEqual(winner);

      const updates = await Promise.allSettled(
        ['left', 'right'].map((side) =>
          store.put(table, key, { side }, { expectedVersion: winner.version }),
        ),
      );
      const won = updates.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const stored = await store.get(table, key);
      expect(stored?.version).toBe(winner.version + 1);
      expect(stored).toEqual((won[0] as PromiseFulfilledResult<StateItem>).value);
    });

    it('queries one partition by sort key: order, range, prefix, limit, descending', async () => {
      const p = pk('query');
      const sks = ['b#2', 'a#10', 'a#2', 'c', 'a#1', 'b#1', 'a', 'é', 'z', 'a#1x', 'B'];
      for (const sk of sks) await store.put(table, { pk: p, sk }, { sk });
      await store.put(table, { pk: `${p}-neighbour`, sk: 'a#1' }, { sk: 'neighbour' });
      const ordered = ['B', 'a', 'a#1', 'a#10', 'a#1x', 'a#2', 'b#1', 'b#2', 'c', 'z', 'é'];
      const sksOf = (items: StateItem[]) => items.map((i) => i.sk);

      const all = await store.query(table, p);
      expect(sksOf(all)).toEqual(ordered);
      for (const item of all) {
        expect(item.pk).toBe(p);
        expect(item.data).toEqual({ sk: item.sk });
        expect(item.version).toBe(1);
      }
      expect(sksOf(await store.query(table, p, { descending: true }))).toEqual(
        [...ordered].reverse(),
      );
      expect(sksOf(await store.query(table, p, { skPrefix: 'a#1' }))).toEqual([
        'a#1',
        'a#10',
        'a#1x',
      ]);
      expect(sksOf(await store.query(table, p, { skFrom: 'a#10', skTo: 'b#1' }))).toEqual([
        'a#10',
        'a#1x',
        'a#2',
        'b#1',
      ]);
      expect(sksOf(await store.query(table, p, { skFrom: 'b' }))).toEqual([
        'b#1',
        'b#2',
        'c',
        'z',
        'é',
      ]);
      expect(sksOf(await store.query(table, p, { skTo: 'a#1' }))).toEqual(['B', 'a', 'a#1']);
      expect(sksOf(await store.query(table, p, { limit: 3 }))).toEqual(['B', 'a', 'a#1']);
      expect(sksOf(await store.query(table, p, { limit: 2, descending: true }))).toEqual([
        'é',
        'z',
      ]);
      expect(
        sksOf(await store.query(table, p, { skPrefix: 'a#', limit: 2, descending: true })),
      ).toEqual(['a#2', 'a#1x']);
      expect(sksOf(await store.query(table, p, { skFrom: 'a#1', skTo: 'b', limit: 2 }))).toEqual([
        'a#1',
        'a#10',
      ]);
      expect(await store.query(table, p, { skPrefix: 'nothing' })).toEqual([]);
      expect(await store.query(table, p, { skFrom: 'x', skTo: 'y' })).toEqual([]);
    });

    it('never returns expired items and treats them as absent', async () => {
      const p = pk('ttl');
      const past = nowSeconds() - 60;
      const future = nowSeconds() + 3_600;
      const live = await store.put(table, { pk: p, sk: 'live' }, { a: 1 }, { expiresAt: future });
      expect(live.expiresAt).toBe(future);
      await store.put(table, { pk: p, sk: 'dead' }, { a: 2 }, { expiresAt: past });
      await store.put(table, { pk: p, sk: 'forever' }, { a: 3 });

      expect(await store.get(table, { pk: p, sk: 'live' })).toEqual({
        pk: p,
        sk: 'live',
        data: { a: 1 },
        version: 1,
        expiresAt: future,
      });
      expect(await store.get(table, { pk: p, sk: 'dead' })).toBeUndefined();
      expect((await store.query(table, p)).map((i) => i.sk)).toEqual(['forever', 'live']);
      expect((await store.query(table, p, { skPrefix: 'd' })).map((i) => i.sk)).toEqual([]);

      // An expired item is absent for conditions too.
      const reborn = await store.put(
        table,
        { pk: p, sk: 'dead' },
        { a: 4 },
        { expectedVersion: 0 },
      );
      expect(reborn.data).toEqual({ a: 4 });
      expect(reborn.expiresAt).toBeUndefined();
      expect(await store.get(table, { pk: p, sk: 'dead' })).toEqual(reborn);

      // A put writes the whole item: no expiresAt means no expiry any more.
      const kept = await store.put(table, { pk: p, sk: 'live' }, { a: 5 });
      expect(kept.expiresAt).toBeUndefined();
      expect((await store.get(table, { pk: p, sk: 'live' }))?.expiresAt).toBeUndefined();
    });

    it('deletes, with and without a version condition', async () => {
      const key = { pk: pk('delete'), sk: 'x' };
      await store.delete(table, key); // missing: no error
      await expectConditionFailed(store.delete(table, key, { expectedVersion: 1 }));
      await store.put(table, key, { v: 1 });
      await store.put(table, key, { v: 2 });
      await expectConditionFailed(store.delete(table, key, { expectedVersion: 1 }));
      expect((await store.get(table, key))?.version).toBe(2);
      await store.delete(table, key, { expectedVersion: 2 });
      expect(await store.get(table, key)).toBeUndefined();
      expect(await store.query(table, key.pk)).toEqual([]);

      const plain = { pk: key.pk, sk: 'y' };
      await store.put(table, plain, { v: 1 });
      await store.delete(table, plain);
      expect(await store.get(table, plain)).toBeUndefined();
      // Recreated after delete: versions start again at 1.
      expect((await store.put(table, plain, { v: 2 }, { expectedVersion: 0 })).version).toBe(1);
    });
  });
}
