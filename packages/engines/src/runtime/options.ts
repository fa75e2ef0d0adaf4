import { randomUUID } from 'node:crypto';
import {
  safeLogger,
  type EvidenceBus,
  type Logger,
  type Signal,
  type StateStore,
} from '@signal-factory/core';
import { createDatasetCatalog, type DatasetProvider } from './dataset-catalog';
import { checkNumber, optionsError, type OptionProblem } from './errors';
import type { SignalEngine } from './signal-engine';

/** The processing-time clock. A `set` method (as on core's `createTestClock()`) enables `advanceTo()`. */
export interface EngineClock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Moves the clock to an absolute time; needed by `advanceTo()` only. */
  set?(epochMs: number): unknown;
}

/** Receives every emitted signal (state changes and heartbeats). Errors and rejections are caught and counted. */
export type SignalSink = (signal: Signal) => void | Promise<void>;

/** Topic names. */
export interface EngineTopics {
  /** Evidence v1 input. Default `signal_factory.evidence`. */
  evidence?: string;
  /** Signal v1 output; `null` disables publishing. Default `signal_factory.signals`. */
  signals?: string | null;
  /** Dead-letter topic for evidence failing the Evidence v1 schema; `null` only counts them. Default `signal_factory.evidence.dlq`. */
  dlq?: string | null;
}

/** Backoff of state-store calls that fail with a retriable error (throttling, outage). */
export interface StateRetryOptions {
  /** First wait, ms. Default 50. */
  baseMs?: number;
  /** Longest single wait, ms. Default 5,000. */
  maxMs?: number;
  /** Give up (the batch is redelivered by the bus, the tick retried next time) after this many attempts. Default 8. */
  attempts?: number;
}

export interface EngineRuntimeOptions {
  /** Evidence bus (`InMemoryEvidenceBus`, `KafkaEvidenceBus`, …). Required. */
  bus: EvidenceBus;
  /** State store (`InMemoryStateStore`, `DynamoDbStateStore`, …). Required. */
  state: StateStore;
  /** Engines to run; each gets its own consumer group `<groupPrefix><engine.group>`. Required, at least one, groups unique. */
  engines: ReadonlyArray<SignalEngine<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Tier, owner and SLOs per dataset. Default: `createDatasetCatalog()` (defaults for everyone, stated in `defaults_applied`). */
  datasets?: DatasetProvider;
  /** Processing-time clock (function or `{ now, set? }`). Default `Date.now`. */
  clock?: EngineClock | (() => number);
  /** Tumbling event-time window, ms. Default 300,000 (5 min). */
  windowMs?: number;
  /** A window closes when the clock passes `end + graceMs`; evidence after that is late and counted. Default 120,000. */
  graceMs?: number;
  /** Processing-time tick (engine `tick`, heartbeats), ms. Windows also close exactly at `end + grace`. Default 10,000. */
  tickMs?: number;
  /** A dataset whose signal did not change is re-emitted after this long, ms. Default 300,000. */
  heartbeatMs?: number;
  /** Evidence whose event time is further than this in the future is clamped to now and counted, ms. Default 60,000. */
  maxFutureSkewMs?: number;
  /** After a long stop, at most this many missed windows per dataset are judged; older ones are skipped and counted. Default 288 (one day). */
  maxCatchUpWindows?: number;
  /** Run ticks on real timers after `start()`. Set `false` when driving time with `advanceTo()`/`flush()`. Default `true`. */
  autoTick?: boolean;
  /** Topic names. */
  topics?: EngineTopics;
  /** Consumer-group prefix. Default `signal_engines.`. */
  groupPrefix?: string;
  /** Most evidence records per handler call. Default 1,000. */
  maxBatchSize?: number;
  /** Logical table of engine state, markers and signal history. Default `SignalState`. */
  signalTable?: string;
  /** How long signal history and closed-window markers are kept (TTL), ms. Default 14 days. */
  historyTtlMs?: number;
  /** Identity of this instance in dataset leases. Default a random id. */
  instanceId?: string;
  /**
   * Ownership lease of a dataset's state, ms: renewed with every write; after it lapses (owner
   * gone, dataset silent) another instance of the group adopts the dataset, so absence is still
   * judged after a crash. Default `2 × windowMs`.
   */
  leaseMs?: number;
  /** How often an instance looks for datasets without a live owner, ms. Default 30,000. */
  adoptEveryMs?: number;
  /** Backoff of state-store calls. */
  stateRetry?: StateRetryOptions;
  /** Receives every emitted signal. */
  signalSink?: SignalSink | ReadonlyArray<SignalSink>;
  /** pino-compatible logger. Default silent. */
  logger?: Logger;
  /** Longest `flush()`/`advanceTo()` waits for the bus to drain, real ms. Default 30,000. */
  drainTimeoutMs?: number;
  /** Waits `ms` (state retries). Default `setTimeout`; replace in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ResolvedRuntimeOptions {
  bus: EvidenceBus;
  state: StateStore;
  engines: ReadonlyArray<SignalEngine<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  datasets: DatasetProvider;
  clock: EngineClock;
  windowMs: number;
  graceMs: number;
  tickMs: number;
  heartbeatMs: number;
  maxFutureSkewMs: number;
  maxCatchUpWindows: number;
  autoTick: boolean;
  topics: { evidence: string; signals: string | null; dlq: string | null };
  groupPrefix: string;
  maxBatchSize: number;
  signalTable: string;
  historyTtlMs: number;
  instanceId: string;
  leaseMs: number;
  adoptEveryMs: number;
  stateRetry: Required<StateRetryOptions>;
  signalSinks: SignalSink[];
  logger: Logger;
  drainTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}

const KNOWN = new Set([
  'bus',
  'state',
  'engines',
  'datasets',
  'clock',
  'windowMs',
  'graceMs',
  'tickMs',
  'heartbeatMs',
  'maxFutureSkewMs',
  'maxCatchUpWindows',
  'autoTick',
  'topics',
  'groupPrefix',
  'maxBatchSize',
  'signalTable',
  'historyTtlMs',
  'instanceId',
  'leaseMs',
  'adoptEveryMs',
  'stateRetry',
  'signalSink',
  'logger',
  'drainTimeoutMs',
  'sleep',
]);

const hasMethods = (value: unknown, names: string[]): boolean =>
  typeof value === 'object' &&
  value !== null &&
  names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Validates options and applies defaults; throws `SF_ERR_ENGINES_OPTIONS_INVALID` listing every problem. */
export function resolveRuntimeOptions(options: EngineRuntimeOptions): ResolvedRuntimeOptions {
  const problems: OptionProblem[] = [];
  if (typeof options !== 'object' || options === null) {
    throw optionsError('createEngineRuntime', [{ path: '', message: 'must be an object' }]);
  }
  const o = options as unknown as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) problems.push({ path: key, message: 'is not a known option' });
  }
  if (!hasMethods(o.bus, ['ensureTopic', 'publish', 'subscribe', 'flush', 'close']))
    problems.push({ path: 'bus', message: 'must be an EvidenceBus' });
  if (!hasMethods(o.state, ['get', 'put', 'query', 'delete', 'close']))
    problems.push({ path: 'state', message: 'must be a StateStore' });
  const engines = o.engines;
  if (!Array.isArray(engines) || engines.length === 0) {
    problems.push({ path: 'engines', message: 'must be a non-empty array of SignalEngine' });
  } else {
    const groups = new Set<string>();
    engines.forEach((e: unknown, i) => {
      const engine = e as Partial<SignalEngine>;
      if (typeof e !== 'object' || e === null) {
        problems.push({ path: `engines[${i}]`, message: 'must be a SignalEngine' });
        return;
      }
      if (!nonEmpty(engine.type))
        problems.push({ path: `engines[${i}].type`, message: 'must be a signal type' });
      if (!nonEmpty(engine.id))
        problems.push({ path: `engines[${i}].id`, message: 'must be `name@version`' });
      if (!nonEmpty(engine.group) || !/^[A-Za-z0-9._-]+$/.test(engine.group))
        problems.push({
          path: `engines[${i}].group`,
          message: 'must be letters, digits, ".", "_" or "-"',
        });
      else if (groups.has(engine.group))
        problems.push({ path: `engines[${i}].group`, message: `duplicates group ${engine.group}` });
      else groups.add(engine.group);
      for (const m of ['initialState', 'observe', 'closeWindow'] as const)
        if (typeof engine[m] !== 'function')
          problems.push({ path: `engines[${i}].${m}`, message: 'must be a function' });
      if (engine.tick !== undefined && typeof engine.tick !== 'function')
        problems.push({ path: `engines[${i}].tick`, message: 'must be a function' });
    });
  }
  if (o.datasets !== undefined && !hasMethods(o.datasets, ['get']))
    problems.push({ path: 'datasets', message: 'must be a DatasetProvider ({ get(urn) })' });
  let clock: EngineClock = { now: Date.now };
  if (typeof o.clock === 'function') clock = { now: o.clock as () => number };
  else if (o.clock !== undefined) {
    if (!hasMethods(o.clock, ['now']))
      problems.push({ path: 'clock', message: 'must be a function or { now(), set?() }' });
    else clock = o.clock as EngineClock;
  }
  checkNumber(problems, 'windowMs', o.windowMs, { min: 1000, integer: true });
  checkNumber(problems, 'graceMs', o.graceMs, { min: 0, integer: true });
  checkNumber(problems, 'tickMs', o.tickMs, { min: 1, integer: true });
  checkNumber(problems, 'heartbeatMs', o.heartbeatMs, { min: 1, integer: true });
  checkNumber(problems, 'maxFutureSkewMs', o.maxFutureSkewMs, { min: 0, integer: true });
  checkNumber(problems, 'maxCatchUpWindows', o.maxCatchUpWindows, { min: 1, integer: true });
  checkNumber(problems, 'maxBatchSize', o.maxBatchSize, { min: 1, integer: true });
  checkNumber(problems, 'historyTtlMs', o.historyTtlMs, { min: 1000, integer: true });
  checkNumber(problems, 'leaseMs', o.leaseMs, { min: 1, integer: true });
  checkNumber(problems, 'adoptEveryMs', o.adoptEveryMs, { min: 1, integer: true });
  checkNumber(problems, 'drainTimeoutMs', o.drainTimeoutMs, { min: 1, integer: true });
  if (o.autoTick !== undefined && typeof o.autoTick !== 'boolean')
    problems.push({ path: 'autoTick', message: 'must be a boolean' });
  if (o.groupPrefix !== undefined && typeof o.groupPrefix !== 'string')
    problems.push({ path: 'groupPrefix', message: 'must be a string' });
  if (o.signalTable !== undefined && !nonEmpty(o.signalTable))
    problems.push({ path: 'signalTable', message: 'must be a non-empty string' });
  if (o.instanceId !== undefined && !nonEmpty(o.instanceId))
    problems.push({ path: 'instanceId', message: 'must be a non-empty string' });
  const topics = (o.topics ?? {}) as Record<string, unknown>;
  if (typeof topics !== 'object' || topics === null)
    problems.push({ path: 'topics', message: 'must be an object' });
  else {
    if (topics.evidence !== undefined && !nonEmpty(topics.evidence))
      problems.push({ path: 'topics.evidence', message: 'must be a non-empty string' });
    for (const k of ['signals', 'dlq'])
      if (topics[k] !== undefined && topics[k] !== null && !nonEmpty(topics[k]))
        problems.push({ path: `topics.${k}`, message: 'must be a non-empty string or null' });
  }
  const retry = (o.stateRetry ?? {}) as Record<string, unknown>;
  checkNumber(problems, 'stateRetry.baseMs', retry.baseMs, { min: 0, integer: true });
  checkNumber(problems, 'stateRetry.maxMs', retry.maxMs, { min: 0, integer: true });
  checkNumber(problems, 'stateRetry.attempts', retry.attempts, { min: 1, integer: true });
  const sinks =
    o.signalSink === undefined ? [] : Array.isArray(o.signalSink) ? o.signalSink : [o.signalSink];
  sinks.forEach((s: unknown, i) => {
    if (typeof s !== 'function')
      problems.push({
        path: Array.isArray(o.signalSink) ? `signalSink[${i}]` : 'signalSink',
        message: 'must be a function',
      });
  });
  if (o.logger !== undefined && !hasMethods(o.logger, ['debug', 'info', 'warn', 'error']))
    problems.push({ path: 'logger', message: 'must be a pino-compatible logger' });
  if (o.sleep !== undefined && typeof o.sleep !== 'function')
    problems.push({ path: 'sleep', message: 'must be a function' });
  if (problems.length > 0) throw optionsError('createEngineRuntime', problems);

  const windowMs = options.windowMs ?? 300_000;
  return {
    bus: options.bus,
    state: options.state,
    engines: options.engines,
    datasets: options.datasets ?? createDatasetCatalog(),
    clock,
    windowMs,
    graceMs: options.graceMs ?? 120_000,
    tickMs: options.tickMs ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 300_000,
    maxFutureSkewMs: options.maxFutureSkewMs ?? 60_000,
    maxCatchUpWindows: options.maxCatchUpWindows ?? 288,
    autoTick: options.autoTick ?? true,
    topics: {
      evidence: options.topics?.evidence ?? 'signal_factory.evidence',
      signals:
        options.topics?.signals === undefined ? 'signal_factory.signals' : options.topics.signals,
      dlq: options.topics?.dlq === undefined ? 'signal_factory.evidence.dlq' : options.topics.dlq,
    },
    groupPrefix: options.groupPrefix ?? 'signal_engines.',
    maxBatchSize: options.maxBatchSize ?? 1000,
    signalTable: options.signalTable ?? 'SignalState',
    historyTtlMs: options.historyTtlMs ?? 14 * 86_400_000,
    instanceId: options.instanceId ?? `engines-${randomUUID().slice(0, 8)}`,
    leaseMs: options.leaseMs ?? 2 * windowMs,
    adoptEveryMs: options.adoptEveryMs ?? 30_000,
    stateRetry: {
      baseMs: options.stateRetry?.baseMs ?? 50,
      maxMs: options.stateRetry?.maxMs ?? 5_000,
      attempts: options.stateRetry?.attempts ?? 8,
    },
    signalSinks: sinks as SignalSink[],
    logger: safeLogger(options.logger),
    drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
}
