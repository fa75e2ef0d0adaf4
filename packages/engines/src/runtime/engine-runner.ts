import { channel } from 'node:diagnostics_channel';
import {
  PORT_ERROR_CODES,
  SignalFactoryError,
  isRetriable,
  type BusMessage,
  type ConsumedMessage,
  type Evidence,
  type Signal,
  type SignalState,
  type StateItem,
  type Subscription,
} from '@signal-factory/core';
import { buildSignal } from './build-signal';
import { resolveDatasetContext } from './dataset-catalog';
import type { EvidenceDecoder } from './evidence-decoder';
import { RUNTIME_ERROR_CODES } from './errors';
import { KeyedMutex } from './keyed-mutex';
import type { ResolvedRuntimeOptions } from './options';
import { isRuntimeDoc, type RuntimeDoc } from './runtime-doc';
import { emptyGroupMetrics, type EngineGroupMetrics } from './runtime-metrics';
import type { DatasetContext, SignalEngine, Verdict, WindowBounds } from './signal-engine';
import {
  currentSignalPk,
  datasetIndexPk,
  engineStateKey,
  signalHistoryPk,
  windowMarkerKey,
} from './state-layout';
import { compareOffsets, iso, parseTime, windowOf, windowStart } from './window-math';

const signalChannel = channel('signal-factory:engines:signal');
const windowChannel = channel('signal-factory:engines:window-closed');

interface DatasetEntry {
  urn: string;
  /** Version of the persisted item; 0 when none exists yet. */
  version: number;
  doc: RuntimeDoc;
  context: DatasetContext;
  contextAt: number;
}

interface Pending {
  evidence: Evidence;
  message: ConsumedMessage;
  /** Event time (epoch ms): `event_time`, else `processing_time`, else the record timestamp. */
  time: number;
}

interface Emission {
  verdict: Verdict;
  previous: SignalState | undefined;
  heartbeat: boolean;
  seq: number;
}

const CONTEXT_REFRESH_MS = 60_000;

const isConflict = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === PORT_ERROR_CODES.STATE_CONDITION_FAILED ||
  (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException' ||
  (typeof (error as { code?: unknown } | null)?.code === 'string' &&
    ((error as { code: string }).code.endsWith('CONDITION_FAILED') ?? false));

function weightOf(evidence: Evidence): number {
  const w = evidence.sample_weight;
  return typeof w === 'number' && Number.isFinite(w) && w > 0 ? w : 1;
}

/**
 * One engine's consumer-group member plus the per-dataset state it owns. All mutations of a
 * dataset run under a per-URN mutex, on a copy of the persisted document, and become visible only
 * after a conditional write succeeded; signals are emitted after that write.
 */
export class EngineRunner {
  readonly engine: SignalEngine;
  readonly groupId: string;
  readonly metrics: EngineGroupMetrics;
  readonly #o: ResolvedRuntimeOptions;
  readonly #decoder: EvidenceDecoder;
  readonly #entries = new Map<string, DatasetEntry>();
  readonly #mutex = new KeyedMutex();
  #subscription: Subscription | undefined;
  #inflight = 0;
  #lastBatchAt = 0;
  #lastAdoptAt = Number.NEGATIVE_INFINITY;
  #closed = false;
  /** Real-time mode: windows are not closed by timers until the consumer has caught up after start. */
  #caughtUp = false;
  #startedAt = 0;

  constructor(options: ResolvedRuntimeOptions, engine: SignalEngine, decoder: EvidenceDecoder) {
    this.#o = options;
    this.#decoder = decoder;
    this.engine = engine;
    this.groupId = `${options.groupPrefix}${engine.group}`;
    this.metrics = emptyGroupMetrics(this.groupId, engine.type);
  }

  /** Batches being handled now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Real time (performance.now) of the last batch handled. */
  get lastBatchAt(): number {
    return this.#lastBatchAt;
  }

  /** URNs of the datasets this instance holds. */
  datasets(): string[] {
    return [...this.#entries.keys()];
  }

  async start(): Promise<void> {
    this.#startedAt = performance.now();
    this.#subscription = await this.#o.bus.subscribe(
      {
        groupId: this.groupId,
        topics: [this.#o.topics.evidence],
        fromBeginning: true,
        maxBatchSize: this.#o.maxBatchSize,
      },
      (batch) => this.#handle(batch),
    );
  }

  /** Stops consuming, then hands the leases back so another instance adopts at once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#subscription?.close();
    } catch (error) {
      this.#o.logger.warn({ err: error, groupId: this.groupId }, 'closing the subscription failed');
    }
    await Promise.all(
      [...this.#entries.keys()].map((urn) =>
        this.#mutex.run(urn, async () => {
          const entry = this.#entries.get(urn);
          if (entry === undefined || entry.version === 0) return;
          try {
            await this.#o.state.put(
              this.#o.signalTable,
              engineStateKey(urn, this.engine.type),
              { ...entry.doc, leaseUntil: 0 } as unknown as StateItem['data'],
              { expectedVersion: entry.version },
            );
          } catch {
            // Best effort: the lease lapses by itself.
          }
        }),
      ),
    );
    this.#entries.clear();
    this.metrics.activeDatasets = 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Evidence path

  async #handle(batch: ConsumedMessage[]): Promise<void> {
    this.#inflight += 1;
    try {
      const now = this.#o.clock.now();
      if (!this.#caughtUp) {
        let newest = Number.NEGATIVE_INFINITY;
        for (const m of batch) if (m.timestamp > newest) newest = m.timestamp;
        if (newest >= now - this.#o.graceMs / 2) this.#caughtUp = true;
      }
      const byDataset = new Map<string, Pending[]>();
      const dead: BusMessage[] = [];
      for (const message of batch) {
        this.metrics.consumed += 1;
        const { evidence, problem } = this.#decoder.decode(message.value);
        if (evidence === undefined) {
          this.metrics.invalid += 1;
          dead.push({
            key: message.key,
            value: JSON.stringify({
              error: { code: 'SF_ERR_EVIDENCE_INVALID', message: problem ?? 'invalid' },
              original: message.value,
              topic: message.topic,
              partition: message.partition,
              offset: message.offset,
              group: this.groupId,
            }),
            headers: { 'x-sf-dlq-reason': 'SF_ERR_EVIDENCE_INVALID' },
          });
          continue;
        }
        if (evidence.dataset_urn === null) {
          this.metrics.unresolved += 1;
          continue;
        }
        let list = byDataset.get(evidence.dataset_urn);
        if (list === undefined) byDataset.set(evidence.dataset_urn, (list = []));
        let time = parseTime(evidence.event_time);
        if (Number.isNaN(time)) time = parseTime(evidence.processing_time);
        if (Number.isNaN(time)) time = message.timestamp;
        list.push({ evidence, message, time });
      }
      // Any failure here throws: the bus keeps the offset and redelivers; applied offsets are
      // skipped on the second pass, so nothing is counted twice.
      await Promise.all(
        [...byDataset].map(([urn, items]) =>
          this.#mutex.run(urn, () => this.#apply(urn, items, now)),
        ),
      );
      if (dead.length > 0 && this.#o.topics.dlq !== null) {
        try {
          await this.#o.bus.publish(this.#o.topics.dlq, dead);
          this.metrics.deadLettered += dead.length;
        } catch (error) {
          this.metrics.publishErrors += 1;
          this.#o.logger.error(
            { err: error, groupId: this.groupId, records: dead.length },
            'could not publish invalid evidence to the dead-letter topic; the batch will be redelivered',
          );
          throw error;
        }
      }
    } finally {
      this.#inflight -= 1;
      this.#lastBatchAt = performance.now();
    }
  }

  async #apply(urn: string, items: Pending[], now: number): Promise<void> {
    let earliest = Number.POSITIVE_INFINITY;
    for (const item of items) if (item.time < earliest) earliest = item.time;
    for (let attempt = 1; ; attempt++) {
      const entry = await this.#load(urn, now, earliest);
      // Mutated in place: on any failed write the entry is dropped and reloaded from the store,
      // which stays the only source of truth.
      const doc = entry.doc;
      let changed = false;
      for (const { evidence, message, time: eventTime } of items) {
        const partition = String(message.partition);
        const applied = doc.offsets[partition];
        if (applied !== undefined && compareOffsets(message.offset, applied) <= 0) {
          this.metrics.duplicates += 1;
          continue;
        }
        doc.offsets[partition] = message.offset;
        changed = true;
        let time = eventTime;
        let seen = evidence;
        if (time > now + this.#o.maxFutureSkewMs) {
          time = now;
          seen = { ...evidence, event_time: iso(now) };
          doc.future += 1;
          this.metrics.futureClamped += 1;
        }
        if (time < doc.closedThrough) {
          doc.late += 1;
          this.metrics.late += 1;
          if (this.engine.lateEvidence !== 'arrival') continue;
          const arrived = Date.parse(evidence.processing_time);
          time = Math.max(doc.closedThrough, Math.min(now, Number.isNaN(arrived) ? now : arrived));
        }
        const weight = weightOf(evidence);
        try {
          doc.engine = this.engine.observe(
            doc.engine,
            seen,
            weight,
            windowOf(time, this.#o.windowMs),
            entry.context,
          );
          this.metrics.observed += 1;
          this.metrics.observedWeight += weight;
        } catch (error) {
          this.metrics.engineErrors += 1;
          this.#o.logger.error(
            { err: error, groupId: this.groupId, dataset: urn, evidence: evidence.evidence_id },
            'engine observe() threw; the record is skipped',
          );
        }
      }
      if (!changed) return;
      doc.owner = this.#o.instanceId;
      doc.leaseUntil = now + this.#o.leaseMs;
      try {
        await this.#persist(entry, doc);
        return;
      } catch (error) {
        this.#forget(urn);
        if (!isConflict(error) || attempt >= 5) throw error;
        this.metrics.stateConflicts += 1;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Clock path

  /** Closes due windows, runs the engine's tick, heartbeats and lease renewal for every dataset held; adopts orphans. */
  async tick(now: number, realTime = false): Promise<void> {
    if (this.#closed) return;
    // After a restart with a backlog, timers must not close windows whose evidence is still
    // queued: wait until a batch carries recent records, the consumer idles for 2 s, or 5 min pass.
    let judge = true;
    if (realTime && !this.#caughtUp) {
      const since = performance.now();
      if (
        since - this.#lastBatchAt > 2000 &&
        since - this.#startedAt > 2000 &&
        this.#inflight === 0
      )
        this.#caughtUp = true;
      else if (since - this.#startedAt > 300_000) this.#caughtUp = true;
      else judge = false;
    }
    if (now - this.#lastAdoptAt >= this.#o.adoptEveryMs) {
      this.#lastAdoptAt = now;
      await this.#adopt(now);
      if (judge) await this.#watchUnseen(now);
    }
    await Promise.all(
      [...this.#entries.keys()].map((urn) =>
        this.#mutex.run(urn, () => this.#tickDataset(urn, now, judge)),
      ),
    );
  }

  async #tickDataset(urn: string, now: number, judge = true): Promise<void> {
    const entry = this.#entries.get(urn);
    if (entry === undefined) return;
    const o = this.#o;
    await this.#refreshContext(entry, now);
    const windowDue = judge && entry.doc.closedThrough + o.windowMs + o.graceMs <= now;
    const heartbeatDue =
      entry.doc.lastState !== null && now - entry.doc.lastEmitAt >= o.heartbeatMs;
    const leaseDue = entry.doc.leaseUntil - now < o.leaseMs / 2;
    const engineTick = judge && this.engine.tick !== undefined;
    if (!windowDue && !heartbeatDue && !leaseDue && !engineTick) return;

    const doc = entry.doc; // in place; see #apply
    const emissions: Emission[] = [];
    const latest: { verdict?: Verdict } = {};
    const closed: WindowBounds[] = [];
    let dirty = leaseDue;

    if (windowDue) {
      let due = Math.floor((now - o.graceMs - doc.closedThrough) / o.windowMs);
      if (due > o.maxCatchUpWindows) {
        const skipped = due - o.maxCatchUpWindows;
        doc.closedThrough += skipped * o.windowMs;
        this.metrics.windowsSkipped += skipped;
        due = o.maxCatchUpWindows;
      }
      for (let i = 0; i < due; i++) {
        const window = { start: doc.closedThrough, end: doc.closedThrough + o.windowMs };
        try {
          const step = this.engine.closeWindow(doc.engine, window, entry.context, now);
          doc.engine = step.state;
          if (step.verdict !== undefined) {
            const verdict: Verdict = {
              ...step.verdict,
              window: step.verdict.window ?? window,
              metrics: {
                ...step.verdict.metrics,
                late_evidence: doc.late,
                future_clamped: doc.future,
              },
            };
            this.#judge(doc, verdict, now, emissions, latest);
          }
        } catch (error) {
          this.metrics.engineErrors += 1;
          o.logger.error(
            { err: error, groupId: this.groupId, dataset: urn, window: iso(window.start) },
            'engine closeWindow() threw; the window is closed without a verdict',
          );
        }
        doc.closedThrough = window.end;
        doc.late = 0;
        doc.future = 0;
        closed.push(window);
      }
      dirty = true;
    }

    if (engineTick && this.engine.tick !== undefined) {
      try {
        const before = doc.engine;
        const step = this.engine.tick(doc.engine, now, entry.context);
        if (step.state !== before && JSON.stringify(step.state) !== JSON.stringify(before)) {
          dirty = true;
        }
        doc.engine = step.state;
        if (step.verdict !== undefined) this.#judge(doc, step.verdict, now, emissions, latest);
      } catch (error) {
        this.metrics.engineErrors += 1;
        o.logger.error({ err: error, groupId: this.groupId, dataset: urn }, 'engine tick() threw');
      }
    }

    if (emissions.length === 0 && doc.lastState !== null && now - doc.lastEmitAt >= o.heartbeatMs) {
      // The verdict judged in this tick, else the last signal emitted (no verdict is kept in
      // memory between ticks: that is most of a dataset's footprint).
      const verdict = latest.verdict ?? (await this.#lastSignalVerdict(urn));
      if (verdict !== undefined) {
        doc.seq += 1;
        emissions.push({ verdict, previous: doc.lastState, heartbeat: true, seq: doc.seq });
        doc.lastEmitAt = now;
      }
    }
    if (emissions.length > 0) dirty = true;
    if (!dirty) return;

    doc.owner = o.instanceId;
    doc.leaseUntil = now + o.leaseMs;
    try {
      await this.#persist(entry, doc);
    } catch (error) {
      this.#forget(urn);
      if (isConflict(error)) {
        // Another instance wrote this dataset: it owns it now (it consumes its partition).
        this.metrics.stateConflicts += 1;
      } else {
        o.logger.warn(
          { err: error, groupId: this.groupId, dataset: urn },
          'could not persist the tick; the dataset is reloaded and its windows judged at a later tick',
        );
        await this.#reload(urn, now);
      }
      return;
    }
    this.metrics.windowsClosed += closed.length;
    for (const window of closed) {
      if (windowChannel.hasSubscribers)
        windowChannel.publish({ groupId: this.groupId, dataset: urn, window });
    }
    await this.#writeMarkers(urn, closed, doc, now);
    if (emissions.length > 0) await this.#emit(urn, entry.context, emissions, now);
  }

  #judge(
    doc: RuntimeDoc,
    verdict: Verdict,
    now: number,
    emissions: Emission[],
    latest: { verdict?: Verdict },
  ): void {
    if (verdict.state !== doc.lastState) {
      doc.seq += 1;
      emissions.push({
        verdict,
        previous: doc.lastState ?? undefined,
        heartbeat: false,
        seq: doc.seq,
      });
      doc.lastState = verdict.state;
      doc.lastEmitAt = now;
    }
    latest.verdict = verdict;
  }

  /** The verdict of the latest signal of this type (`current#<urn>`), for a heartbeat. */
  async #lastSignalVerdict(urn: string): Promise<Verdict | undefined> {
    try {
      const item = await this.#o.state.get(this.#o.signalTable, {
        pk: currentSignalPk(urn),
        sk: this.engine.type,
      });
      if (item === undefined) return undefined;
      const s = item.data as unknown as Signal;
      const { signal_kind: _kind, ...metrics } = s.metrics ?? {};
      const verdict: Verdict = { state: s.state, reason: s.reason, metrics };
      if (s.expected !== undefined) verdict.expected = s.expected;
      if (s.first_bad !== undefined) verdict.first_bad = s.first_bad;
      if (s.last_good !== undefined) verdict.last_good = s.last_good;
      if (s.failure_signature_ids?.length) verdict.failure_signature_ids = s.failure_signature_ids;
      if (s.producer !== undefined) verdict.producer = s.producer;
      if (s.window !== undefined)
        verdict.window = { start: Date.parse(s.window.start), end: Date.parse(s.window.end) };
      return verdict;
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State

  async #load(urn: string, now: number, earliest = now): Promise<DatasetEntry> {
    const cached = this.#entries.get(urn);
    if (cached !== undefined) {
      await this.#refreshContext(cached, now);
      return cached;
    }
    const context = await this.#context(urn);
    const key = engineStateKey(urn, this.engine.type);
    const item = await this.withState('get', () => this.#o.state.get(this.#o.signalTable, key));
    let entry: DatasetEntry;
    if (item !== undefined && isRuntimeDoc(item.data)) {
      entry = { urn, version: item.version, doc: item.data, context, contextAt: now };
    } else {
      entry = {
        urn,
        version: item?.version ?? 0,
        doc: this.#freshDoc(context, now, earliest),
        context,
        contextAt: now,
      };
      if (item === undefined) await this.#index(urn, now);
    }
    this.#entries.set(urn, entry);
    this.metrics.activeDatasets = this.#entries.size;
    return entry;
  }

  #freshDoc(context: DatasetContext, now: number, earliest: number): RuntimeDoc {
    // A new dataset starts at the window of its earliest evidence (bounded by the catch-up
    // horizon and by now), so a consumer that starts behind does not call its first records late.
    const { windowMs, maxCatchUpWindows } = this.#o;
    const first = Number.isFinite(earliest)
      ? Math.min(now, Math.max(earliest, now - maxCatchUpWindows * windowMs))
      : now;
    return {
      v: 1,
      engine: this.engine.initialState(context),
      closedThrough: windowStart(first, windowMs),
      offsets: {},
      owner: this.#o.instanceId,
      leaseUntil: 0,
      lastState: null,
      lastEmitAt: 0,
      late: 0,
      future: 0,
      seq: 0,
    };
  }

  async #index(urn: string, now: number): Promise<void> {
    try {
      await this.withState('put', () =>
        this.#o.state.put(
          this.#o.signalTable,
          { pk: datasetIndexPk(this.groupId), sk: urn },
          { first_seen: iso(now) },
          { expectedVersion: 0 },
        ),
      );
    } catch (error) {
      if (!isConflict(error))
        this.#o.logger.warn({ err: error, dataset: urn }, 'could not index the dataset');
    }
  }

  async #context(urn: string): Promise<DatasetContext> {
    try {
      return await this.#o.datasets.get(urn);
    } catch (error) {
      this.#o.logger.warn({ err: error, dataset: urn }, 'dataset lookup failed; using defaults');
      return resolveDatasetContext(urn, undefined);
    }
  }

  async #refreshContext(entry: DatasetEntry, now: number): Promise<void> {
    if (now - entry.contextAt < CONTEXT_REFRESH_MS && now >= entry.contextAt) return;
    entry.context = await this.#context(entry.urn);
    entry.contextAt = now;
  }

  async #persist(entry: DatasetEntry, doc: RuntimeDoc): Promise<void> {
    const item = await this.withState('put', () =>
      this.#o.state.put(
        this.#o.signalTable,
        engineStateKey(entry.urn, this.engine.type),
        doc as unknown as StateItem['data'],
        { expectedVersion: entry.version },
      ),
    );
    entry.doc = doc;
    entry.version = item.version;
  }

  /** Reloads a dataset this instance still owns from the store (after a failed write). */
  async #reload(urn: string, now: number): Promise<void> {
    try {
      const got = await this.#o.state.get(
        this.#o.signalTable,
        engineStateKey(urn, this.engine.type),
      );
      if (got === undefined || !isRuntimeDoc(got.data) || got.data.owner !== this.#o.instanceId)
        return;
      const context = await this.#context(urn);
      this.#entries.set(urn, { urn, version: got.version, doc: got.data, context, contextAt: now });
      this.metrics.activeDatasets = this.#entries.size;
    } catch {
      // Still unavailable: the adoption scan picks the dataset up again (this instance owns it).
    }
  }

  #forget(urn: string): void {
    this.#entries.delete(urn);
    this.metrics.activeDatasets = this.#entries.size;
  }

  async #writeMarkers(urn: string, closed: WindowBounds[], doc: RuntimeDoc, now: number) {
    if (closed.length === 0) return;
    const expiresAt = Math.ceil((now + this.#o.historyTtlMs) / 1000);
    await Promise.all(
      closed.map(async (window) => {
        try {
          await this.withState('put', () =>
            this.#o.state.put(
              this.#o.signalTable,
              windowMarkerKey(urn, this.engine.type, window.start),
              {
                window_start: iso(window.start),
                window_end: iso(window.end),
                closed_at: iso(now),
                closed_by: this.#o.instanceId,
                state: doc.lastState,
              },
              { expectedVersion: 0, expiresAt },
            ),
          );
        } catch (error) {
          if (!isConflict(error)) {
            this.#o.logger.warn(
              { err: error, dataset: urn, window: iso(window.start) },
              'could not write the closed-window marker (the state already records the close)',
            );
          }
        }
      }),
    );
  }

  /** Adopts datasets of this group whose lease lapsed (their owner stopped) or that this instance owned before a restart. */
  async #adopt(now: number): Promise<void> {
    let items: StateItem[];
    try {
      items = await this.#o.state.query(this.#o.signalTable, datasetIndexPk(this.groupId));
    } catch (error) {
      this.#o.logger.warn({ err: error, groupId: this.groupId }, 'adoption scan failed');
      return;
    }
    await Promise.all(
      items
        .filter((item) => !this.#entries.has(item.sk))
        .map((item) =>
          this.#mutex.run(item.sk, async () => {
            const urn = item.sk;
            if (this.#entries.has(urn)) return;
            try {
              const got = await this.#o.state.get(
                this.#o.signalTable,
                engineStateKey(urn, this.engine.type),
              );
              if (got === undefined || !isRuntimeDoc(got.data)) return;
              if (got.data.owner !== this.#o.instanceId && got.data.leaseUntil > now) return;
              const context = await this.#context(urn);
              this.#entries.set(urn, {
                urn,
                version: got.version,
                doc: got.data,
                context,
                contextAt: now,
              });
              this.metrics.adopted += 1;
              this.metrics.activeDatasets = this.#entries.size;
            } catch (error) {
              this.#o.logger.warn({ err: error, dataset: urn }, 'could not adopt the dataset');
            }
          }),
        ),
    );
  }

  /**
   * For engines that judge absence: starts holding state for known datasets that have none yet
   * (they never sent evidence), so `tick` can judge them. The state is created by this instance's
   * next conditional write; if another instance created it first, the write conflicts and this
   * instance lets the dataset go (the same rule as for a rebalance), so one instance judges it.
   */
  async #watchUnseen(now: number): Promise<void> {
    if (this.engine.watchesUnseen !== true) return;
    let known: readonly string[];
    try {
      known = (await this.#o.datasets.known?.()) ?? [];
    } catch (error) {
      this.#o.logger.warn({ err: error, groupId: this.groupId }, 'could not list known datasets');
      return;
    }
    await Promise.all(
      known
        .filter((urn) => !this.#entries.has(urn))
        .map((urn) =>
          this.#mutex.run(urn, async () => {
            if (this.#entries.has(urn)) return;
            try {
              const key = engineStateKey(urn, this.engine.type);
              const got = await this.withState('get', () =>
                this.#o.state.get(this.#o.signalTable, key),
              );
              // a dataset with state is held by its owner or adopted when its lease lapses
              if (got !== undefined) return;
              await this.#load(urn, now);
              this.metrics.watchedUnseen += 1;
            } catch (error) {
              this.#o.logger.warn(
                { err: error, groupId: this.groupId, dataset: urn },
                'could not start watching the dataset',
              );
            }
          }),
        ),
    );
  }

  /** Runs a state-store call, retrying retriable errors with exponential backoff and full jitter. */
  async withState<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const { baseMs, maxMs, attempts } = this.#o.stateRetry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isRetriable(error) || isConflict(error)) throw error;
        if (attempt >= attempts) {
          this.metrics.stateFailures += 1;
          throw new SignalFactoryError(
            RUNTIME_ERROR_CODES.STATE_UNAVAILABLE,
            `State store ${what} kept failing after ${attempts} attempts`,
            { cause: error, retriable: true },
          );
        }
        this.metrics.stateRetries += 1;
        const delay = Math.floor(Math.random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
        this.#o.logger.debug({ err: error, what, attempt, delay }, 'state store busy; retrying');
        await this.#o.sleep(delay);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Emission

  async #emit(
    urn: string,
    context: DatasetContext,
    emissions: Emission[],
    now: number,
  ): Promise<void> {
    const o = this.#o;
    const signals: Signal[] = emissions.map((e) =>
      buildSignal({
        urn,
        type: this.engine.type,
        engineId: this.engine.id,
        verdict: e.verdict,
        previous: e.previous,
        context,
        emittedAt: now,
        seq: e.seq,
        heartbeat: e.heartbeat,
      }),
    );
    for (const e of emissions) {
      if (e.heartbeat) this.metrics.heartbeats += 1;
      else this.metrics.signals += 1;
    }
    const expiresAt = Math.ceil((now + o.historyTtlMs) / 1000);
    const last = signals[signals.length - 1]!;
    try {
      await Promise.all([
        ...signals.map((signal) =>
          this.withState('put', () =>
            o.state.put(
              o.signalTable,
              { pk: signalHistoryPk(urn), sk: `${signal.emitted_at}#${signal.signal_id}` },
              signal as unknown as StateItem['data'],
              { expiresAt },
            ),
          ),
        ),
        this.withState('put', () =>
          o.state.put(
            o.signalTable,
            { pk: currentSignalPk(urn), sk: this.engine.type },
            last as unknown as StateItem['data'],
          ),
        ),
      ]);
    } catch (error) {
      o.logger.warn({ err: error, dataset: urn }, 'could not store signal history');
    }
    if (o.topics.signals !== null) {
      try {
        await o.bus.publish(
          o.topics.signals,
          signals.map((s) => ({
            key: urn,
            value: JSON.stringify(s),
            headers: { 'x-sf-signal-type': s.signal_type, 'x-sf-signal-state': s.state },
          })),
        );
      } catch (error) {
        this.metrics.publishErrors += 1;
        o.logger.warn({ err: error, dataset: urn }, 'could not publish signals');
      }
    }
    for (const signal of signals) {
      if (signalChannel.hasSubscribers) signalChannel.publish({ groupId: this.groupId, signal });
      for (const sink of o.signalSinks) {
        try {
          await sink(signal);
        } catch (error) {
          this.metrics.sinkErrors += 1;
          o.logger.warn({ err: error, signal: signal.signal_id }, 'signal sink failed');
        }
      }
    }
  }
}
