import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestClock } from '../testing';
import { InMemoryStateStore } from './in-memory-state-store';
import { compareUtf8 } from './utf8-compare';

describe('InMemoryStateStore', () => {
  it('expires items exactly at expiresAt on the injected clock', async () => {
    const clock = createTestClock(Date.UTC(2026, 0, 1));
    const store = new InMemoryStateStore({ now: clock.now });
    const at = clock.now() / 1000 + 60;
    await store.put('t', { pk: 'p', sk: 'a' }, { v: 1 }, { expiresAt: at });
    await store.put('t', { pk: 'p', sk: 'b' }, { v: 2 });
    clock.advance(59_999);
    expect((await store.get('t', { pk: 'p', sk: 'a' }))?.data).toEqual({ v: 1 });
    clock.advance(1);
    expect(await store.get('t', { pk: 'p', sk: 'a' })).toBeUndefined();
    expect((await store.query('t', 'p')).map((i) => i.sk)).toEqual(['b']);
    // Expired counts as absent: versions restart.
    const again = await store.put('t', { pk: 'p', sk: 'a' }, { v: 3 }, { expectedVersion: 0 });
    expect(again.version).toBe(1);
    await expect(
      store.delete('t', { pk: 'p', sk: 'a' }, { expectedVersion: 2 }),
    ).rejects.toMatchObject({ code: 'SF_ERR_STATE_CONDITION_FAILED', retriable: false });
  });

  it('stores deep documents and own __proto__ keys as copies the caller cannot change', async () => {
    const store = new InMemoryStateStore();
    let deep: Record<string, unknown> = { leaf: [1, 'two', true, null] };
    for (let i = 0; i < 300; i++) deep = { next: deep };
    const withProto = JSON.parse('{"__proto__": {"polluted": true}, "n": 1}') as Record<
      string,
      unknown
    >;
    const data = { deep, withProto };
    await store.put('t', { pk: 'p', sk: 'deep' }, data as never);
    (withProto as { n: number }).n = 2;
    const read = (await store.get('t', { pk: 'p', sk: 'deep' }))?.data as typeof data;
    expect(JSON.stringify(read.deep)).toBe(JSON.stringify(deep));
    expect(Object.getOwnPropertyNames(read.withProto)).toEqual(['__proto__', 'n']);
    expect(read.withProto.n).toBe(1);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('rejects what JSON and DynamoDB keys cannot hold, naming each path', async () => {
    const store = new InMemoryStateStore();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      store.put(
        '',
        { pk: '', sk: 'x' },
        { a: undefined, b: Number.NaN, c: [1, () => 1], d: new Date(), e: cyclic } as never,
        { expectedVersion: -1, expiresAt: Number.POSITIVE_INFINITY },
      ),
    ).rejects.toMatchObject({
      code: 'SF_ERR_STATE_ARGUMENT_INVALID',
      details: {
        problems: [
          { path: 'table', message: 'must be a non-empty string' },
          { path: 'key.pk', message: 'must be a non-empty string' },
          { path: 'data.a', message: 'cannot hold a undefined' },
          { path: 'data.b', message: 'must be a finite number' },
          { path: 'data.c[1]', message: 'cannot hold a function' },
          { path: 'data.d', message: 'must be a plain object' },
          { path: 'data.e.self', message: 'is a circular reference' },
          { path: 'options.expectedVersion', message: 'must be an integer ≥ 0' },
          { path: 'options.expiresAt', message: 'must be a finite number (epoch seconds)' },
        ],
      },
    });
    await expect(store.query('t', 'p', { limit: 0 })).rejects.toMatchObject({
      code: 'SF_ERR_STATE_ARGUMENT_INVALID',
    });
    // The same object twice is not a cycle.
    const shared = { x: 1 };
    await store.put('t', { pk: 'p', sk: 's' }, { a: shared, b: shared });
    expect(() => new InMemoryStateStore({ now: 5 as never })).toThrow(
      expect.objectContaining({ code: 'SF_ERR_PORT_OPTIONS_INVALID' }),
    );
  });

  it('matches a reference model under random operation sequences', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        sk: fc.constantFrom('a', 'b', 'c'),
        v: fc.integer(),
        expected: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        sk: fc.constantFrom('a', 'b', 'c'),
        expected: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const store = new InMemoryStateStore();
        const model = new Map<string, { v: number; version: number }>();
        for (const o of ops) {
          const current = model.get(o.sk);
          const ok = o.expected === undefined || (current?.version ?? 0) === o.expected;
          const call =
            o.kind === 'put'
              ? store.put('t', { pk: 'p', sk: o.sk }, { v: o.v }, { expectedVersion: o.expected })
              : store.delete('t', { pk: 'p', sk: o.sk }, { expectedVersion: o.expected });
          const result = await call.then(
            () => 'ok',
            (e: { code: string }) => e.code,
          );
          expect(result).toBe(ok ? 'ok' : 'SF_ERR_STATE_CONDITION_FAILED');
          if (!ok) continue;
          if (o.kind === 'put') model.set(o.sk, { v: o.v, version: (current?.version ?? 0) + 1 });
          else model.delete(o.sk);
        }
        const items = await store.query('t', 'p');
        expect(items.map((i) => [i.sk, i.data.v, i.version])).toEqual(
          [...model.entries()]
            .sort(([a], [b]) => compareUtf8(a, b))
            .map(([sk, m]) => [sk, m.v, m.version]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses calls after close', async () => {
    const store = new InMemoryStateStore();
    await store.close();
    await store.close();
    await expect(store.get('t', { pk: 'p', sk: 's' })).rejects.toMatchObject({
      code: 'SF_ERR_STATE_CLOSED',
    });
  });
});

describe('InMemoryStateStore documents', () => {
  it('stores a "__proto__" key as data, never as a prototype', async () => {
    const store = new InMemoryStateStore();
    const data = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, never>;
    await store.put('t', { pk: 'p', sk: 's' }, data);
    const got = (await store.get('t', { pk: 'p', sk: 's' }))!.data;
    expect(Object.keys(got)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect((got as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
