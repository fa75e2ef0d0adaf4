import {
  evidenceId,
  type BusMessage,
  type Evidence,
  type PublishedRecord,
} from '@signal-factory/core';

import type { Platform } from '../platform/create-platform';
import {
  createTrafficPlan,
  historySummary,
  type HistoryWindow,
  type Scenario,
  type SimRecord,
} from '../scenario';

/** Simulated time between engine advances during the warm-up, ms. */
const ADVANCE_EVERY_MS = 3_600_000;
/** Evidence per dataset sent one per record at the end of the history (see `splitHistoryWindows`). */
export const HISTORY_TAIL_EVIDENCE = 1_000;
/** The record-by-record end of the history reaches back at most this far before `start`, ms. */
export const HISTORY_TAIL_MAX_MS = 6 * 3_600_000;
/** Most evidence per publish. */
const PUBLISH_BATCH = 1_000;

export interface HistoryWarmupResult {
  windows: number;
  records: number;
  from: number;
  to: number;
}

/** How one history window is sent: `aggregate` + `single` × `weight` = the window's count. */
export interface HistoryWindowSplit {
  /** Records sent as one evidence standing for all of them (0: none). */
  aggregate: number;
  /** Evidence sent one per (sampled) record, each of the live sample weight. */
  single: number;
}

/**
 * Decides which records of a dataset's history are sent one evidence per record, the way the
 * sidecar sends live traffic (each evidence standing for `weight` records, the dataset's PASS
 * sample weight), and which are folded into one evidence per window.
 *
 * An aggregate evidence says "one sampled record standing for N records": right for counts, wrong
 * for everything the engines learn per evidence — above all the volume engine's estimate of the
 * sampling noise (a running average of sample weights: one evidence of weight 1,250 per window
 * makes it expect counts to jump by thousands, so a stall at `start` would look normal). So the
 * newest `tailEvidence` evidence (at most `tailMaxMs` before `to`) go one per record: the engines
 * enter the played part with the per-evidence statistics live traffic gives them, and the newest
 * event is as old as the last record, not half a window. Older windows stay aggregated: seven days
 * at 250/min are 2.5 million records, which per record would take minutes and prove nothing.
 * The split of the oldest window of that tail keeps its earliest records aggregated. Pure.
 */
export function splitHistoryWindows(
  windows: readonly HistoryWindow[],
  options: { to: number; weight?: number; tailEvidence?: number; tailMaxMs?: number },
): HistoryWindowSplit[] {
  const weight = Math.max(1, options.weight ?? 1);
  const notBefore = options.to - (options.tailMaxMs ?? HISTORY_TAIL_MAX_MS);
  let needed = Math.max(0, Math.floor(options.tailEvidence ?? HISTORY_TAIL_EVIDENCE));
  const out: HistoryWindowSplit[] = windows.map((w) => ({
    aggregate: Math.max(0, w.count),
    single: 0,
  }));
  for (let i = windows.length - 1; i >= 0 && needed > 0; i--) {
    const w = windows[i]!;
    if (w.start < notBefore) break;
    const count = Math.max(0, w.count);
    const single = Math.min(Math.floor(count / weight), needed);
    out[i] = { aggregate: count - single * weight, single };
    needed -= single;
  }
  return out;
}

/**
 * The evidence of one history window under its split: the aggregate first (stamped in the middle
 * of the part of the window its records fill), then the single records spread evenly over the rest
 * of the window, the last one just before the window ends. Ids are deterministic and unique.
 */
export function historyWindowEvidence(
  template: Evidence,
  window: HistoryWindow,
  split: HistoryWindowSplit,
  weight: number,
  topic: string,
): Evidence[] {
  const total = split.aggregate + split.single * weight;
  if (total <= 0 || template.dataset_urn === null) return [];
  const span = window.end - window.start;
  const processing = window.end - 1;
  const at = (fraction: number): number =>
    Math.min(processing, window.start + Math.floor(span * fraction));
  const out: Evidence[] = [];
  const make = (time: number, sampleWeight: number, key: string): Evidence => {
    const eventTime = new Date(time).toISOString();
    return {
      ...template,
      evidence_id: evidenceId({
        datasetUrn: template.dataset_urn as string,
        producerService: template.producer.service,
        recordKey: key,
        eventTime,
        valueDigest: `sha256:${'0'.repeat(64)}`,
      }),
      topic,
      event_time: eventTime,
      produce_time: eventTime,
      processing_time: new Date(processing).toISOString(),
      sample_weight: sampleWeight,
      source: 'replay',
    };
  };
  if (split.aggregate > 0)
    out.push(make(at(split.aggregate / total / 2), split.aggregate, `history#${window.start}`));
  for (let i = 0; i < split.single; i++) {
    const time = at((split.aggregate + (i + 0.5) * weight) / total);
    out.push(make(time, weight, `history#${window.start}#${i}`));
  }
  return out;
}

/**
 * Keeps signals off the signals topic until the returned function is called: the engines still
 * judge, keep their state and store their signal history, but no incident manager, alert route or
 * observer sees what they concluded. The history warm-up stands for a week the platform spent
 * learning its baselines (cold at first: day one has no hour-of-week baseline yet), not one it
 * paged anyone about; an incident opened then would be reported, RCA'd, and while open (or within
 * its reopen window) absorb the played part's signals. Works by shadowing `publish` of the
 * platform's bus, through which every component of the process publishes (embedded or Kafka).
 */
export function withholdSignals(platform: Platform): () => void {
  const bus = platform.bus;
  const topic = platform.topics.signals;
  const publish = bus.publish.bind(bus);
  const withheld = async (to: string, messages: BusMessage[]): Promise<PublishedRecord[]> =>
    to === topic ? [] : publish(to, messages);
  Object.defineProperty(bus, 'publish', { value: withheld, configurable: true, writable: true });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    Reflect.deleteProperty(bus, 'publish');
  };
}

/**
 * Warms the engines' baselines (volume per hour of week, drift shapes, freshness) with the
 * scenario's `history:` before `start`, and leaves the platform at `start`.
 *
 * This is the one place the simulator does not send individual records. Seven days at 250/min are
 * 2.5 million records; sending each through the SDK and the gates would take minutes and prove
 * nothing the played part does not. Instead each dataset's history becomes weighted PASS evidence
 * (engines count weights, never documents): one evidence per window standing for the window's
 * simulated record count, except the newest stretch, which goes one evidence per record as the
 * sidecar would send it (see {@link splitHistoryWindows}). The evidence is a copy of what the real
 * gates say about one generated record of the dataset (judged by the sidecar's own pipeline, not
 * published), so its schema fingerprint, contract and producer are the ones live traffic will
 * carry. Signals of the warm-up reach no incident manager (see {@link withholdSignals}).
 */
export async function warmUpHistory(
  platform: Platform,
  scenario: Scenario,
): Promise<HistoryWarmupResult | undefined> {
  const summary = historySummary(scenario);
  const release = withholdSignals(platform);
  try {
    if (summary.datasets.length === 0) {
      await platform.advanceTo(summary.to);
      return undefined;
    }
    const templates = await templateEvidence(platform, scenario);
    const entries = summary.datasets.flatMap((d) => {
      const template = templates.get(d.dataset);
      const weight = template?.sample_weight ?? 1;
      const splits = splitHistoryWindows(d.windows, { to: summary.to, weight });
      return d.windows.map((w, i) => ({
        dataset: d.dataset,
        topic: d.topic,
        template,
        weight,
        window: w,
        split: splits[i]!,
      }));
    });
    entries.sort((a, b) => a.window.start - b.window.start || a.dataset.localeCompare(b.dataset));
    // Deployments during the history reach the graph at their time (RCA may name them later).
    const deployments = scenario.deployments
      .filter((d) => d.at >= summary.from && d.at < summary.to)
      .sort((a, b) => a.at - b.at);
    let nextDeployment = 0;
    const deployBefore = async (time: number): Promise<void> => {
      for (; nextDeployment < deployments.length; nextDeployment++) {
        const d = deployments[nextDeployment]!;
        if (d.at >= time) return;
        platform.clock.set(d.at);
        await platform.recordDeployment({
          kind: 'DeploymentEvent',
          service: d.service,
          version: d.version,
          time: new Date(d.at).toISOString(),
          ...(d.commit === undefined ? {} : { commit: d.commit }),
        });
      }
    };
    let records = 0;
    let windows = 0;
    let nextAdvance = summary.from + ADVANCE_EVERY_MS;
    for (const { dataset, topic, template, weight, window, split } of entries) {
      if (window.end > nextAdvance) {
        await platform.advanceTo(nextAdvance);
        nextAdvance += ADVANCE_EVERY_MS;
      }
      await deployBefore(window.end);
      windows += 1;
      if (window.count <= 0 || template === undefined) continue;
      const messages: BusMessage[] = historyWindowEvidence(
        template,
        window,
        split,
        weight,
        topic,
      ).map((evidence) => ({
        key: dataset,
        value: JSON.stringify(evidence),
        headers: { 'content-type': 'application/json', 'x-obs-schema': 'evidence/v1' },
        timestamp: window.end - 1,
      }));
      platform.clock.set(window.end - 1);
      for (let i = 0; i < messages.length; i += PUBLISH_BATCH)
        await platform.bus.publish(platform.topics.evidence, messages.slice(i, i + PUBLISH_BATCH));
      records += window.count;
    }
    await deployBefore(summary.to);
    await platform.advanceTo(summary.to);
    return { windows, records, from: summary.from, to: summary.to };
  } finally {
    release();
  }
}

/** One PASS evidence per dataset: the sidecar's verdict on the dataset's first generated record. */
async function templateEvidence(
  platform: Platform,
  scenario: Scenario,
): Promise<Map<string, Evidence>> {
  const firsts = new Map<string, SimRecord>();
  const wanted = new Set(scenario.traffic.map((t) => t.dataset));
  const plan = createTrafficPlan({ ...scenario, faults: [], deployments: [] });
  for (const event of plan) {
    if (event.kind !== 'record' || firsts.has(event.dataset)) continue;
    firsts.set(event.dataset, event);
    if (firsts.size === wanted.size) break;
  }
  const out = new Map<string, Evidence>();
  for (const [dataset, record] of firsts) {
    const headers: Record<string, string> = { ...record.headers };
    const judged = await platform.sidecar.processor.judge(
      [
        {
          topic: record.topic,
          partition: 0,
          offset: '0',
          key: record.key,
          value: Buffer.from(JSON.stringify(record.value)),
          headers,
          timestamp: record.at,
        },
      ],
      { source: 'replay', publish: false },
    );
    const evidence = judged[0]?.evidence;
    if (evidence === undefined || evidence.result !== 'PASS') continue;
    const {
      partition: _p,
      offset: _o,
      record_key_hash: _k,
      trace_id: _t,
      span_id: _s,
      sample: _x,
      ...rest
    } = evidence;
    out.set(dataset, rest as Evidence);
  }
  return out;
}
