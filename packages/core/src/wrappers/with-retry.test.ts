import { describe, expect, it } from 'vitest';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { InMemoryEvidenceBus } from '../memory/in-memory-evidence-bus';
import { InMemoryGraphStore } from '../memory/in-memory-graph-store';
import { InMemoryStateStore } from '../memory/in-memory-state-store';
import type { StateStore } from '../ports/state-store';
import { describeStateStoreContract } from '../testing';
import { withRetry } from './with-retry';

const transient = () =>
  new SignalFactoryError('SF_ERR_TEST_THROTTLED', 'throttled', { retriable: true });

/** A state store whose next `failures` calls of `method` throw `error()`. */
function flaky(store: StateStore, method: 'get' | 'put', failures: number, error: () => Error) {
  let left = failures;
  let calls = 0;
  const wrapped: StateStore = {
    get: (...args) => {
      calls += method === 'get' ? 1 : 0;
      if (method === 'get' && left-- > 0) return Promise.reject(error());
      return store.get(...args);
    },
    put: (...args) => {
      calls += method === 'put' ? 1 : 0;
      if (method === 'put' && left-- > 0) return Promise.reject(error());
      return store.put(...args);
    },
    query: (...args) => store.query(...args),
    delete: (...args) => store.delete(...args),
    close: () => store.close(),
  };
  return { store: wrapped, calls: () => calls };
}

describe('withRetry', () => {
  it('retries retriable errors with full-jitter exponential backoff, then succeeds', async () => {
    const inner = flaky(new InMemoryStateStore(), 'put', 3, transient);
    const waits: number[] = [];
    const retried: number[] = [];
    const store = withRetry(inner.store, {
      retries: 3,
      baseMs: 100,
      maxMs: 250,
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onRetry: ({ attempt }) => {
        retried.push(attempt);
        throw new Error('a broken hook is ignored');
      },
    });
    const item = await store.put('t', { pk: 'p', sk: 's' }, { a: 1 });
    expect(item.version).toBe(1);
    expect(inner.calls()).toBe(4);
    // ceilings 100, 200, min(250, 400) = 250; jitter 0.5.
    expect(waits).toEqual([50, 100, 125]);
    expect(retried).toEqual([1, 2, 3]);
  });

  it('gives up after `retries` retries and throws the last error', async () => {
    const inner = flaky(new InMemoryStateStore(), 'get', 10, transient);
    const store = withRetry(inner.store, { retries: 2, sleep: async () => {} });
    await expect(store.get('t', { pk: 'p', sk: 's' })).rejects.toMatchObject({
      code: 'SF_ERR_TEST_THROTTLED',
    });
    expect(inner.calls()).toBe(3);
  });

  it('never retries errors that are not retriable', async () => {
    const inner = flaky(new InMemoryStateStore(), 'get', 1, () => new Error('plain'));
    const store = withRetry(inner.store, { sleep: async () => {} });
    await expect(store.get('t', { pk: 'p', sk: 's' })).rejects.toThrow('plain');
    expect(inner.calls()).toBe(1);

    const base = new InMemoryStateStore();
    const plain = withRetry(base, { sleep: async () => {} });
    await plain.put('t', { pk: 'p', sk: 's' }, {});
    await expect(
      plain.put('t', { pk: 'p', sk: 's' }, {}, { expectedVersion: 0 }),
    ).rejects.toMatchObject({ code: 'SF_ERR_STATE_CONDITION_FAILED', retriable: false });
  });

  it('waits for real with the default sleep, bounded by maxMs', async () => {
    const inner = flaky(new InMemoryStateStore(), 'get', 2, transient);
    const store = withRetry(inner.store, { baseMs: 20, maxMs: 20, random: () => 0.99 });
    const started = Date.now();
    await store.get('t', { pk: 'p', sk: 's' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(30);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('keeps the interface of buses and graph stores', async () => {
    const bus = withRetry(new InMemoryEvidenceBus());
    const seen: string[] = [];
    const sub = await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      for (const m of batch) seen.push(m.value);
    });
    await bus.publish('t', [{ key: 'k', value: 'v' }]);
    await bus.flush();
    await expect.poll(() => seen).toEqual(['v']);
    await sub.close();
    await bus.close();

    const graph = withRetry(new InMemoryGraphStore());
    await graph.upsertVertex({ id: 'a', label: 'L', properties: {} });
    await expect(
      graph.upsertEdge({ from: 'a', to: 'b', label: 'E', properties: {} }),
    ).rejects.toMatchObject({ code: 'SF_ERR_GRAPH_MISSING_VERTEX' });
    expect(await graph.getVertex('a')).toEqual({ id: 'a', label: 'L', properties: {} });
    await graph.close();
  });

  it('validates its options and target, reporting every problem', () => {
    expect(() =>
      withRetry(new InMemoryStateStore(), { retries: -1, baseMs: 1.5, sleep: 3 as never }),
    ).toThrow(/retries .*; baseMs .*; sleep must be a function/);
    expect(() => withRetry({} as StateStore)).toThrow(
      expect.objectContaining({ code: 'SF_ERR_PORT_OPTIONS_INVALID' }),
    );
  });
});

// The wrapper must not change semantics: the wrapped store passes the full contract.
describeStateStoreContract('withRetry(InMemoryStateStore)', async () => ({
  store: withRetry(new InMemoryStateStore()),
}));
