import { evidenceId, type BusMessage, type Evidence } from '@signal-factory/core';

import type { Platform } from '../platform/create-platform';
import { createTrafficPlan, historySummary, type Scenario, type SimRecord } from '../scenario';

/** Simulated time between engine advances during the warm-up, ms. */
const ADVANCE_EVERY_MS = 3_600_000;

export interface HistoryWarmupResult {
  windows: number;
  records: number;
  from: number;
  to: number;
}

/**
 * Warms the engines' baselines (volume per hour of week, drift shapes, freshness) with the
 * scenario's `history:` before `start`.
 *
 * This is the one place the simulator does not send individual records. Seven days at 250/min are
 * 2.5 million records; sending each through the SDK and the gates would take minutes and prove
 * nothing the played part does not. Instead each dataset's history becomes one weighted PASS
 * evidence per window (`sample_weight` = the window's simulated record count), exactly what the
 * sidecar publishes when it samples PASS evidence (`sample_weight = 1/rate`), and engines count
 * weights, never documents. The evidence is a copy of what the real gates say about one generated
 * record of the dataset (judged by the sidecar's own pipeline, not published), so its schema
 * fingerprint, contract and producer are the ones live traffic will carry.
 */
export async function warmUpHistory(
  platform: Platform,
  scenario: Scenario,
): Promise<HistoryWarmupResult | undefined> {
  const summary = historySummary(scenario);
  if (summary.datasets.length === 0) return undefined;
  const templates = await templateEvidence(platform, scenario);
  const entries = summary.datasets.flatMap((d) =>
    d.windows.map((w) => ({ dataset: d.dataset, topic: d.topic, service: d.service, window: w })),
  );
  entries.sort((a, b) => a.window.start - b.window.start || a.dataset.localeCompare(b.dataset));
  let records = 0;
  let windows = 0;
  let nextAdvance = summary.from + ADVANCE_EVERY_MS;
  for (const { dataset, topic, window } of entries) {
    if (window.end > nextAdvance) {
      await platform.advanceTo(nextAdvance);
      nextAdvance += ADVANCE_EVERY_MS;
    }
    windows += 1;
    if (window.count <= 0) continue;
    const template = templates.get(dataset);
    if (template === undefined) continue;
    const eventTime = new Date(
      window.start + Math.floor((window.end - window.start) / 2),
    ).toISOString();
    const processing = new Date(window.end - 1).toISOString();
    const evidence: Evidence = {
      ...template,
      evidence_id: evidenceId({
        datasetUrn: dataset,
        producerService: template.producer.service,
        recordKey: `history#${window.start}`,
        eventTime,
        valueDigest: `sha256:${'0'.repeat(64)}`,
      }),
      topic,
      event_time: eventTime,
      produce_time: eventTime,
      processing_time: processing,
      sample_weight: window.count,
      source: 'replay',
    };
    const message: BusMessage = {
      key: dataset,
      value: JSON.stringify(evidence),
      headers: { 'content-type': 'application/json', 'x-obs-schema': 'evidence/v1' },
      timestamp: window.end - 1,
    };
    platform.clock.set(window.end - 1);
    await platform.bus.publish(platform.topics.evidence, [message]);
    records += window.count;
  }
  await platform.advanceTo(summary.to);
  return { windows, records, from: summary.from, to: summary.to };
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
