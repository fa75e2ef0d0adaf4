import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DYNAMODB_ERROR_CODES, DynamoDbStateStore, STATE_TABLES } from '../../src/index';

const endpoint = inject('dynamoEndpoint');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const prefix = `sf-it-${randomUUID().slice(0, 8)}-`;

describe('DynamoDbStateStore against dynalite', () => {
  let now = Date.now();
  const store = new DynamoDbStateStore({
    endpoint,
    credentials,
    tablePrefix: prefix,
    tables: { Scratch: `${prefix}scratch-table` },
    clock: () => now,
  });
  const T = STATE_TABLES.SignalState;

  beforeAll(async () => {
    const ensured = await store.ensureTables();
    expect(ensured.map((t) => t.table).sort()).toEqual(
      [...Object.values(STATE_TABLES), 'Scratch'].sort(),
    );
    expect(ensured.every((t) => t.created)).toBe(true);
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates the tables once, with the prefix and the explicit mapping', async () => {
    const again = await store.ensureTables();
    expect(again.every((t) => !t.created)).toBe(true);
    const client = new DynamoDBClient({ endpoint, credentials, region: 'us-east-1' });
    const listed = await client.send(new ListTablesCommand({}));
    client.destroy();
    expect(listed.TableNames).toEqual(
      expect.arrayContaining([`${prefix}SignalState`, `${prefix}scratch-table`]),
    );
    expect(store.tableName('IncidentIndex')).toBe(`${prefix}IncidentIndex`);
  });

  it('puts, gets and versions items', async () => {
    const key = { pk: 'urn:dp:orders:created', sk: 'FRESHNESS#2026-11-25T10:00:00Z' };
    const first = await store.put(T, key, {
      lagSeconds: 12.5,
      state: 'OK',
      tags: ['a', 'b'],
      nested: { x: null, y: true },
    });
    expect(first.version).toBe(1);
    const second = await store.put(T, key, { lagSeconds: 30, state: 'WARNING', empty: '' });
    expect(second.version).toBe(2);
    const got = await store.get(T, key);
    expect(got).toEqual({
      ...key,
      version: 2,
      data: { lagSeconds: 30, state: 'WARNING', empty: '' },
    });
    expect(await store.get(T, { pk: key.pk, sk: 'missing' })).toBeUndefined();
  });

  it('drops undefined values from data', async () => {
    const key = { pk: 'urn:dp:orders:undef', sk: 'x' };
    const put = await store.put(T, key, { a: 1, b: undefined } as unknown as Record<
      string,
      number
    >);
    expect(put.data).toEqual({ a: 1 });
    expect((await store.get(T, key))?.data).toEqual({ a: 1 });
  });

  it('writes conditionally on the version', async () => {
    const key = { pk: 'urn:dp:orders:cond', sk: 'meta' };
    const created = await store.put(T, key, { n: 1 }, { expectedVersion: 0 });
    expect(created.version).toBe(1);
    await expect(store.put(T, key, { n: 2 }, { expectedVersion: 0 })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.CONDITION_FAILED,
      retriable: false,
    });
    await expect(store.put(T, key, { n: 2 }, { expectedVersion: 5 })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.CONDITION_FAILED,
    });
    expect((await store.put(T, key, { n: 2 }, { expectedVersion: 1 })).version).toBe(2);
    await expect(store.delete(T, key, { expectedVersion: 1 })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.CONDITION_FAILED,
    });
    await store.delete(T, key, { expectedVersion: 2 });
    expect(await store.get(T, key)).toBeUndefined();
    await store.delete(T, key); // unconditional delete of an absent item is fine
  });

  it('lets exactly one of many concurrent writers win a version', async () => {
    const key = { pk: 'urn:dp:orders:race', sk: 'meta' };
    await store.put(T, key, { n: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.put(T, key, { n: i }, { expectedVersion: 1 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: DYNAMODB_ERROR_CODES.CONDITION_FAILED });
    expect((await store.get(T, key))?.version).toBe(2);
  });

  it('hides expired items on get and query, and treats them as absent for writes', async () => {
    const pk = 'urn:dp:orders:ttl';
    const nowSeconds = Math.floor(now / 1000);
    await store.put(T, { pk, sk: 'a' }, { v: 1 }, { expiresAt: nowSeconds + 60 });
    await store.put(T, { pk, sk: 'b' }, { v: 2 }, { expiresAt: nowSeconds + 3600 });
    await store.put(T, { pk, sk: 'c' }, { v: 3 });
    expect((await store.get(T, { pk, sk: 'a' }))?.expiresAt).toBe(nowSeconds + 60);
    now += 120_000; // 'a' has expired; DynamoDB has not deleted it yet
    expect(await store.get(T, { pk, sk: 'a' })).toBeUndefined();
    expect((await store.query(T, pk)).map((i) => i.sk)).toEqual(['b', 'c']);
    // An expired item is absent: "only if absent" succeeds and the version starts again.
    expect((await store.put(T, { pk, sk: 'a' }, { v: 9 }, { expectedVersion: 0 })).version).toBe(1);
    now += 7_200_000;
    expect((await store.put(T, { pk, sk: 'b' }, { v: 10 })).version).toBe(1);
    expect((await store.get(T, { pk, sk: 'b' }))?.expiresAt).toBeUndefined();
  });

  it('queries sort-key ranges and prefixes, ascending and descending, with limits across pages', async () => {
    const pk = 'urn:dp:orders:windows';
    const sks = Array.from({ length: 60 }, (_, i) => `w#${String(i).padStart(3, '0')}`);
    await Promise.all(sks.map((sk, i) => store.put(T, { pk, sk }, { i, pad: 'x'.repeat(30_000) })));
    await store.put(T, { pk, sk: 'z#other' }, { i: -1 });
    const all = await store.query(T, pk, { skPrefix: 'w#' });
    expect(all.map((i) => i.sk)).toEqual(sks); // > 1 MB: several pages
    expect((await store.query(T, pk, { skFrom: 'w#010', skTo: 'w#012' })).map((i) => i.sk)).toEqual(
      ['w#010', 'w#011', 'w#012'],
    );
    expect((await store.query(T, pk, { skFrom: 'w#058' })).map((i) => i.sk)).toEqual([
      'w#058',
      'w#059',
      'z#other',
    ]);
    expect((await store.query(T, pk, { skTo: 'w#001' })).map((i) => i.sk)).toEqual([
      'w#000',
      'w#001',
    ]);
    expect((await store.query(T, pk, { descending: true, limit: 3 })).map((i) => i.sk)).toEqual([
      'z#other',
      'w#059',
      'w#058',
    ]);
    expect(
      (
        await store.query(T, pk, { skPrefix: 'w#', skFrom: 'w#050', descending: true, limit: 2 })
      ).map((i) => i.sk),
    ).toEqual(['w#059', 'w#058']);
    expect(await store.query(T, pk, { skFrom: 'w#9', skTo: 'w#0' })).toEqual([]);
    expect(await store.query(T, 'urn:dp:none:none')).toEqual([]);
  });

  it('rejects items over 400 KB with SF_ERR_STATE_ITEM_TOO_LARGE', async () => {
    await expect(
      store.put(T, { pk: 'big', sk: 'big' }, { blob: 'x'.repeat(420_000) }),
    ).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.ITEM_TOO_LARGE,
      retriable: false,
    });
    // Just under the limit is stored.
    const ok = await store.put(T, { pk: 'big', sk: 'ok' }, { blob: 'x'.repeat(400_000) });
    expect(ok.version).toBe(1);
  });

  it('reads items written by other tools that have no expiry or data map', async () => {
    const client = new DynamoDBClient({ endpoint, credentials, region: 'us-east-1' });
    await client.send(
      new PutItemCommand({
        TableName: store.tableName(T),
        Item: { pk: { S: 'foreign' }, sk: { S: '1' }, version: { N: '7' } },
      }),
    );
    client.destroy();
    expect(await store.get(T, { pk: 'foreign', sk: '1' })).toEqual({
      pk: 'foreign',
      sk: '1',
      data: {},
      version: 7,
    });
  });

  it('maps a missing table to SF_ERR_STATE_TABLE_NOT_FOUND, or creates it with autoCreateTables', async () => {
    await expect(store.get('NoSuchTable', { pk: 'a', sk: 'b' })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.TABLE_NOT_FOUND,
    });
    const auto = new DynamoDbStateStore({
      endpoint,
      credentials,
      tablePrefix: prefix,
      autoCreateTables: true,
    });
    expect((await auto.put('AutoCreated', { pk: 'a', sk: 'b' }, { ok: true })).version).toBe(1);
    expect((await auto.get('AutoCreated', { pk: 'a', sk: 'b' }))?.data).toEqual({ ok: true });
    await auto.close();
  });

  it('surfaces an unreachable endpoint as a retriable SF_ERR_STATE_UNAVAILABLE after the retry budget', async () => {
    const dead = new DynamoDbStateStore({
      endpoint: 'http://127.0.0.1:1',
      credentials,
      maxRetries: 2,
      retryBaseMs: 1,
      retryMaxMs: 2,
    });
    await expect(dead.get(T, { pk: 'a', sk: 'b' })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.UNAVAILABLE,
      retriable: true,
    });
    await dead.close();
  });

  it('rejects calls after close with SF_ERR_STATE_CLOSED; close is idempotent', async () => {
    const closing = new DynamoDbStateStore({ endpoint, credentials, tablePrefix: prefix });
    await closing.close();
    await closing.close();
    await expect(closing.get(T, { pk: 'a', sk: 'b' })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.CLOSED,
    });
  });
});
