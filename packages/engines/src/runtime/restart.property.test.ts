import { InMemoryEvidenceBus, InMemoryStateStore } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngineRuntime, type EngineRuntime } from './engine-runtime';
import { evidence, T0 } from './fixtures.test-data';
import type { SignalEngine } from './signal-engine';

type CountState = { open: Record<string, number>; closed: Array<[number, number]> };
const countingEngine = (): SignalEngine<CountState> => ({
  type: 'VOLUME',
  id: 'count@1.0.0',
  group: 'count',
  initialState: () => ({ open: {}, closed: [] }),
  observe(state, _e, weight, window) {
    state.open[String(window.start)] = (state.open[String(window.start)] ?? 0) + weight;
    return state;
  },
  closeWindow(state, window) {
    const n = state.open[String(window.start)] ?? 0;
    delete state.open[String(window.start)];
    state.closed.push([window.start, n]);
    return { state };
  },
});

const MIN = 60_000;
const URNS = ['urn:dp:p:a', 'urn:dp:p:b', 'urn:dp:p:c'];

type Op =
  | { kind: 'publish'; dataset: number; offsets: number[]; weight: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'restart'; newInstance: boolean }
  | { kind: 'flaky' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      dataset: fc.integer({ min: 0, max: URNS.length - 1 }),
      // event time relative to now: mostly recent, sometimes late beyond grace, sometimes future
      offsets: fc.array(fc.integer({ min: -12 * MIN, max: 3 * MIN }), {
        minLength: 1,
        maxLength: 6,
      }),
      weight: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 1000, max: 4 * MIN }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('restart' as const), newInstance: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flaky' as const }) },
);

describe('engine runtime (property)', () => {
  it('never loses or double-counts evidence across restarts and redeliveries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        const clock = createTestClock(T0);
        const bus = new InMemoryEvidenceBus({
          now: () => clock.now(),
          retryInitialMs: 1,
          retryMaxMs: 2,
        });
        const state = new InMemoryStateStore({ now: () => clock.now() });
        let failNext = 0;
        const subscribe = bus.subscribe.bind(bus);
        bus.subscribe = (options, handler) =>
          subscribe(options, async (batch) => {
            await handler(batch);
            if (failNext > 0) {
              failNext -= 1;
              throw new Error('crash after the state write, before the offset commit');
            }
          });
        const instances: EngineRuntime[] = [];
        let seq = 0;
        const start = async (id: string) => {
          const r = createEngineRuntime({
            bus,
            state,
            engines: [countingEngine()],
            clock,
            autoTick: false,
            instanceId: id,
            adoptEveryMs: 10_000,
            maxFutureSkewMs: MIN,
          });
          await r.start();
          instances.push(r);
          return r;
        };
        let runtime = await start('i0');
        let published = 0;
        for (const o of ops) {
          if (o.kind === 'publish') {
            const now = clock.now();
            const items = o.offsets.map((d) =>
              evidence(URNS[o.dataset]!, now + d, { sample_weight: o.weight }),
            );
            published += items.length * o.weight;
            await bus.publish(
              'signal_factory.evidence',
              items.map((e) => ({ key: e.dataset_urn!, value: JSON.stringify(e) })),
            );
          } else if (o.kind === 'advance') {
            await runtime.advanceTo(clock.now() + o.ms);
          } else if (o.kind === 'restart') {
            await runtime.close();
            runtime = await start(o.newInstance ? `i${++seq}` : 'i0');
          } else failNext += 1;
        }
        await runtime.advanceTo(clock.now() + 10 * MIN);
        failNext = 0;
        await runtime.flush();
        let counted = 0;
        for (const urn of URNS) {
          const item = await state.get('SignalState', { pk: urn, sk: 'engine#VOLUME' });
          if (item === undefined) continue;
          const s = (item.data as { engine: CountState }).engine;
          const starts = s.closed.map(([w]) => w);
          // each window closed once, in order, without gaps
          for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(5 * MIN);
          counted += s.closed.reduce((n, [, c]) => n + c, 0);
          counted += Object.values(s.open).reduce((n, c) => n + c, 0);
        }
        // late evidence is counted by weight 1 per record in metrics: recompute by weight from the runs
        const lateRecords = instances.reduce((n, r) => n + r.metrics().engines.count!.late, 0);
        const observed = instances.reduce(
          (n, r) => n + r.metrics().engines.count!.observedWeight,
          0,
        );
        expect(counted).toBe(observed);
        expect(observed).toBeLessThanOrEqual(published);
        const records = instances.reduce(
          (n, r) => n + r.metrics().engines.count!.observed + r.metrics().engines.count!.late,
          0,
        );
        const publishedRecords = ops
          .filter((o): o is Extract<Op, { kind: 'publish' }> => o.kind === 'publish')
          .reduce((n, o) => n + o.offsets.length, 0);
        expect(records).toBe(publishedRecords);
        expect(lateRecords).toBeGreaterThanOrEqual(0);
        await runtime.close();
      }),
      { numRuns: 40 },
    );
  });
});
