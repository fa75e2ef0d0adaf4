import type { Signal, SignalType } from '@signal-factory/core';
import { EngineRunner } from './engine-runner';
import { EvidenceDecoder } from './evidence-decoder';
import { RUNTIME_ERROR_CODES } from './errors';
import {
  resolveRuntimeOptions,
  type EngineRuntimeOptions,
  type ResolvedRuntimeOptions,
} from './options';
import type { EngineRuntimeMetrics } from './runtime-metrics';
import { currentSignalPk, signalHistoryPk } from './state-layout';
import { windowStart } from './window-math';
import { SignalFactoryError } from '@signal-factory/core';

/** A running set of engines: one consumer group per engine type on the evidence bus. */
export interface EngineRuntime {
  /** Ensures the topics, joins one consumer group per engine, starts the tick timer (unless `autoTick: false`). */
  start(): Promise<void>;
  /**
   * Processes everything published to the evidence topic so far (on the embedded bus: until every
   * group's committed offset reaches the end; on Kafka: until no batch arrived for 250 ms), then
   * fires every tick due up to the clock's current time. Deterministic on the embedded bus.
   */
  flush(): Promise<void>;
  /**
   * Accelerated time: moves a settable clock forward to `time` (never back), drains the bus, then
   * fires every tick and window close between the last tick and `time`, in order, each at its own
   * scheduled time. Throws `SF_ERR_ENGINES_CLOCK_NOT_SETTABLE` when the clock has no `set`.
   */
  advanceTo(time: number): Promise<void>;
  /** Runs one tick now (close due windows, engine ticks, heartbeats, adoption). */
  tick(): Promise<void>;
  /** Counters per engine group. */
  metrics(): EngineRuntimeMetrics;
  /** Latest signal per type of a dataset (from the state store). */
  currentSignals(urn: string): Promise<Signal[]>;
  /** Signal history of a dataset, newest first (from the state store; TTL-bounded). */
  signalHistory(urn: string, options?: { type?: SignalType; limit?: number }): Promise<Signal[]>;
  /** Leaves the groups, hands dataset leases back, stops timers. Idempotent. */
  close(): Promise<void>;
}

/** Creates an engine runtime; validates options at once (`SF_ERR_ENGINES_OPTIONS_INVALID`). */
export function createEngineRuntime(options: EngineRuntimeOptions): EngineRuntime {
  return new EngineRuntimeImpl(resolveRuntimeOptions(options));
}

interface DrainableBus {
  committedOffsets(groupId: string, topic: string): (string | undefined)[];
  endOffsets(topic: string): string[];
}

function isDrainable(bus: unknown): bus is DrainableBus {
  return (
    typeof (bus as DrainableBus).committedOffsets === 'function' &&
    typeof (bus as DrainableBus).endOffsets === 'function'
  );
}

const KAFKA_IDLE_MS = 250;

class EngineRuntimeImpl implements EngineRuntime {
  readonly #o: ResolvedRuntimeOptions;
  readonly #runners: EngineRunner[];
  #state: 'new' | 'starting' | 'running' | 'closed' = 'new';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastTickAt = 0;
  #ticking: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedRuntimeOptions) {
    this.#o = options;
    const decoder = new EvidenceDecoder(options.engines.length);
    this.#runners = options.engines.map((engine) => new EngineRunner(options, engine, decoder));
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    this.#state = 'starting';
    const { bus, topics } = this.#o;
    await bus.ensureTopic(topics.evidence);
    if (topics.signals !== null) await bus.ensureTopic(topics.signals);
    if (topics.dlq !== null) await bus.ensureTopic(topics.dlq);
    this.#lastTickAt = this.#o.clock.now();
    try {
      for (const runner of this.#runners) await runner.start();
    } catch (error) {
      await Promise.allSettled(this.#runners.map((r) => r.close()));
      this.#state = 'closed';
      throw error;
    }
    this.#state = 'running';
    this.#o.logger.info(
      { instanceId: this.#o.instanceId, groups: this.#runners.map((r) => r.groupId) },
      'engine runtime started',
    );
    if (this.#o.autoTick) this.#schedule();
  }

  #assertRunning(what: string): void {
    if (this.#state !== 'running')
      throw new SignalFactoryError(
        RUNTIME_ERROR_CODES.NOT_RUNNING,
        `${what}: the engine runtime is ${this.#state === 'closed' ? 'closed' : 'not started'}`,
      );
  }

  /** Next time a tick or a window close is due after `after`. */
  #nextDue(after: number): number {
    const { tickMs, windowMs, graceMs } = this.#o;
    const nextTick = (Math.floor(after / tickMs) + 1) * tickMs;
    let nextClose = windowStart(after - graceMs, windowMs) + graceMs;
    while (nextClose <= after) nextClose += windowMs;
    return Math.min(nextTick, nextClose);
  }

  #schedule(): void {
    if (this.#state !== 'running') return;
    const now = this.#o.clock.now();
    const delay = Math.max(0, Math.min(this.#o.tickMs, this.#nextDue(now) - now));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#serial(() => this.#tickAll(this.#o.clock.now(), true)).finally(() =>
        this.#schedule(),
      );
    }, delay);
    this.#timer.unref?.();
  }

  /** Ticks never overlap. */
  #serial(fn: () => Promise<void>): Promise<void> {
    const run = this.#ticking.then(fn, fn);
    this.#ticking = run.catch((error: unknown) => {
      this.#o.logger.error({ err: error }, 'engine tick failed');
    });
    return this.#ticking;
  }

  async #tickAll(now: number, realTime = false): Promise<void> {
    if (this.#state !== 'running') return;
    await Promise.all(this.#runners.map((r) => r.tick(now, realTime)));
    if (now > this.#lastTickAt) this.#lastTickAt = now;
  }

  async #drain(): Promise<void> {
    const bus = this.#o.bus;
    const topic = this.#o.topics.evidence;
    const deadline = performance.now() + this.#o.drainTimeoutMs;
    const idle = (bus as { idle?: () => Promise<void> }).idle;
    if (typeof idle === 'function' && !isDrainable(bus)) {
      // A wrapper that knows when every group handled every record (e.g. the CLI's DrainableBus).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        idle.call(bus),
        new Promise((resolve) => (timer = setTimeout(resolve, this.#o.drainTimeoutMs))),
      ]);
      clearTimeout(timer);
      while (this.#runners.some((r) => r.inflight > 0) && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      return;
    }
    for (;;) {
      const idle = this.#runners.every((r) => r.inflight === 0);
      if (isDrainable(bus)) {
        const ends = bus.endOffsets(topic);
        const caughtUp = this.#runners.every((r) => {
          const committed = bus.committedOffsets(r.groupId, topic);
          return ends.every((end, p) => (committed[p] ?? '0') === end);
        });
        if (idle && caughtUp) return;
        if (performance.now() > deadline) break;
        await new Promise((resolve) => setImmediate(resolve));
      } else {
        const quiet = this.#runners.every(
          (r) => performance.now() - r.lastBatchAt >= KAFKA_IDLE_MS,
        );
        if (idle && quiet) return;
        if (performance.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    this.#o.logger.warn(
      { drainTimeoutMs: this.#o.drainTimeoutMs },
      'the evidence bus did not drain in time; continuing',
    );
  }

  async #catchUp(until: number): Promise<void> {
    for (;;) {
      const next = this.#nextDue(this.#lastTickAt);
      if (next > until) return;
      await this.#tickAll(next);
      this.#lastTickAt = next;
    }
  }

  async flush(): Promise<void> {
    this.#assertRunning('flush');
    await this.#drain();
    await this.#serial(() => this.#catchUp(this.#o.clock.now()));
  }

  async advanceTo(time: number): Promise<void> {
    this.#assertRunning('advanceTo');
    if (typeof time !== 'number' || !Number.isFinite(time))
      throw new SignalFactoryError(
        RUNTIME_ERROR_CODES.OPTIONS_INVALID,
        'advanceTo(time) needs epoch milliseconds',
      );
    const clock = this.#o.clock;
    if (clock.now() < time) {
      if (typeof clock.set !== 'function')
        throw new SignalFactoryError(
          RUNTIME_ERROR_CODES.CLOCK_NOT_SETTABLE,
          'advanceTo() needs a clock with set(epochMs), e.g. createTestClock() from @signal-factory/core/testing',
        );
      clock.set(time);
    }
    await this.#drain();
    await this.#serial(() => this.#catchUp(time));
  }

  async tick(): Promise<void> {
    this.#assertRunning('tick');
    await this.#serial(() => this.#tickAll(this.#o.clock.now()));
  }

  metrics(): EngineRuntimeMetrics {
    const engines: EngineRuntimeMetrics['engines'] = {};
    for (const r of this.#runners) engines[r.engine.group] = { ...r.metrics };
    return { instanceId: this.#o.instanceId, engines };
  }

  async currentSignals(urn: string): Promise<Signal[]> {
    const items = await this.#o.state.query(this.#o.signalTable, currentSignalPk(urn));
    return items.map((i) => i.data as unknown as Signal);
  }

  async signalHistory(
    urn: string,
    options: { type?: SignalType; limit?: number } = {},
  ): Promise<Signal[]> {
    const items = await this.#o.state.query(this.#o.signalTable, signalHistoryPk(urn), {
      descending: true,
      ...(options.type === undefined && options.limit !== undefined
        ? { limit: options.limit }
        : {}),
    });
    let signals = items.map((i) => i.data as unknown as Signal);
    if (options.type !== undefined) signals = signals.filter((s) => s.signal_type === options.type);
    return options.limit !== undefined ? signals.slice(0, options.limit) : signals;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const wasRunning = this.#state === 'running' || this.#state === 'starting';
      this.#state = 'closed';
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      await this.#ticking;
      if (wasRunning) await Promise.all(this.#runners.map((r) => r.close()));
      this.#o.logger.info({ instanceId: this.#o.instanceId }, 'engine runtime closed');
    })();
    return this.#closing;
  }
}
