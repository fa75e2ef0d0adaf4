import {
  InMemoryEvidenceBus,
  InMemoryStateStore,
  SignalFactoryError,
  isSignal,
  type EvidenceBus,
  type Signal,
  type StateStore,
} from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createFreshnessEngine } from '../freshness/freshness-engine';
import { createDatasetCatalog } from './dataset-catalog';
import { createEngineRuntime } from './engine-runtime';
import { evidence, harness, stream, T0, type Harness } from './fixtures.test-data';
import type { SignalEngine } from './signal-engine';

const URN = 'urn:dp:orders:created';
const MIN = 60_000;

/** A counting engine: records every window it closes with its weighted count. */
function countingEngine(): SignalEngine<{
  open: Record<string, number>;
  closed: Array<[number, number]>;
}> {
  return {
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
      return {
        state,
        verdict: {
          state: n === 0 ? 'CRITICAL' : 'OK',
          reason: `${n} records`,
          metrics: { record_count: n },
        },
      };
    },
  };
}

async function engineState(store: StateStore, urn = URN, type = 'VOLUME') {
  const item = await store.get('SignalState', { pk: urn, sk: `engine#${type}` });
  return item?.data as unknown as {
    engine: { open: Record<string, number>; closed: Array<[number, number]> };
    closedThrough: number;
    late: number;
  };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  h = undefined;
});

describe('engine runtime: windows and watermark', () => {
  it('closes 5-minute event-time windows at end + grace, with weighted counts', async () => {
    h = await harness({ engines: [countingEngine()] });
    await h.publish([
      ...stream(URN, T0, T0 + 5 * MIN, 10, { sample_weight: 3 }),
      ...stream(URN, T0 + 5 * MIN, T0 + 10 * MIN, 4),
    ]);
    await h.runtime.advanceTo(T0 + 5 * MIN + 2 * MIN - 1);
    expect((await engineState(h.state)).engine.closed).toEqual([]);
    await h.runtime.advanceTo(T0 + 7 * MIN);
    expect((await engineState(h.state)).engine.closed).toEqual([[T0, 30]]);
    await h.runtime.advanceTo(T0 + 12 * MIN);
    expect((await engineState(h.state)).engine.closed).toEqual([
      [T0, 30],
      [T0 + 5 * MIN, 4],
    ]);
    const m = h.runtime.metrics().engines.count!;
    expect(m.observed).toBe(14);
    expect(m.observedWeight).toBe(34);
    expect(m.windowsClosed).toBe(2);
  });

  it('judges empty windows by the clock alone (absence) and emits only state changes', async () => {
    h = await harness({ engines: [countingEngine()], heartbeatMs: 3_600_000 });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 5));
    await h.runtime.advanceTo(T0 + 27 * MIN);
    const closed = (await engineState(h.state)).engine.closed;
    expect(closed.map(([, n]) => n)).toEqual([5, 0, 0, 0, 0]);
    expect(h.signals.map((s) => [s.state, s.previous_state ?? null])).toEqual([
      ['OK', null],
      ['CRITICAL', 'OK'],
    ]);
    expect(h.signals[1]!.window).toEqual({
      start: new Date(T0 + 5 * MIN).toISOString(),
      end: new Date(T0 + 10 * MIN).toISOString(),
    });
    expect(h.signals.every((s) => isSignal(s))).toBe(true);
  });

  it('counts evidence behind a closed window as late and reports it in the next signal', async () => {
    h = await harness({ engines: [countingEngine()] });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 3));
    await h.runtime.advanceTo(T0 + 7 * MIN); // window [T0, T0+5) closed
    await h.publish([evidence(URN, T0 + 4 * MIN), evidence(URN, T0 + 6 * MIN)]);
    await h.runtime.advanceTo(T0 + 12 * MIN);
    const st = await engineState(h.state);
    expect(st.engine.closed).toEqual([
      [T0, 3],
      [T0 + 5 * MIN, 1],
    ]);
    expect(h.runtime.metrics().engines.count!.late).toBe(1);
    const lastWindowSignal = (await h.runtime.signalHistory(URN))[0]!;
    expect(lastWindowSignal.metrics.late_evidence).toBe(1);
  });

  it("observes late evidence in its arrival window for engines with lateEvidence 'arrival'", async () => {
    const arrivalEngine = { ...countingEngine(), lateEvidence: 'arrival' as const };
    h = await harness({ engines: [arrivalEngine] });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 3));
    await h.runtime.advanceTo(T0 + 7 * MIN); // window [T0, T0+5) closed
    // A backlog: event time in the closed window, arrived at T0+8m (and one with no usable arrival).
    await h.publish([
      evidence(URN, T0 + 1 * MIN, { processing_time: new Date(T0 + 8 * MIN).toISOString() }),
      evidence(URN, T0 + 2 * MIN, { processing_time: new Date(T0 + 8 * MIN).toISOString() }),
      evidence(URN, T0 + 6 * MIN),
    ]);
    await h.runtime.advanceTo(T0 + 12 * MIN);
    const st = await engineState(h.state);
    expect(st.engine.closed).toEqual([
      [T0, 3],
      [T0 + 5 * MIN, 3],
    ]);
    expect(h.runtime.metrics().engines.count!.late).toBe(2);
    const lastWindowSignal = (await h.runtime.signalHistory(URN))[0]!;
    expect(lastWindowSignal.metrics.late_evidence).toBe(2);
  });

  it('accepts evidence late within grace into its own window', async () => {
    h = await harness({ engines: [countingEngine()] });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 2));
    await h.runtime.advanceTo(T0 + 6 * MIN + 59_000);
    await h.publish([evidence(URN, T0 + 4 * MIN)]);
    await h.runtime.advanceTo(T0 + 7 * MIN);
    expect((await engineState(h.state)).engine.closed).toEqual([[T0, 3]]);
    expect(h.runtime.metrics().engines.count!.late).toBe(0);
  });

  it('clamps evidence from the future to now and reports it', async () => {
    h = await harness({ engines: [countingEngine(), createFreshnessEngine()] });
    await h.publish([evidence(URN, T0 + 3_600_000)]);
    await h.runtime.advanceTo(T0 + 1000);
    const m = h.runtime.metrics().engines;
    expect(m.count!.futureClamped).toBe(1);
    expect(m.freshness!.futureClamped).toBe(1);
    await h.runtime.advanceTo(T0 + 7 * MIN);
    expect((await engineState(h.state)).engine.closed).toEqual([[T0, 1]]);
    const fresh = await h.state.get('SignalState', { pk: URN, sk: 'engine#FRESHNESS' });
    expect((fresh?.data.engine as { last_event_at: number }).last_event_at).toBe(T0 + 1000);
  });

  it('sends evidence failing Evidence v1 to the dead-letter topic and keeps going', async () => {
    h = await harness({ engines: [countingEngine()] });
    await h.bus.publish('signal_factory.evidence', [
      { key: URN, value: '{not json' },
      { key: URN, value: JSON.stringify({ ...evidence(URN, T0), result: 'MAYBE' }) },
      { key: URN, value: JSON.stringify(evidence(URN, T0 + 1000)) },
    ]);
    await h.runtime.advanceTo(T0 + 7 * MIN);
    const m = h.runtime.metrics().engines.count!;
    expect(m.invalid).toBe(2);
    expect(m.deadLettered).toBe(2);
    expect((await engineState(h.state)).engine.closed).toEqual([[T0, 1]]);
    const dead: Array<{ error: { code: string; message: string }; original: string }> = [];
    const sub = await h.bus.subscribe(
      { groupId: 'dlq-reader', topics: ['signal_factory.evidence.dlq'] },
      async (batch) => {
        for (const r of batch) dead.push(JSON.parse(r.value));
      },
    );
    await new Promise((r) => setTimeout(r, 20));
    await sub.close();
    expect(dead).toHaveLength(2);
    expect(dead[0]!.error.code).toBe('SF_ERR_EVIDENCE_INVALID');
    expect(dead[0]!.original).toBe('{not json');
    expect(dead[1]!.error.message).toContain('$.result');
  });

  it('skips evidence without a dataset URN and counts it', async () => {
    h = await harness({ engines: [countingEngine()] });
    await h.publish([evidence(URN, T0, { dataset_urn: null })]);
    await h.runtime.flush();
    expect(h.runtime.metrics().engines.count!.unresolved).toBe(1);
  });
});

describe('engine runtime: restart, redelivery, ownership', () => {
  it('never counts a redelivered record twice (offsets applied are remembered)', async () => {
    const clock = createTestClock(T0);
    const bus = new InMemoryEvidenceBus({ now: () => clock.now() });
    const state = new InMemoryStateStore({ now: () => clock.now() });
    // A handler whose first delivery fails after the state was written simulates a crash
    // between persisting and committing the offset.
    let failOnce = true;
    const realSubscribe = bus.subscribe.bind(bus);
    bus.subscribe = (options, handler) =>
      realSubscribe(options, async (batch) => {
        await handler(batch);
        if (failOnce) {
          failOnce = false;
          throw new Error('crash before commit');
        }
      });
    h = await harness({ engines: [countingEngine()], bus, state, clock });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 7));
    await h.runtime.advanceTo(T0 + 7 * MIN);
    expect(failOnce).toBe(false);
    expect((await engineState(state)).engine.closed).toEqual([[T0, 7]]);
    expect(h.runtime.metrics().engines.count!.duplicates).toBe(7);
  });

  it('resumes after a restart without double-counting a closed window or losing an open one', async () => {
    const clock = createTestClock(T0);
    const bus = new InMemoryEvidenceBus({ now: () => clock.now() });
    const state = new InMemoryStateStore({ now: () => clock.now() });
    h = await harness({ engines: [countingEngine()], bus, state, clock, adoptEveryMs: 10_000 });
    await h.publish(stream(URN, T0, T0 + 8 * MIN, 8));
    await h.runtime.advanceTo(T0 + 8 * MIN);
    await h.runtime.close();
    // Evidence arrives while no engine runs; the window [T0+5, T0+10) is still open.
    await h.publish(stream(URN, T0 + 8 * MIN, T0 + 9 * MIN, 3));
    h = await harness({ engines: [countingEngine()], bus, state, clock, adoptEveryMs: 10_000 });
    await h.runtime.advanceTo(T0 + 20 * MIN);
    expect((await engineState(state)).engine.closed).toEqual([
      [T0, 5],
      [T0 + 5 * MIN, 6],
      [T0 + 10 * MIN, 0],
    ]);
    // closed-window markers exist once per window
    const markers = await state.query('SignalState', URN, { skPrefix: 'window#VOLUME#' });
    expect(markers.map((m) => m.sk)).toEqual([
      `window#VOLUME#${new Date(T0).toISOString()}`,
      `window#VOLUME#${new Date(T0 + 5 * MIN).toISOString()}`,
      `window#VOLUME#${new Date(T0 + 10 * MIN).toISOString()}`,
    ]);
  });

  it('adopts a silent dataset whose owner stopped, so absence is still judged', async () => {
    const clock = createTestClock(T0);
    const bus = new InMemoryEvidenceBus({ now: () => clock.now() });
    const state = new InMemoryStateStore({ now: () => clock.now() });
    const a = await harness({ engines: [countingEngine()], bus, state, clock, instanceId: 'a' });
    await a.publish(stream(URN, T0, T0 + 5 * MIN, 5));
    await a.runtime.advanceTo(T0 + 5 * MIN);
    await a.runtime.close();
    h = await harness({
      engines: [countingEngine()],
      bus,
      state,
      clock,
      instanceId: 'b',
      adoptEveryMs: 10_000,
    });
    await h.runtime.advanceTo(T0 + 13 * MIN);
    expect(h.runtime.metrics().engines.count!.adopted).toBe(1);
    expect((await engineState(state)).engine.closed).toEqual([
      [T0, 5],
      [T0 + 5 * MIN, 0],
    ]);
    expect(h.signals.map((s) => s.state)).toContain('CRITICAL');
  });

  it('two instances in one group split datasets and never double-count', async () => {
    const clock = createTestClock(T0);
    const bus = new InMemoryEvidenceBus({ now: () => clock.now(), defaultPartitions: 8 });
    const state = new InMemoryStateStore({ now: () => clock.now() });
    const urns = Array.from({ length: 12 }, (_, i) => `urn:dp:shop:ds${i}`);
    const a = await harness({ engines: [countingEngine()], bus, state, clock, instanceId: 'a' });
    const b = await harness({ engines: [countingEngine()], bus, state, clock, instanceId: 'b' });
    try {
      for (const urn of urns) await a.publish(stream(urn, T0, T0 + 5 * MIN, 10));
      await a.runtime.advanceTo(T0 + 5 * MIN);
      await b.runtime.advanceTo(T0 + 5 * MIN);
      await a.runtime.advanceTo(T0 + 7 * MIN);
      await b.runtime.advanceTo(T0 + 7 * MIN);
      const ma = a.runtime.metrics().engines.count!;
      const mb = b.runtime.metrics().engines.count!;
      expect(ma.observed + mb.observed).toBe(120);
      expect(ma.activeDatasets).toBeGreaterThan(0);
      expect(mb.activeDatasets).toBeGreaterThan(0);
      for (const urn of urns)
        expect((await engineState(state, urn)).engine.closed).toEqual([[T0, 10]]);
    } finally {
      await a.runtime.close();
      await b.runtime.close();
    }
  });
});

describe('engine runtime: real-time restart with a backlog', () => {
  it('does not close windows on timers before the backlog is consumed', async () => {
    let now = T0;
    const bus = new InMemoryEvidenceBus({ now: () => now });
    const state = new InMemoryStateStore({ now: () => now });
    const a = createEngineRuntime({
      bus,
      state,
      engines: [countingEngine()],
      clock: () => now,
      autoTick: false,
      instanceId: 'a',
    });
    await a.start();
    await bus.publish('signal_factory.evidence', [
      { key: URN, value: JSON.stringify(evidence(URN, T0 - 4 * MIN)), timestamp: T0 - 4 * MIN },
    ]);
    await a.flush();
    await a.close();
    // Down for 10 minutes while a window's evidence queued up.
    await bus.publish(
      'signal_factory.evidence',
      stream(URN, T0, T0 + 5 * MIN, 6).map((e) => ({
        key: URN,
        value: JSON.stringify(e),
        timestamp: Date.parse(e.event_time),
      })),
    );
    now = T0 + 10 * MIN;
    const slowBus: EvidenceBus = {
      ensureTopic: (topic, options) => bus.ensureTopic(topic, options),
      publish: (topic, messages) => bus.publish(topic, messages),
      flush: () => bus.flush(),
      close: () => bus.close(),
      subscribe: (options, handler) =>
        bus.subscribe(options, async (batch) => {
          await new Promise((r) => setTimeout(r, 150)); // a slow first fetch
          await handler(batch);
        }),
    };
    const b = createEngineRuntime({
      bus: slowBus,
      state,
      engines: [countingEngine()],
      clock: () => now,
      tickMs: 20,
      instanceId: 'b',
      adoptEveryMs: 1,
    });
    await b.start();
    try {
      const deadline = Date.now() + 10_000;
      while ((await engineState(state)).engine.closed.length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect((await engineState(state)).engine.closed).toEqual([
        [T0 - 5 * MIN, 1],
        [T0, 6],
      ]);
      expect(b.metrics().engines.count!.late).toBe(0);
    } finally {
      await b.close();
    }
  });
});

describe('engine runtime: state store throttling', () => {
  it('retries throttled writes with backoff; processing pauses and resumes without loss', async () => {
    const clock = createTestClock(T0);
    const inner = new InMemoryStateStore({ now: () => clock.now() });
    let failures = 0;
    let outage = true;
    const throttled = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'put' && typeof value === 'function') {
          return async (...args: unknown[]) => {
            if (outage) {
              failures += 1;
              throw new SignalFactoryError('SF_ERR_STATE_THROTTLED', 'throttled', {
                retriable: true,
              });
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    }) as InMemoryStateStore;
    const sleeps: number[] = [];
    h = await harness({
      engines: [countingEngine()],
      state: throttled,
      clock,
      stateRetry: { attempts: 3, baseMs: 10 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      drainTimeoutMs: 300,
    });
    await h.publish(stream(URN, T0, T0 + 5 * MIN, 6));
    await new Promise((r) => setTimeout(r, 150));
    expect(failures).toBeGreaterThanOrEqual(3);
    const m = h.runtime.metrics().engines.count!;
    expect(m.stateRetries).toBeGreaterThan(0);
    expect(m.stateFailures).toBeGreaterThan(0);
    outage = false;
    await h.runtime.advanceTo(T0 + 7 * MIN);
    expect((await engineState(inner)).engine.closed).toEqual([[T0, 6]]);
    expect(sleeps.length).toBeGreaterThan(0);
  });
});

describe('engine runtime: signals', () => {
  it('publishes signals to the signals topic, stores history and the current signal, and heartbeats', async () => {
    h = await harness({ engines: [countingEngine()], heartbeatMs: 5 * MIN });
    const onTopic: Signal[] = [];
    const sub = await h.bus.subscribe(
      { groupId: 'signals-reader', topics: ['signal_factory.signals'] },
      async (batch) => {
        for (const r of batch) onTopic.push(JSON.parse(r.value) as Signal);
      },
    );
    await h.publish(stream(URN, T0, T0 + 20 * MIN, 40));
    await h.runtime.advanceTo(T0 + 22 * MIN);
    await new Promise((r) => setTimeout(r, 20));
    await sub.close();
    // one change (first OK) plus heartbeats every 5 minutes while OK
    const kinds = h.signals.map((s) => s.metrics.signal_kind);
    expect(kinds[0]).toBe('change');
    expect(kinds.filter((k) => k === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(onTopic.map((s) => s.signal_id)).toEqual(h.signals.map((s) => s.signal_id));
    const history = await h.runtime.signalHistory(URN);
    expect(history.map((s) => s.signal_id)).toEqual(h.signals.map((s) => s.signal_id).reverse());
    const current = await h.runtime.currentSignals(URN);
    expect(current).toHaveLength(1);
    expect(current[0]!.signal_id).toBe(h.signals.at(-1)!.signal_id);
    expect(new Set(h.signals.map((s) => s.signal_id)).size).toBe(h.signals.length);
  });

  it('states the SLO defaults it applied in every signal', async () => {
    h = await harness({
      engines: [createFreshnessEngine()],
      datasets: createDatasetCatalog({
        datasets: [
          {
            urn: 'urn:dp:a:known',
            tier: 1,
            slo: { freshness_max_delay: '10m', freshness_warn_fraction: 0.5, compliance_min: 0.9 },
          },
        ],
      }),
    });
    await h.publish([evidence(URN, T0), evidence('urn:dp:a:known', T0)]);
    await h.runtime.advanceTo(T0 + 10_000);
    const byUrn = new Map(h.signals.map((s) => [s.dataset_urn, s]));
    expect(byUrn.get(URN)!.defaults_applied).toEqual([
      'freshness_max_delay',
      'freshness_warn_fraction',
      'compliance_min',
      'tier',
    ]);
    expect(byUrn.get('urn:dp:a:known')!.defaults_applied).toEqual([]);
  });
});

describe('engine runtime: options and lifecycle', () => {
  it('reports every invalid option with its path', () => {
    try {
      createEngineRuntime({
        bus: {} as never,
        state: new InMemoryStateStore(),
        engines: [countingEngine(), countingEngine()],
        windowMs: 10,
        graceMs: -1,
        topics: { evidence: '' },
        bogus: 1,
      } as never);
      expect.unreachable();
    } catch (error) {
      expect((error as SignalFactoryError).code).toBe('SF_ERR_ENGINES_OPTIONS_INVALID');
      const paths = (
        (error as SignalFactoryError).details as { problems: Array<{ path: string }> }
      ).problems.map((p) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'bus',
          'engines[1].group',
          'windowMs',
          'graceMs',
          'topics.evidence',
          'bogus',
        ]),
      );
    }
  });

  it('advanceTo needs a settable clock; close is idempotent', async () => {
    const rt = createEngineRuntime({
      bus: new InMemoryEvidenceBus(),
      state: new InMemoryStateStore(),
      engines: [countingEngine()],
      clock: () => T0,
      autoTick: false,
    });
    await rt.start();
    await expect(rt.advanceTo(T0 + 1000)).rejects.toMatchObject({
      code: 'SF_ERR_ENGINES_CLOCK_NOT_SETTABLE',
    });
    await rt.close();
    await rt.close();
    await expect(rt.flush()).rejects.toMatchObject({ code: 'SF_ERR_ENGINES_NOT_RUNNING' });
  });

  it('ticks on real timers when autoTick is on', async () => {
    const now = T0 + 30_000;
    const signals: Signal[] = [];
    const bus = new InMemoryEvidenceBus();
    const rt = createEngineRuntime({
      bus,
      state: new InMemoryStateStore(),
      engines: [createFreshnessEngine()],
      clock: () => now,
      tickMs: 20,
      signalSink: (s) => void signals.push(s),
    });
    await rt.start();
    await bus.publish('signal_factory.evidence', [
      { key: URN, value: JSON.stringify(evidence(URN, T0)) },
    ]);
    const deadline = Date.now() + 5000;
    while (signals.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    await rt.close();
    expect(signals[0]).toMatchObject({ signal_type: 'FRESHNESS', state: 'OK' });
  });
});
