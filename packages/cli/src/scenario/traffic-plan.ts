import { HEADERS } from '@signal-factory/core';

import { RecordBuilder, fieldBuilder, isoTime } from './field-values';
import { piiText } from './pii-values';
import { createPrng, type Prng } from './prng';
import type {
  FaultEffect,
  FaultKind,
  IdentityMode,
  Scenario,
  ScenarioDataset,
  ScenarioTraffic,
  ValueType,
} from './types';

/** One record the simulated producer sends. */
export interface SimRecord {
  kind: 'record';
  /** When the producer sends it, epoch ms on the simulated clock. */
  at: number;
  /** Business time of the record, epoch ms; `at` unless `late_events` shifted it back. */
  eventTime: number;
  dataset: string;
  topic: string;
  /** Producing service (traffic `service` or the dataset's producer). */
  service?: string;
  /** The service's version at `at` (from `services` and the deployments so far). */
  version?: string;
  /** What gate G2 will see: `header` sends the producer headers, the others do not. */
  identity: IdentityMode;
  /** Record key: the first top-level `uuid` field, else `<dataset>#<n>`. */
  key: string;
  /** The payload. */
  value: Record<string, unknown>;
  /**
   * Headers the producer would set: `x-obs-producer-service`/`-version` when identity is
   * `header`, and `x-obs-event-time` (RFC 3339) always.
   */
  headers: Record<string, string>;
  /** Fault and effect kinds that changed this record (`drop_fields`, `late_events`, …). */
  applied: FaultKind[];
  /** True for the second copy sent by a `duplicates` fault (same key, value and event time). */
  duplicate?: true;
}

/** A deployment happening on the simulated clock. */
export interface SimDeployment {
  kind: 'deployment';
  at: number;
  service: string;
  version: string;
  commit?: string;
  previousVersion?: string;
  /** Kinds of the deployment's effects (empty when it changes nothing). */
  effects: FaultKind[];
}

/** A fault window opening or closing (informational; records already carry its effect). */
export interface SimFaultMarker {
  kind: 'fault';
  phase: 'start' | 'end';
  at: number;
  dataset: string;
  fault: FaultKind;
  /** Index in `scenario.faults` (sorted by time). */
  index: number;
}

/** What {@link createTrafficPlan} yields, in time order. */
export type SimEvent = SimRecord | SimDeployment | SimFaultMarker;

/** Options of {@link createTrafficPlan}. */
export interface TrafficPlanOptions {
  /** Emit events at or after this time (epoch ms). Default `scenario.start`. */
  from?: number;
  /** Emit events before this time (epoch ms). Default `scenario.end`. */
  until?: number;
}

const HOUR = 3_600_000;

const DAY = 24 * HOUR;

/** Index 0..6 (Mon..Sun) of a UTC day (1970-01-01 was a Thursday). */
function weekday(t: number): number {
  return (((Math.floor(t / DAY) + 3) % 7) + 7) % 7;
}

/** UTC hour 0..23. */
function utcHour(t: number): number {
  return ((Math.floor(t / HOUR) % 24) + 24) % 24;
}

/** A time interval during which a stream's active effects do not change. */
interface Segment {
  from: number;
  to: number;
  version: string | undefined;
  effects: ReadonlyArray<{ effect: FaultEffect; rng: Prng }>;
  /** Product of `rate` multipliers; 0 under a stall. */
  multiplier: number;
}

/** Effect timeline of one traffic stream: deployments of its service and faults on its dataset. */
function segmentsFor(
  scenario: Scenario,
  traffic: ScenarioTraffic,
  labels: readonly string[],
): Segment[] {
  const service = traffic.service;
  const deployments = scenario.deployments.filter((d) => d.service === service);
  const faults = scenario.faults.filter((f) => f.dataset === traffic.dataset);
  const cuts = new Set<number>();
  for (const d of deployments) cuts.add(d.at);
  for (const f of faults) {
    cuts.add(f.at);
    if (Number.isFinite(f.until)) cuts.add(f.until);
  }
  const points = [-Infinity, ...[...cuts].sort((a, b) => a - b), Infinity];
  const initialVersion = scenario.services.find((s) => s.name === service)?.version;
  const rngs = new Map<string, Prng>();
  const rngFor = (id: string): Prng => {
    let r = rngs.get(id);
    if (r === undefined) {
      r = createPrng(scenario.seed, 'effect', ...labels, id);
      rngs.set(id, r);
    }
    return r;
  };
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i] as number;
    const to = points[i + 1] as number;
    const probe = from === -Infinity ? to - 1 : from;
    let deployment: (typeof deployments)[number] | undefined;
    for (const d of deployments) if (d.at <= probe) deployment = d;
    const effects: Array<{ effect: FaultEffect; rng: Prng }> = [];
    if (deployment !== undefined) {
      for (const e of deployment.effects) {
        effects.push({
          effect: e,
          rng: rngFor(`deploy:${deployment.at}:${deployment.version}:${e.kind}`),
        });
      }
    }
    for (const f of faults) {
      if (f.at <= probe && probe < f.until) {
        effects.push({ effect: f.effect, rng: rngFor(`fault:${f.at}:${f.kind}`) });
      }
    }
    let multiplier = 1;
    for (const { effect } of effects) {
      if (effect.kind === 'stall') multiplier = 0;
      else if (effect.kind === 'rate') multiplier *= effect.multiplier;
    }
    segments.push({
      from,
      to,
      version: deployment?.version ?? initialVersion,
      effects,
      multiplier,
    });
  }
  return segments;
}

/** Events per ms of a stream at `t` given its segment (profiles are by UTC hour and weekday). */
function rateAt(traffic: ScenarioTraffic, segment: Segment, t: number): number {
  const hourly = traffic.dailyProfile?.[utcHour(t)] ?? 1;
  const weekly = traffic.weeklyProfile?.[weekday(t)] ?? 1;
  return traffic.rate * hourly * weekly * segment.multiplier;
}

function nextHour(t: number): number {
  return (Math.floor(t / HOUR) + 1) * HOUR;
}

/** Finds the segment index containing t, starting the search at `from`. */
function segmentIndex(segments: readonly Segment[], t: number, from = 0): number {
  let i = from;
  while (i < segments.length - 1 && (segments[i] as Segment).to <= t) i++;
  return i;
}

/**
 * Integral of the rate over [a, b): the expected number of records. Exact for the
 * piecewise-constant rate (profiles change on the hour, effects at their cut points).
 */
function expectedCount(
  traffic: ScenarioTraffic,
  segments: readonly Segment[],
  a: number,
  b: number,
): number {
  let total = 0;
  let t = a;
  let si = segmentIndex(segments, t);
  while (t < b) {
    const seg = segments[si] as Segment;
    const stop = Math.min(b, seg.to, nextHour(t));
    total += rateAt(traffic, seg, t) * (stop - t);
    t = stop;
    if (t >= seg.to) si++;
  }
  return total;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i] as string];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      cur[parts[i] as string] = created;
      cur = created;
    } else {
      cur = next as Record<string, unknown>;
    }
  }
  cur[parts[parts.length - 1] as string] = value;
}

/** Parent object and last key of a dotted path, when the parent exists. */
function parentOf(
  obj: Record<string, unknown>,
  path: string,
): [Record<string, unknown>, string] | undefined {
  if (!path.includes('.')) return [obj, path];
  const parts = path.split('.');
  let cur: unknown = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[parts[i] as string];
  }
  if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
  return [cur as Record<string, unknown>, parts[parts.length - 1] as string];
}

/** Converts a value to another JSON type (what a buggy serializer does). */
export function convertValue(v: unknown, to: ValueType): unknown {
  switch (to) {
    case 'string':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'number': {
      if (typeof v === 'number') return v;
      const n = Number(v);
      return Number.isFinite(n) ? n : typeof v === 'string' ? v.length : 0;
    }
    case 'integer': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) ? Math.round(n) : typeof v === 'string' ? v.length : 0;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : typeof v === 'string' ? v.length > 0 : Boolean(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { value: v };
    case 'array':
      return Array.isArray(v) ? v : [v];
    case 'null':
      return null;
  }
}

const addBuilders = new WeakMap<FaultEffect, Map<string, (t: number) => unknown>>();

/** Applies the value-changing effects to one record (in order); returns the kinds applied. */
function applyEffects(
  value: Record<string, unknown>,
  eventTime: number,
  effects: Segment['effects'],
  seed: number,
  labels: readonly string[],
  applied: FaultKind[],
): void {
  for (const { effect, rng } of effects) {
    switch (effect.kind) {
      case 'drop_fields': {
        let hit = false;
        for (const f of effect.fields) {
          const p = parentOf(value, f);
          if (p !== undefined && p[1] in p[0]) {
            delete p[0][p[1]];
            hit = true;
          }
        }
        if (hit) applied.push('drop_fields');
        break;
      }
      case 'rename_field': {
        const p = parentOf(value, effect.from);
        if (p !== undefined && p[1] in p[0]) {
          const v = p[0][p[1]];
          delete p[0][p[1]];
          setPath(value, effect.to, v);
          applied.push('rename_field');
        }
        break;
      }
      case 'type_change': {
        const p = parentOf(value, effect.field);
        if (p !== undefined && p[1] in p[0] && rng.chance(effect.rate)) {
          p[0][p[1]] = convertValue(p[0][p[1]], effect.to);
          applied.push('type_change');
        }
        break;
      }
      case 'null_rate': {
        let hit = false;
        for (const f of effect.fields) {
          if (rng.chance(effect.rate)) {
            setPath(value, f, null);
            hit = true;
          }
        }
        if (hit) applied.push('null_rate');
        break;
      }
      case 'add_fields': {
        let builders = addBuilders.get(effect);
        if (builders === undefined) {
          builders = new Map();
          addBuilders.set(effect, builders);
        }
        for (const [name, gen] of Object.entries(effect.fields)) {
          let b = builders.get(`${labels.join('/')}\u0000${name}`);
          if (b === undefined) {
            b = fieldBuilder(gen, seed, [...labels, 'add_fields', name]);
            builders.set(`${labels.join('/')}\u0000${name}`, b);
          }
          setPath(value, name, b(eventTime));
        }
        applied.push('add_fields');
        break;
      }
      case 'inject_pii':
        if (rng.chance(effect.rate)) {
          setPath(value, effect.field, piiText(effect.pii, rng).text);
          applied.push('inject_pii');
        }
        break;
      case 'stall':
      case 'rate':
      case 'late_events':
      case 'duplicates':
        break;
    }
  }
}

/** Records of one traffic entry, in send order. */
function* streamRecords(
  scenario: Scenario,
  traffic: ScenarioTraffic,
  dataset: ScenarioDataset,
  labels: readonly string[],
  from: number,
  until: number,
): Generator<SimRecord> {
  const segments = segmentsFor(scenario, traffic, labels);
  const arrivals = createPrng(scenario.seed, 'arrivals', ...labels);
  const builder = new RecordBuilder(traffic.record, scenario.seed, labels);
  const keyField = Object.entries(traffic.record).find(([, g]) => g.kind === 'uuid')?.[0];
  let n = 0;
  let t = scenario.start;
  let si = segmentIndex(segments, t);
  let budget = arrivals.exp();
  for (;;) {
    // Advance to the next arrival of the inhomogeneous Poisson process (piecewise-constant rate).
    let seg = segments[si] as Segment;
    for (;;) {
      if (t >= until) return;
      const stop = Math.min(seg.to, nextHour(t), until);
      const rate = rateAt(traffic, seg, t);
      const need = rate > 0 ? budget / rate : Infinity;
      if (t + need < stop) {
        t += need;
        break;
      }
      budget -= rate * (stop - t);
      t = stop;
      if (t >= seg.to) {
        si++;
        seg = segments[si] as Segment;
      }
    }
    budget = arrivals.exp();
    const at = Math.floor(t);
    n++;
    const applied: FaultKind[] = [];
    let eventTime = at;
    let duplicate = false;
    for (const { effect, rng } of seg.effects) {
      if (effect.kind === 'late_events' && rng.chance(effect.rate)) {
        eventTime = at - effect.delay;
        applied.push('late_events');
      } else if (effect.kind === 'duplicates' && rng.chance(effect.rate)) {
        duplicate = true;
        applied.push('duplicates');
      }
    }
    const value = builder.build(eventTime);
    // The key is taken before effects: a dropped or renamed id field does not change it.
    const keyValue = keyField === undefined ? undefined : value[keyField];
    const key = typeof keyValue === 'string' ? keyValue : `${dataset.urn}#${n}`;
    applyEffects(value, eventTime, seg.effects, scenario.seed, labels, applied);
    const headers: Record<string, string> = {
      [HEADERS.eventTime]: isoTime(eventTime),
    };
    if (dataset.identity === 'header' && traffic.service !== undefined) {
      headers[HEADERS.producerService] = traffic.service;
      if (seg.version !== undefined) headers[HEADERS.producerVersion] = seg.version;
    }
    if (at < from) continue;
    const record: SimRecord = {
      kind: 'record',
      at,
      eventTime,
      dataset: dataset.urn,
      topic: dataset.topic,
      identity: dataset.identity,
      key,
      value,
      headers,
      applied,
    };
    if (traffic.service !== undefined) record.service = traffic.service;
    if (seg.version !== undefined) record.version = seg.version;
    yield record;
    if (duplicate) {
      yield {
        ...record,
        value: structuredClone(value),
        headers: { ...headers },
        applied: [...applied],
        duplicate: true,
      };
    }
  }
}

/** Stream labels: the dataset and the traffic entry's index among that dataset's entries. */
function streamLabels(scenario: Scenario): Array<{ traffic: ScenarioTraffic; labels: string[] }> {
  const perDataset = new Map<string, number>();
  return scenario.traffic.map((traffic) => {
    const k = perDataset.get(traffic.dataset) ?? 0;
    perDataset.set(traffic.dataset, k + 1);
    return { traffic, labels: [traffic.dataset, String(k)] };
  });
}

/**
 * The simulated events of a scenario in time order, from `start` to `start + duration`:
 * records (Poisson arrivals at rate × daily_profile[UTC hour] × weekly_profile[UTC weekday],
 * with deployment effects and faults applied), deployments, and fault window markers.
 * Deterministic for the scenario's seed; each dataset's stream has its own PRNGs.
 * At equal times, deployments and fault markers come before records.
 */
export function* createTrafficPlan(
  scenario: Scenario,
  options: TrafficPlanOptions = {},
): Generator<SimEvent> {
  const from = options.from ?? scenario.start;
  const until = options.until ?? scenario.end;
  const markers: Array<SimDeployment | SimFaultMarker> = [];
  for (const d of scenario.deployments) {
    markers.push({
      kind: 'deployment',
      at: d.at,
      service: d.service,
      version: d.version,
      ...(d.commit === undefined ? {} : { commit: d.commit }),
      ...(d.previousVersion === undefined ? {} : { previousVersion: d.previousVersion }),
      effects: d.effects.map((e) => e.kind),
    });
  }
  scenario.faults.forEach((f, index) => {
    markers.push({
      kind: 'fault',
      phase: 'start',
      at: f.at,
      dataset: f.dataset,
      fault: f.kind,
      index,
    });
    if (Number.isFinite(f.until)) {
      markers.push({
        kind: 'fault',
        phase: 'end',
        at: f.until,
        dataset: f.dataset,
        fault: f.kind,
        index,
      });
    }
  });
  const ordered = markers
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.at - b.m.at || a.i - b.i)
    .map((x) => x.m)
    .filter((m) => m.at >= from && m.at < until);

  const streams = streamLabels(scenario).flatMap(({ traffic, labels }) => {
    const dataset = scenario.datasets.find((d) => d.urn === traffic.dataset);
    return dataset === undefined
      ? []
      : [streamRecords(scenario, traffic, dataset, labels, from, until)];
  });
  const heads: Array<SimRecord | undefined> = streams.map((s) => {
    const r = s.next();
    return r.done === true ? undefined : r.value;
  });
  let mi = 0;
  for (;;) {
    let best = -1;
    let bestAt = Infinity;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== undefined && h.at < bestAt) {
        best = i;
        bestAt = h.at;
      }
    }
    const marker = ordered[mi];
    if (marker !== undefined && marker.at <= bestAt) {
      mi++;
      yield marker;
      continue;
    }
    if (best === -1) return;
    yield heads[best] as SimRecord;
    const r = (streams[best] as Generator<SimRecord>).next();
    heads[best] = r.done === true ? undefined : r.value;
  }
}

/** Expected counts of one dataset for one window of the history. */
export interface HistoryWindow {
  /** Window start, epoch ms (inclusive). */
  start: number;
  /** Window end, epoch ms (exclusive). */
  end: number;
  /** Mean number of records (the integral of the rate). */
  expected: number;
  /** A seeded Poisson draw with that mean: the count a real producer would have sent. */
  count: number;
}

/** History of one dataset. */
export interface DatasetHistory {
  dataset: string;
  topic: string;
  service?: string;
  windows: HistoryWindow[];
  /** Sum of `count` over the windows. */
  total: number;
}

/** What {@link historySummary} returns. */
export interface HistorySummary {
  /** Window size, ms (default 5 minutes). */
  windowMs: number;
  /** `start - history`, epoch ms. */
  from: number;
  /** `start`, epoch ms. */
  to: number;
  datasets: DatasetHistory[];
}

function poisson(rng: Prng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  // Normal approximation (Box–Muller) for large means.
  const u1 = Math.max(rng.next(), 1e-12);
  const u2 = rng.next();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
}

/**
 * Per dataset, the expected and a seeded count of records per window over `history` before
 * `start` (same rates, profiles and rate/stall effects as the plan), so baselines can be warmed
 * with weighted evidence instead of millions of records. Empty `datasets` when `history` is 0.
 * Window boundaries are aligned to multiples of `windowMs` since the epoch (like engine windows);
 * the first window may start before `start - history`.
 */
export function historySummary(
  scenario: Scenario,
  options: { windowMs?: number } = {},
): HistorySummary {
  const windowMs = options.windowMs ?? 300_000;
  const from = scenario.start - scenario.history;
  const to = scenario.start;
  const result: HistorySummary = { windowMs, from, to, datasets: [] };
  if (scenario.history <= 0) return result;
  const alignedFrom = Math.floor(from / windowMs) * windowMs;
  const byDataset = new Map<string, DatasetHistory>();
  for (const { traffic, labels } of streamLabels(scenario)) {
    const dataset = scenario.datasets.find((d) => d.urn === traffic.dataset);
    if (dataset === undefined) continue;
    const segments = segmentsFor(scenario, traffic, labels);
    const rng = createPrng(scenario.seed, 'history', ...labels);
    let entry = byDataset.get(dataset.urn);
    if (entry === undefined) {
      entry = {
        dataset: dataset.urn,
        topic: dataset.topic,
        ...(traffic.service === undefined ? {} : { service: traffic.service }),
        windows: [],
        total: 0,
      };
      byDataset.set(dataset.urn, entry);
      for (let w = alignedFrom; w < to; w += windowMs) {
        entry.windows.push({ start: w, end: Math.min(w + windowMs, to), expected: 0, count: 0 });
      }
    }
    for (const w of entry.windows) {
      const mean = expectedCount(traffic, segments, w.start, w.end);
      const count = poisson(rng, mean);
      w.expected += mean;
      w.count += count;
      entry.total += count;
    }
  }
  result.datasets = [...byDataset.values()];
  return result;
}

/** Mean records of a dataset over [a, b) (all its traffic entries), for tests and progress bars. */
export function expectedRecords(scenario: Scenario, dataset: string, a: number, b: number): number {
  let total = 0;
  for (const { traffic, labels } of streamLabels(scenario)) {
    if (traffic.dataset !== dataset) continue;
    total += expectedCount(traffic, segmentsFor(scenario, traffic, labels), a, b);
  }
  return total;
}
