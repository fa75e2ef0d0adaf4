import type { Evidence, Incident } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import { createPlatform } from '../platform/create-platform';
import { createSimulatedClock } from '../platform/sim-clock';
import type { HistoryWindow } from '../scenario';
import { scenarioFrom } from '../scenario/testing/build-scenario';
import { exampleScenario } from '../test-support/paths';
import {
  HISTORY_TAIL_EVIDENCE,
  historyWindowEvidence,
  splitHistoryWindows,
  withholdSignals,
} from './history-warmup';
import { PlatformObserver } from './observer';
import { playScenario } from './play-scenario';
import type { ProgressEvent } from './progress';
import { ORDERS_RECORD_YAML } from '../test-support/orders-record';

const MIN = 60_000;
const T0 = Date.parse('2026-03-04T00:00:00Z');

/** `n` five-minute windows ending at `T0`, with the given counts (last = newest). */
function windows(counts: readonly number[]): HistoryWindow[] {
  const first = T0 - counts.length * 5 * MIN;
  return counts.map((count, i) => ({
    start: first + i * 5 * MIN,
    end: first + (i + 1) * 5 * MIN,
    expected: count,
    count,
  }));
}

const sent = (w: readonly HistoryWindow[], weight = 1, tailEvidence?: number) =>
  splitHistoryWindows(w, {
    to: T0,
    weight,
    ...(tailEvidence === undefined ? {} : { tailEvidence }),
  });

describe('splitHistoryWindows', () => {
  it('sends the newest records one by one and folds the rest into one evidence per window', () => {
    const w = windows(new Array<number>(12).fill(1250));
    const split = sent(w);
    expect(split.at(-1)).toEqual({ aggregate: 250, single: HISTORY_TAIL_EVIDENCE });
    for (const s of split.slice(0, -1)) expect(s).toEqual({ aggregate: 1250, single: 0 });
  });

  it('reaches back over quiet windows (and a stall just before start) to find the records', () => {
    const w = windows([...new Array<number>(60).fill(25), 0, 0, 0]);
    const split = sent(w);
    expect(split.slice(-3)).toEqual(new Array(3).fill({ aggregate: 0, single: 0 }));
    expect(split.slice(-43, -3)).toEqual(new Array(40).fill({ aggregate: 0, single: 25 }));
    expect(split.slice(0, -43).every((s) => s.single === 0 && s.aggregate === 25)).toBe(true);
    expect(split.reduce((n, s) => n + s.single, 0)).toBe(HISTORY_TAIL_EVIDENCE);
  });

  it('never reaches back further than the tail limit (6 h by default)', () => {
    const w = windows(new Array<number>(24 * 12).fill(2));
    const split = sent(w);
    const singles = split.filter((s) => s.single > 0);
    expect(singles).toHaveLength(6 * 12);
    expect(split.slice(-72).every((s) => s.single === 2 && s.aggregate === 0)).toBe(true);
  });

  it('sends sampled evidence at the live sample weight and keeps every count exact', () => {
    const w = windows([1003, 997, 1001]);
    const split = sent(w, 10, 150);
    expect(split).toEqual([
      { aggregate: 1003, single: 0 },
      { aggregate: 497, single: 50 },
      { aggregate: 1, single: 100 },
    ]);
    split.forEach((s, i) => expect(s.aggregate + s.single * 10).toBe(w[i]!.count));
  });
});

const TEMPLATE = {
  schema_version: 'evidence/v1',
  evidence_id: 'ev_00000000000000000000000000000000',
  dataset_urn: 'urn:dp:orders:created',
  topic: 'raw.orders.events',
  producer: {
    service: 'orders-svc',
    version: '3.16',
    identity_confidence: 'HIGH',
    identity_method: 'header',
  },
  event_time: '2026-03-04T00:00:00.000Z',
  processing_time: '2026-03-04T00:00:00.000Z',
  gates: [],
  result: 'PASS',
  reason_codes: [],
  pii_findings: [],
  sample_weight: 1,
  enforcement: 'observe',
  source: 'sidecar',
} satisfies Evidence;

describe('historyWindowEvidence', () => {
  const [window] = windows([1250]);

  it('one aggregate evidence in the middle of the window when nothing goes one by one', () => {
    const out = historyWindowEvidence(TEMPLATE, window!, { aggregate: 1250, single: 0 }, 1, 't');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ sample_weight: 1250, source: 'replay', topic: 't' });
    expect(Date.parse(out[0]!.event_time)).toBe(window!.start + 150_000);
  });

  it('the aggregate first, then single records spread to the end of the window', () => {
    const out = historyWindowEvidence(TEMPLATE, window!, { aggregate: 250, single: 1000 }, 1, 't');
    expect(out).toHaveLength(1001);
    expect(out.reduce((n, e) => n + e.sample_weight, 0)).toBe(1250);
    expect(out[0]!.sample_weight).toBe(250);
    expect(Date.parse(out[0]!.event_time)).toBe(window!.start + 30_000);
    const times = out.map((e) => Date.parse(e.event_time));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[1]).toBeGreaterThanOrEqual(window!.start + 60_000);
    // the newest record is a fraction of a second old at the end of the window, not half a window
    expect(window!.end - times.at(-1)!).toBeLessThan(1_000);
    for (const e of out) expect(Date.parse(e.processing_time)).toBe(window!.end - 1);
    expect(new Set(out.map((e) => e.evidence_id)).size).toBe(out.length);
  });

  it('sends nothing for an empty window', () => {
    expect(historyWindowEvidence(TEMPLATE, window!, { aggregate: 0, single: 0 }, 1, 't')).toEqual(
      [],
    );
  });
});

describe('withholdSignals', () => {
  it('keeps signals from every reader of the signals topic until released', async () => {
    const clock = createSimulatedClock(T0);
    const platform = await createPlatform({ clock });
    const observer = new PlatformObserver();
    try {
      await platform.start();
      await observer.start(platform, '');
      const signal = { key: 'k', value: '{}', headers: {} };
      const release = withholdSignals(platform);
      await platform.bus.publish(platform.topics.signals, [signal]);
      await platform.bus.publish(platform.topics.evidence, [signal]);
      await platform.settle();
      expect(observer.signals).toHaveLength(0);
      expect(observer.invalid).toBe(0);
      expect(platform.engines.incidents.stats().signals).toBe(0);
      expect(platform.bus.published(platform.topics.evidence)).toBe(1);
      release();
      release();
      await platform.bus.publish(platform.topics.signals, [signal]);
      await platform.settle();
      expect(observer.invalid).toBe(1);
      expect(platform.engines.incidents.stats().signals).toBe(1);
    } finally {
      await observer.close();
      await platform.close();
    }
  });
});

// A day of history at 60/min with an hour-long stall the night before: the cold engines page
// during the warm-up (freshness, volume), then a normal played hour.
const NIGHT_STALL = `
name: history-night-stall
start: 2026-03-04T10:00:00Z
duration: 20m
seed: 7
history: 1d
datasets:
  - urn: urn:dp:orders:created
    topic: raw.orders.events
    producer: orders-svc
    identity: header
    tier: 1
    contract: ${JSON.stringify(exampleScenario('orders-created.odcs.yaml'))}
    slo: { freshness_max_delay: 15m }
services:
  - { name: orders-svc, version: "3.16", owner: orders-team }
traffic:
  - dataset: urn:dp:orders:created
    rate: 60/min
${ORDERS_RECORD_YAML}
deployments:
  - { at: "-3h", service: orders-svc, version: "3.17", commit: abc1234 }
faults:
  - { at: "-10h", dataset: urn:dp:orders:created, kind: stall, for: 1h }
expect:
  incident_count: 0
`;

describe('warmUpHistory through playScenario', () => {
  it('opens no incident for what happened during the history and reports only the played part', async () => {
    const scenario = scenarioFrom(NIGHT_STALL);
    const events: ProgressEvent[] = [];
    const result = await playScenario(scenario, {
      keepPlatform: true,
      onProgress: (e) => events.push(e),
    });
    const platform = result.platform!;
    try {
      expect(result.incidents).toEqual([]);
      expect(await platform.engines.incidents.list()).toEqual([]);
      expect(platform.engines.incidents.stats().signals).toBeGreaterThan(0);
      // the engines did judge the stall (their history says so), nobody was paged for it
      const history = await platform.state.query('SignalState', 'signals#urn:dp:orders:created');
      expect(history.some((i) => (i.data as { state?: string }).state === 'CRITICAL')).toBe(true);
      for (const s of result.signals)
        expect(Date.parse(s.emitted_at)).toBeGreaterThan(scenario.start);
      expect(result.stats.evidence).toBeLessThan(result.stats.records * 1.1);
      const ticks = events.filter((e) => e.kind === 'tick');
      expect(ticks.at(-1)).toMatchObject({ incidents: 0, signals: expect.any(Number) });
      expect(events.some((e) => e.kind === 'incident')).toBe(false);
      // a deployment during the history is in the graph like any other
      const deployed = await platform.lineage.queries.deploymentAt('orders-svc', scenario.start);
      expect(deployed?.version).toBe('3.17');
    } finally {
      await platform.close();
    }
  }, 60_000);

  it('leaves the volume noise model as live traffic would: a stall at start pages within a window', async () => {
    const scenario = scenarioFrom(
      NIGHT_STALL.replace(
        /faults:[\s\S]*?expect:/,
        `faults:\n  - { at: "+0m", dataset: urn:dp:orders:created, kind: stall, for: 20m }\nexpect:`,
      ),
    );
    const result = await playScenario(scenario);
    const volume = result.signals.filter((s) => s.signal_type === 'VOLUME');
    const first = volume.find((s) => s.state === 'CRITICAL');
    expect(first?.metrics?.record_count).toBe(0);
    expect(Date.parse(first!.emitted_at) - scenario.start).toBeLessThanOrEqual(7 * MIN);
    // the window before start (history, its newest record just before start) is judged normal
    const before = volume.find((s) => Date.parse(s.window?.end ?? '') === scenario.start);
    expect(before).toMatchObject({ state: 'OK' });
    expect(before?.expected?.min).toBeGreaterThan(0);
    const freshness = result.signals.find(
      (s) => s.signal_type === 'FRESHNESS' && s.state === 'CRITICAL',
    );
    expect(Date.parse(freshness!.emitted_at) - scenario.start).toBe(15 * MIN);
    expect(result.incidents.map((i: Incident) => i.severity)).toEqual(['SEV-1']);
  }, 60_000);
});
