import type { Signal } from '@signal-factory/core';
import { InMemoryGraphStore, InMemoryStateStore } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import { createLineageGraph } from '@signal-factory/lineage';
import { describe, expect, it } from 'vitest';
import { createCopilot } from './copilot';
import {
  at,
  incident,
  putIncident,
  putSignal,
  seedStall,
  seedSteelThread,
  signal,
} from './test-support/fixtures';
import type { RcaReport } from './types';

function embedded() {
  const graph = createLineageGraph({ store: new InMemoryGraphStore() });
  const state = new InMemoryStateStore();
  const clock = createTestClock(Date.parse('2026-01-15T10:05:00Z'));
  return { graph, state, clock };
}

/** Every ref cited anywhere in the report is in its evidence list. */
function expectRefsResolve(report: RcaReport): void {
  const refs = new Set(report.evidence.map((e) => e.ref));
  const cited: string[] = [];
  const walk = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) {
      if (key === 'evidence_refs') cited.push(...(value as string[]));
      else value.forEach((v) => walk(v));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(report);
  expect(cited.length).toBeGreaterThan(0);
  for (const ref of cited) expect(refs.has(ref), ref).toBe(true);
}

describe('RCA: deployment root cause (steel thread)', () => {
  it('names the deployment, rollback target, first bad / last good and the blast radius', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state);
    const copilot = createCopilot({ graph, state, clock: clock.now });
    const report = await copilot.rca(st.incidentId);

    expect(report.schema_version).toBe('rca-report/v1');
    expect(report.generated_at).toBe('2026-01-15T10:05:00.000Z');
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      dataset_urn: st.orders,
      deployment: {
        service: 'orders-svc',
        version: '3.17',
        commit: '9f31c2d',
        deployed_at: '2026-01-15T09:58:00.000Z',
      },
      introduced_reason_codes: ['MISSING_FIELD:customer_id'],
      deploy_to_first_bad_ms: 2_000,
      previous: { version: '3.16', commit: '1a2b3c4' },
    });
    expect(report.confidence.level).toBe('HIGH');
    expect(report.confidence.reasons.map((r) => [r.factor, r.effect])).toEqual([
      ['introduced_edge', 'supports'],
      ['causal_chain', 'supports'],
      ['producer_identity', 'supports'],
      ['version_on_records', 'supports'],
      ['deploy_timing', 'supports'],
    ]);
    expect(report.first_bad).toMatchObject({
      time: '2026-01-15T09:58:02.000Z',
      topic: 'raw.orders.events',
      partition: 3,
      offset: '48213',
      evidence_id: 'ev_0123456789abcdef0123456789abcdef',
    });
    expect(report.last_good).toMatchObject({ time: '2026-01-15T09:57:59.000Z', offset: '48190' });
    expect(report.failure_signatures).toEqual([
      expect.objectContaining({
        id: st.fsHash,
        reason_codes: ['MISSING_FIELD:customer_id'],
        failed_gates: ['G4'],
        records: 505,
        signals: 1,
        first_seen: '2026-01-15T09:58:02.000Z',
        last_seen: '2026-01-15T10:00:00.000Z',
        introduced_by: expect.objectContaining({ version: '3.17', edge_confidence: 'HIGH' }),
      }),
    ]);
    expect(report.reason_codes).toEqual([
      {
        code: 'MISSING_FIELD:customer_id',
        records: 505,
        signals: 1,
        failure_signature_ids: [st.fsHash],
      },
    ]);
    // Blast radius: tier first, then depth, then column overlap.
    const blast = report.blast_radius.entries.map((e) => [
      e.name,
      e.tier,
      e.depth,
      e.column_overlap.status,
    ]);
    expect(blast).toEqual([
      ['finance-pipeline', 1, 1, 'overlap'],
      ['analytics-dashboard', 2, 1, 'no_overlap'],
      [st.revenue, undefined, 1, 'overlap'],
    ]);
    expect(report.blast_radius.entries[0]).toMatchObject({
      owner: 'finance-team',
      column_overlap: {
        read_columns: ['amount', 'currency', 'customer_id'],
        overlapping: ['customer_id'],
      },
    });
    expect(report.mitigations.map((m) => m.action)).toEqual([
      'ROLLBACK',
      'HOTFIX',
      'QUARANTINE_DATASET',
      'PAUSE_CONSUMERS',
      'REPLAY',
    ]);
    expect(report.mitigations[0]?.title).toBe('Roll back orders-svc to 3.16');
    // Only finance-pipeline reads the broken column: analytics-dashboard keeps running.
    expect(report.mitigations[3]?.target).toEqual(['job:scenario:finance-pipeline']);
    expect(report.summary).toMatchObject({
      source: 'template',
      text:
        'Root cause: deployment orders-svc 3.17 (commit 9f31c2d) introduced MISSING_FIELD:customer_id at 09:58:02; ' +
        'last good 09:57:59; blast radius: finance-pipeline (tier 1), analytics-dashboard (tier 2), urn:dp:finance:revenue-daily; ' +
        'suggested action: roll back to 3.16. Confidence: HIGH.',
    });
    expect(report.graph).toMatchObject({
      incident_in_graph: true,
      edges: { TRIGGERED: 1, CAUSED: 1, INTRODUCED: 1, DEPLOYED: 1, PRODUCES: 1 },
      missing: [],
    });
    expectRefsResolve(report);
    // Evidence ids behind the claims: the first bad record, the INTRODUCED edge, the deployment.
    const ids = report.evidence.map((e) => e.id);
    expect(ids).toContain('ev_0123456789abcdef0123456789abcdef');
    expect(ids).toContain(`deployment:orders-svc:3.17|INTRODUCED|failure-signature:${st.fsHash}`);
    // Plain JSON.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('is deterministic: the same inputs give the same report', async () => {
    const a = embedded();
    const b = embedded();
    const x = await seedSteelThread(a.graph, a.state);
    await seedSteelThread(b.graph, b.state);
    const r1 = await createCopilot({ graph: a.graph, state: a.state, clock: a.clock.now }).rca(
      x.incidentId,
    );
    const r2 = await createCopilot({
      graph: b.graph.store,
      state: b.state,
      clock: b.clock.now,
    }).rca(x.incidentId);
    expect(r2).toEqual(r1);
  });

  it('without an INTRODUCED edge: links the deployment by time, MEDIUM, and says why', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { introduced: false });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'time_correlation',
      deployment: { version: '3.17' },
    });
    expect(report.confidence.level).toBe('MEDIUM');
    const edge = report.confidence.reasons.find((r) => r.factor === 'introduced_edge');
    expect(edge).toMatchObject({ effect: 'weakens' });
    expect(edge?.detail).toMatch(/no INTRODUCED edge/);
    expect(report.graph.missing).toContain(
      `no INTRODUCED edge into failure signature sha256:${st.fsHash.slice(7, 19)}`,
    );
    expect(report.graph.edges.INTRODUCED).toBe(0);
  });

  it('an INTRODUCED deployment 48 min before the first bad record is MEDIUM, with the gap given', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { deployAt: at('+10m') });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deploy_to_first_bad_ms: 48 * 60_000 + 2_000,
    });
    expect(report.confidence.level).toBe('MEDIUM');
    expect(report.confidence.reasons.find((r) => r.factor === 'deploy_timing')).toMatchObject({
      effect: 'weakens',
      detail: expect.stringContaining('48 min'),
    });
  });

  it('after a rollback, confirms it instead of asking for one, and keeps the replay', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state);
    // 3.16 went back out at 10:03, before the report is asked for at 10:05.
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.16',
      commit: '1a2b3c4',
      time: '2026-01-15T10:03:00Z',
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
      replaced_by: { version: '3.16', deployed_at: '2026-01-15T10:03:00.000Z' },
    });
    expect(report.mitigations.map((m) => m.action)).toEqual(['INVESTIGATE', 'HOTFIX', 'REPLAY']);
    expect(report.mitigations[0]?.title).toBe('Confirm that orders-svc 3.16 ended the failure');
    expectRefsResolve(report);
  });

  it('an INTRODUCED deployment hours before the first bad record is LOW', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, {
      deployAt: '2026-01-15T04:00:00Z',
      previousDeployment: false,
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause.kind).toBe('deployment');
    expect(report.confidence.level).toBe('LOW');
    expect(report.confidence.reasons.find((r) => r.factor === 'deploy_timing')).toMatchObject({
      effect: 'contradicts',
      detail: expect.stringContaining('long before'),
    });
    // No earlier version in the history: the rollback says so instead of inventing one.
    expect(report.mitigations[0]).toMatchObject({
      action: 'ROLLBACK',
      title: 'Roll back orders-svc to the version before 3.17',
    });
  });

  it('a deployment long before the failure and no INTRODUCED edge: unexplained, LOW, saying what was ruled out', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, {
      introduced: false,
      deployAt: '2026-01-15T04:00:00Z',
      previousDeployment: false,
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause.kind).toBe('unexplained');
    expect(report.confidence.level).toBe('LOW');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /3\.17 at 2026-01-15T04:00:00.000Z\) was 5 h 58 min before/,
    );
    expect(report.summary.text).toMatch(
      /^Root cause: unexplained — no deployment, stall or upstream incident explains MISSING_FIELD:customer_id/,
    );
    expect(report.mitigations[0]?.action).toBe('INVESTIGATE');
  });

  /** CONTRACT OK for every 5-minute window of [from, to) of the steel thread's dataset. */
  async function putHealthyWindows(state: InMemoryStateStore, from: string, to: string) {
    for (let t = Date.parse(from); t < Date.parse(to); t += 300_000) {
      const end = t + 300_000;
      await putSignal(
        state,
        signal({
          signal_id: `sig-ok-${t}`,
          dataset_urn: 'urn:dp:orders:created',
          signal_type: 'CONTRACT',
          state: 'OK',
          emitted_at: new Date(end + 120_000).toISOString(),
          window: { start: new Date(t).toISOString(), end: new Date(end).toISOString() },
        }),
      );
    }
  }

  it('a deployment followed by a healthy run is not blamed by time alone: unexplained', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { introduced: false, deployAt: at('+10m') });
    await putHealthyWindows(state, at('+10m'), at('+55m'));
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause.kind).toBe('unexplained');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /orders-svc \(3\.17 at 2026-01-15T09:10:00.000Z, 48 min before the first bad record\) was followed by CONTRACT OK until 2026-01-15T09:55:00.000Z: it ran cleanly/,
    );
  });

  it('a healthy run shorter than the close window keeps the time-correlated deployment', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { introduced: false, deployAt: at('+45m') });
    await putHealthyWindows(state, at('+45m'), at('+55m'));
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'time_correlation',
      deployment: { version: '3.17' },
    });
  });

  it('an INTRODUCED edge from a version that ran healthy for hours names only what was running: unexplained', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, {
      deployAt: '2026-01-15T04:00:00Z',
      previousDeployment: false,
    });
    await putHealthyWindows(state, '2026-01-15T08:00:00Z', at('+55m'));
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause.kind).toBe('unexplained');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /deployment orders-svc 3\.17 was 5 h 58 min before the first bad record, and CONTRACT stayed OK after it until 2026-01-15T09:55:00.000Z/,
    );
    expect(report.confidence.level).toBe('LOW');
  });

  it('a slow burn: an INTRODUCED deployment 25 minutes before the failure, healthy meanwhile, stays the cause', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { deployAt: '2026-01-15T09:33:00Z' });
    await putHealthyWindows(state, '2026-01-15T09:35:00Z', at('+55m'));
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { version: '3.17' },
    });
    expect(report.confidence.level).not.toBe('HIGH');
  });

  it('records stamped with the old version contradict the deployment', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { recordVersion: '3.16' });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause.kind).toBe('deployment');
    expect(report.confidence.level).toBe('LOW');
    expect(report.confidence.reasons.find((r) => r.factor === 'version_on_records')).toMatchObject({
      effect: 'contradicts',
    });
  });

  it('a LOW-confidence INTRODUCED edge and records without identity lower the level', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, {
      introducedConfidence: 'LOW',
      recordVersion: null,
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.confidence.level).toBe('MEDIUM');
    expect(report.confidence.reasons.find((r) => r.factor === 'introduced_edge')?.effect).toBe(
      'weakens',
    );
    expect(report.confidence.reasons.find((r) => r.factor === 'producer_identity')?.detail).toMatch(
      /PRODUCES the dataset \(edge confidence HIGH\)/,
    );
  });

  it('an INTRODUCED deployment made after the first bad record is not the root cause: unexplained', async () => {
    // The failure began on 3.16 at +58m2s; 3.17 shipped at +60m while it went on, and the engines
    // linked the continuing failure to the version then live.
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, {
      deployAt: at('+60m'),
      previousDeployment: false,
      recordVersion: '3.16',
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause.kind).toBe('unexplained');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /deployment orders-svc 3\.17 was deployed at 2026-01-15T10:00:00\.000Z, 118 s after the first bad record of MISSING_FIELD:customer_id \(2026-01-15T09:58:02\.000Z\)/,
    );
    expect(report.reason_codes.map((c) => c.code)).toEqual(['MISSING_FIELD:customer_id']);
    expect(report.confidence.level).toBe('LOW');
  });

  /** The steel thread plus a DQ rule broken since +40m (before 3.17) that joined the incident. */
  async function seedEarlierDqTrouble() {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state);
    // 3.17's signature began at +58m2s.
    await putSignal(
      state,
      signal({
        signal_id: 'sig-dq-early',
        dataset_urn: st.orders,
        signal_type: 'DQ',
        state: 'CRITICAL',
        window: { start: at('+40m'), end: at('+45m') },
        metrics: { records: 600, null_values_pct_email: 100 },
        first_bad: { time: at('+40m1s') },
        producer: { service: st.service, version: '3.16' },
        emitted_at: at('+47m'),
      }),
    );
    const stored = await state.get('IncidentIndex', {
      pk: `incident#${st.incidentId}`,
      sk: 'incident',
    });
    const inc = stored?.data as unknown as Parameters<typeof putIncident>[1];
    await putIncident(state, {
      ...inc,
      opened_at: at('+47m1s'),
      signal_ids: ['sig-dq-early', st.signalId],
      updated_at: at('+61m1s'),
    });
    return { graph, state, clock, st };
  }

  it('earlier, unrelated trouble in the same incident does not rule out the deployment that introduced its signature', async () => {
    const { graph, state, clock, st } = await seedEarlierDqTrouble();
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.first_bad?.time).toBe(at('+40m1s'));
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { version: '3.17' },
    });
  });

  it('times the deployment against the first bad record of its own failure, not of earlier trouble in the incident', async () => {
    const { graph, state, clock, st } = await seedEarlierDqTrouble();
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    // The incident's first bad record stays the DQ one.
    expect(report.first_bad?.time).toBe(at('+40m1s'));
    // 3.17 (+58m) is timed against MISSING_FIELD:customer_id's first bad record (+58m2s).
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
      first_bad_at: at('+58m2s'),
      deploy_to_first_bad_ms: 2_000,
      statement:
        'Deployment orders-svc 3.17 (commit 9f31c2d) introduced MISSING_FIELD:customer_id at 09:58:02.',
    });
    const timing = report.confidence.reasons.find((r) => r.factor === 'deploy_timing');
    expect(timing).toMatchObject({
      effect: 'supports',
      detail:
        'the first bad record of MISSING_FIELD:customer_id came 2 s after the deploy of orders-svc 3.17',
    });
    // Its evidence is the CONTRACT signal's first bad record, not the DQ one.
    const cited = report.evidence.filter((e) => timing?.evidence_refs.includes(e.ref));
    expect(cited.map((e) => e.id)).toContain('ev_0123456789abcdef0123456789abcdef');
    expect(cited.map((e) => e.id)).not.toContain('sig-dq-early');
    expect(report.confidence.level).toBe('HIGH');
    expect(report.summary.text).toMatch(
      /^Root cause: deployment orders-svc 3\.17 \(commit 9f31c2d\) introduced MISSING_FIELD:customer_id at 09:58:02;/,
    );
    expectRefsResolve(report);
  });

  it("without a first bad record on its signals, a deployment is timed against its signature's first_seen within the incident", async () => {
    const { graph, state, clock, st } = await seedEarlierDqTrouble();
    // The CONTRACT signal names no first bad record; the signature was first seen at +58m2s.
    const stored = await state.get('SignalState', {
      pk: `current#${st.orders}`,
      sk: 'CONTRACT',
    });
    const { first_bad: _firstBad, ...contract } = stored?.data as unknown as Signal;
    await putSignal(state, contract);
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.first_bad?.time).toBe(at('+40m1s'));
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
      first_bad_at: at('+58m2s'),
      deploy_to_first_bad_ms: 2_000,
    });
    expect(report.confidence.level).toBe('HIGH');
    expectRefsResolve(report);
  });

  it('an INTRODUCED deployment within the clock skew after the first bad record is still named', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { deployAt: at('+58m30s') });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
      deploy_to_first_bad_ms: -28_000,
    });
  });
});

describe('RCA: records without producer identity', () => {
  it('a MEDIUM INTRODUCED edge (no version on the records) gives at most MEDIUM', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, {
      introducedConfidence: 'MEDIUM',
      recordVersion: null,
    });
    // Records named by G2's topic fallback: the service, no version.
    const stored = await state.get('SignalState', {
      pk: `signals#${st.orders}`,
      sk: `${at('+61m')}#${st.signalId}`,
    });
    const doc = stored?.data as unknown as Parameters<typeof putSignal>[1];
    await putSignal(state, { ...doc, producer: { service: st.service } });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
    });
    expect(report.confidence.reasons.find((r) => r.factor === 'introduced_edge')).toMatchObject({
      effect: 'weakens',
      detail: expect.stringContaining('edge confidence MEDIUM'),
    });
    expect(report.confidence.level).toBe('MEDIUM');
  });

  it("a signal's registered-producer fallback (failing_producer unknown) is not record identity: at most MEDIUM", async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state, { recordVersion: null });
    // What the engines emit for records G2 could not identify: `producer` is the dataset's
    // registered producer, and the metrics say the failing producer is unknown.
    const stored = await state.get('SignalState', {
      pk: `signals#${st.orders}`,
      sk: `${at('+61m')}#${st.signalId}`,
    });
    const doc = stored?.data as unknown as Parameters<typeof putSignal>[1];
    await putSignal(state, {
      ...doc,
      producer: { service: st.service },
      metrics: {
        ...doc.metrics,
        failing_producer: 'unknown',
        producer_compliance: 'unknown=0.596(1250)',
      },
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(st.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
    });
    const identity = report.confidence.reasons.find((r) => r.factor === 'producer_identity');
    expect(identity).toMatchObject({ effect: 'weakens' });
    expect(identity?.detail).toMatch(/the records themselves do not name a producer/);
    expect(report.confidence.level).toBe('MEDIUM');
  });
});

describe('RCA: the same failure signature introduced twice (rolled back, re-introduced)', () => {
  /** 3.17 introduces the bug (+58m, incident 1), 3.16 is rolled back at +70m, 3.19 re-introduces it at +100m (incident 2). */
  async function seedRecurrence(options: {
    secondConfidence?: 'HIGH' | 'MEDIUM' | 'LOW';
    secondRecordVersion?: string | null;
  }) {
    const { graph, state } = embedded();
    const st = await seedSteelThread(graph, state);
    const { ingestor } = graph;
    await ingestor.ingestDeployment({
      service: st.service,
      version: '3.16',
      commit: '1a2b3c4',
      time: at('+70m'),
    });
    await ingestor.ingestDeployment({
      service: st.service,
      version: '3.19',
      commit: '77aa0e1',
      time: at('+100m'),
    });
    // The engines' second episode: INTRODUCED from the deployment current at +100m5s.
    await ingestor.recordFailureSignature({
      hash: st.fsHash,
      introducedBy: {
        service: st.service,
        version: '3.19',
        confidence: options.secondConfidence ?? 'HIGH',
      },
    });
    const signalId = 'sig-contract-2';
    const recordVersion =
      options.secondRecordVersion === undefined ? '3.19' : options.secondRecordVersion;
    await putSignal(
      state,
      signal({
        signal_id: signalId,
        dataset_urn: st.orders,
        signal_type: 'CONTRACT',
        state: 'CRITICAL',
        previous_state: 'OK',
        window: { start: at('+100m'), end: at('+105m') },
        metrics: { records: 1200, records_failed: 480, compliance: 0.6 },
        first_bad: {
          time: at('+100m5s'),
          evidence_id: 'ev_22222222222222222222222222222222',
          topic: 'raw.orders.events',
          partition: 0,
          offset: '90210',
        },
        failure_signature_ids: [st.fsHash],
        ...(recordVersion === null
          ? {}
          : { producer: { service: st.service, version: recordVersion } }),
        emitted_at: at('+106m'),
      }),
    );
    await ingestor.recordSignal({
      id: signalId,
      type: 'CONTRACT',
      state: 'CRITICAL',
      datasetUrn: st.orders,
      windowStart: Date.parse(at('+100m')),
      causedBy: [st.fsHash],
    });
    const second = incident({
      incident_id: 'inc-steel-2',
      dataset_urns: [st.orders],
      signal_ids: [signalId],
      opened_at: at('+106m1s'),
      probable_cause: { kind: 'failure_signature', ref: st.fsHash },
    });
    await putIncident(state, second);
    await ingestor.recordIncident({
      id: second.incident_id,
      severity: 'SEV-1',
      status: 'OPEN',
      openedAt: Date.parse(second.opened_at),
      signals: [signalId],
    });
    const clock = createTestClock(Date.parse(at('+110m')));
    return { graph, state, clock, st, secondId: second.incident_id };
  }

  it('blames the deployment that re-introduced it for the second incident, and 3.17 for the first', async () => {
    const { graph, state, clock, st, secondId } = await seedRecurrence({});
    const copilot = createCopilot({ graph, state, clock: clock.now });
    const report2 = await copilot.rca(secondId);
    expect(report2.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'introduced_edge',
      deployment: { service: 'orders-svc', version: '3.19', commit: '77aa0e1' },
      deploy_to_first_bad_ms: 5_000,
    });
    expect(report2.failure_signatures[0]?.introduced_by).toMatchObject({ version: '3.19' });
    expect(report2.graph.edges.INTRODUCED).toBe(2);
    const report1 = await copilot.rca(st.incidentId);
    expect(report1.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17', commit: '9f31c2d' },
    });
    expect(report1.failure_signatures[0]?.introduced_by).toMatchObject({ version: '3.17' });
  });

  it('prefers the latest introducer before first_bad over a higher-confidence older one', async () => {
    const { graph, state, clock, secondId } = await seedRecurrence({
      secondConfidence: 'LOW',
      secondRecordVersion: null,
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(secondId);
    expect(report.root_cause).toMatchObject({ deployment: { version: '3.19' } });
  });

  it('prefers the version stamped on the failing records', async () => {
    // The records still say 3.17 (e.g. a canary of 3.17 kept running): that deployment is named.
    const { graph, state, clock, secondId } = await seedRecurrence({ secondRecordVersion: '3.17' });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(secondId);
    expect(report.root_cause).toMatchObject({ deployment: { version: '3.17' } });
  });
});

describe('RCA: engines race (signature vertex written before its details)', () => {
  it('takes reason codes and counts from the CONTRACT signal metrics, and ties the deployment by time', async () => {
    const { graph, state, clock } = embedded();
    const orders = 'urn:dp:orders:created';
    await graph.ingestor.registerDataset({ urn: orders, tier: 1, producer: 'orders-svc' });
    await graph.ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: 'scenario', name: 'finance-pipeline' } },
      tier: 1,
      inputs: [{ dataset: orders, columns: ['customer_id'] }],
      confidence: 'HIGH',
    });
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.16',
      time: at('+0m'),
    });
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.17',
      commit: '9f31c2d',
      time: at('+58m'),
    });
    const hash = 'sha256:' + 'ab'.repeat(32);
    await putSignal(
      state,
      signal({
        signal_id: 's-contract',
        dataset_urn: orders,
        signal_type: 'CONTRACT',
        state: 'CRITICAL',
        metrics: {
          reason_codes: 'MISSING_FIELD:customer_id=480.5;TYPE_MISMATCH:amount=2',
          records_failed: 482.5,
        },
        first_bad: { time: at('+58m3s') },
        failure_signature_ids: [hash],
        producer: { service: 'orders-svc', version: '3.17' },
        emitted_at: at('+61m'),
      }),
    );
    // Only the incident manager's recordSignal ran: the vertex has its hash and nothing else.
    await graph.ingestor.recordSignal({
      id: 's-contract',
      type: 'CONTRACT',
      state: 'CRITICAL',
      causedBy: [hash],
    });
    await putIncident(
      state,
      incident({
        incident_id: 'i-race',
        dataset_urns: [orders],
        signal_ids: ['s-contract'],
        opened_at: at('+61m1s'),
      }),
    );
    await graph.ingestor.recordIncident({ id: 'i-race', signals: ['s-contract'] });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca('i-race');
    expect(report.reason_codes).toEqual([
      { code: 'MISSING_FIELD:customer_id', records: 480.5, signals: 1, failure_signature_ids: [] },
      { code: 'TYPE_MISMATCH:amount', records: 2, signals: 1, failure_signature_ids: [] },
    ]);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'time_correlation',
      introduced_reason_codes: ['MISSING_FIELD:customer_id', 'TYPE_MISMATCH:amount'],
      previous: { version: '3.16' },
    });
    expect(report.confidence.level).toBe('MEDIUM');
    expect(report.blast_radius.entries[0]?.column_overlap).toMatchObject({
      status: 'overlap',
      overlapping: ['customer_id'],
    });
  });
});

describe('RCA: breaking schema drift', () => {
  it('takes the reason codes a SCHEMA_DRIFT signal names for its breaking shape', async () => {
    const { graph, state, clock } = embedded();
    const orders = 'urn:dp:orders:created';
    await graph.ingestor.registerDataset({ urn: orders, tier: 1, producer: 'orders-svc' });
    await graph.ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: 'scenario', name: 'finance-pipeline' } },
      tier: 1,
      inputs: [{ dataset: orders, columns: ['customer_id', 'amount'] }],
      confidence: 'HIGH',
    });
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.16',
      time: '2026-01-14T09:00:00Z',
    });
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.17',
      commit: '3a3a3a3',
      time: at('+20m'),
    });
    // What the drift engine emits: no failure signature, the contract codes in a metric.
    await putSignal(
      state,
      signal({
        signal_id: 's-drift',
        dataset_urn: orders,
        signal_type: 'SCHEMA_DRIFT',
        state: 'CRITICAL',
        window: { start: at('+20m'), end: at('+25m') },
        metrics: {
          drift_kind: 'breaking',
          classified_by: 'contract',
          drift_records: 42,
          retyped_fields: 'amount',
          breaking_reason_codes: 'TYPE_MISMATCH:amount',
        },
        first_bad: { time: at('+20m18s'), fingerprint: 'sha256:' + 'a1'.repeat(32) },
        last_good: { time: at('+20m17s') },
        producer: { service: 'orders-svc', version: '3.17' },
        emitted_at: at('+27m'),
      }),
    );
    await graph.ingestor.recordSignal({
      id: 's-drift',
      type: 'SCHEMA_DRIFT',
      state: 'CRITICAL',
      datasetUrn: orders,
    });
    await putIncident(
      state,
      incident({
        incident_id: 'i-drift',
        dataset_urns: [orders],
        signal_ids: ['s-drift'],
        opened_at: at('+27m'),
      }),
    );
    await graph.ingestor.recordIncident({ id: 'i-drift', signals: ['s-drift'] });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca('i-drift');
    expect(report.reason_codes).toEqual([
      { code: 'TYPE_MISMATCH:amount', records: null, signals: 1, failure_signature_ids: [] },
    ]);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
      introduced_reason_codes: ['TYPE_MISMATCH:amount'],
      statement: expect.stringContaining('introduced TYPE_MISMATCH:amount'),
    });
    expect(report.blast_radius.entries[0]?.column_overlap).toMatchObject({
      status: 'overlap',
      overlapping: ['amount'],
    });
    expectRefsResolve(report);
  });
});

describe('RCA: stall', () => {
  it('a stall with no deployment near it is a stall', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state);
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'stall',
      dataset_urn: s.orders,
      producer_service: 'orders-svc',
      last_record_at: '2026-01-15T09:20:00.000Z',
      silent_for_ms: 960_000,
    });
    expect(report.confidence.level).toBe('HIGH');
    expect(report.confidence.reasons.map((r) => r.factor)).toEqual([
      'stall_signal',
      'last_good_known',
      'no_nearby_deployment',
    ]);
    expect(report.confidence.reasons[2]).toMatchObject({
      detail:
        'no deployment of orders-svc within 15 min before the last record (latest: orders-svc 3.16, 20 min before)',
      evidence_refs: [expect.stringMatching(/^E\d+$/)],
    });
    expect(report.blast_radius.entries[0]).toMatchObject({
      name: 'finance-pipeline',
      column_overlap: { status: 'all_columns' },
    });
    expect(report.mitigations.map((m) => m.action)).toEqual([
      'CHECK_PRODUCER',
      'PAUSE_CONSUMERS',
      'REPLAY',
    ]);
    expect(report.summary.text).toBe(
      'Root cause: urn:dp:orders:created stalled (producer orders-svc), no records since 09:20:00, and no deployment explains it; ' +
        'blast radius: finance-pipeline (tier 1), urn:dp:finance:revenue-daily; suggested action: check orders-svc: it stopped producing urn:dp:orders:created. Confidence: HIGH.',
    );
    expectRefsResolve(report);
  });

  it('records still arriving after the newest event time are a lagging producer, not a stall', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state, { deployAt: '2026-01-15T04:00:00Z' });
    // VOLUME kept counting records in the windows after the last event time (they arrive late).
    for (const m of [20, 25, 30]) {
      await putSignal(
        state,
        signal({
          signal_id: `sig-vol-${m}`,
          dataset_urn: s.orders,
          signal_type: 'VOLUME',
          state: 'OK',
          metrics: { record_count: 1200, evidence_count: 1200, late_evidence: 1180 },
          window: { start: at(`+${m}m`), end: at(`+${m + 5}m`) },
          emitted_at: at(`+${m + 7}m`),
        }),
      );
    }
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause.kind).toBe('unexplained');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /not a stall: 1200 records arrived in the window from 2026-01-15T09:25:00.000Z \(VOLUME, 1180 late\), after the newest event time 2026-01-15T09:20:00.000Z.*lags/,
    );
  });

  /** Replaces the stall fixture's FRESHNESS CRITICAL signal with one carrying `metrics`. */
  async function rewriteFreshness(
    state: InMemoryStateStore,
    orders: string,
    metrics: Record<string, number | string>,
  ) {
    const stored = await state.get('SignalState', {
      pk: `signals#${orders}`,
      sk: `${at('+36m')}#sig-fresh-1`,
    });
    const doc = stored?.data as unknown as Parameters<typeof putSignal>[1];
    await putSignal(state, { ...doc, metrics: { ...doc.metrics, ...metrics } });
  }

  /** A VOLUME OK window of the stall fixture's dataset starting at `offset`. */
  const volumeWindow = (orders: string, offset: number, records: number, late: number) =>
    signal({
      signal_id: `sig-vol-${offset}`,
      dataset_urn: orders,
      signal_type: 'VOLUME',
      state: 'OK',
      metrics: { record_count: records, evidence_count: records, late_evidence: late },
      window: { start: at(`+${offset}m`), end: at(`+${offset + 5}m`) },
      emitted_at: at(`+${offset + 7}m`),
    });

  it('a stall that recovered is a stall: current records after the recovery are not lag', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state, { deployAt: '2026-01-15T04:00:00Z' });
    // Production resumed at +45m; the incident resolved at +70m, so its history reaches that far.
    await putSignal(
      state,
      signal({
        signal_id: 'sig-fresh-ok',
        dataset_urn: s.orders,
        signal_type: 'FRESHNESS',
        state: 'OK',
        metrics: { age_seconds: 1, last_event_time: at('+45m9s') },
        emitted_at: at('+45m10s'),
      }),
    );
    await putSignal(state, volumeWindow(s.orders, 45, 1227, 0));
    await putSignal(state, volumeWindow(s.orders, 50, 1260, 0));
    // a backlog flushed after the recovery does not make it lag either
    await putSignal(state, volumeWindow(s.orders, 55, 900, 850));
    const stored = await state.get('IncidentIndex', {
      pk: `incident#${s.incidentId}`,
      sk: 'incident',
    });
    const inc = stored?.data as unknown as Parameters<typeof putIncident>[1];
    await putIncident(state, {
      ...inc,
      status: 'RESOLVED',
      updated_at: at('+70m'),
      resolved_at: at('+70m'),
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'stall',
      last_record_at: '2026-01-15T09:20:00.000Z',
    });
  });

  it('FRESHNESS naming arrivals long after its newest event is a lagging producer, not a stall', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state, { deployAt: '2026-01-15T04:00:00Z' });
    await rewriteFreshness(state, s.orders, {
      last_event_time: at('+20m'),
      last_arrival_time: at('+35m59s'),
    });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause.kind).toBe('unexplained');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /not a stall: records kept arriving until 2026-01-15T09:35:59.000Z \(FRESHNESS\), 16 min after the newest event time 2026-01-15T09:20:00.000Z/,
    );
  });

  it('FRESHNESS saying nothing arrived after its newest event is a stall, even if a backlog flushes late', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state, { deployAt: '2026-01-15T04:00:00Z' });
    await rewriteFreshness(state, s.orders, {
      last_event_time: at('+20m'),
      last_arrival_time: at('+20m1s'),
    });
    await putSignal(state, volumeWindow(s.orders, 25, 2400, 2400));
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause.kind).toBe('stall');
  });

  it('an empty VOLUME window after the last record does not hide a stall', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state);
    await putSignal(
      state,
      signal({
        signal_id: 'sig-vol-empty',
        dataset_urn: s.orders,
        signal_type: 'VOLUME',
        state: 'OK',
        metrics: { record_count: 0 },
        window: { start: at('+25m'), end: at('+30m') },
        emitted_at: at('+32m'),
      }),
    );
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause.kind).toBe('stall');
  });

  it("a FRESHNESS signal's registered producer is not the records naming their producer", async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state, { deployAt: at('+19m') });
    // What the runtime emits: FRESHNESS carries the dataset's registered producer, no version.
    const stored = await state.get('SignalState', {
      pk: `signals#${s.orders}`,
      sk: `${at('+36m')}#sig-fresh-1`,
    });
    const doc = stored?.data as unknown as Parameters<typeof putSignal>[1];
    await putSignal(state, { ...doc, producer: { service: s.service } });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause.kind).toBe('deployment');
    expect(report.confidence.reasons.find((r) => r.factor === 'producer_identity')?.detail).toMatch(
      /the records themselves do not name a producer/,
    );
  });

  it('a stall one minute after a deployment is blamed on the deployment, MEDIUM (time only)', async () => {
    const { graph, state, clock } = embedded();
    const s = await seedStall(graph, state, { deployAt: at('+19m') });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      linked_by: 'time_correlation',
      deploy_to_first_bad_ms: 60_000,
    });
    expect(report.confidence.level).toBe('MEDIUM');
  });

  it('a deployment 40 min before a stall is too far: still a stall', async () => {
    const { graph, state, clock } = embedded();
    await graph.ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.15',
      time: '2026-01-15T08:00:00Z',
    });
    const s = await seedStall(graph, state, { deployAt: '2026-01-15T08:40:00Z' });
    const report = await createCopilot({ graph, state, clock: clock.now }).rca(s.incidentId);
    expect(report.root_cause.kind).toBe('stall');
  });
});

describe('RCA: upstream dataset in incident', () => {
  async function seedDownstream(graphState: ReturnType<typeof embedded>) {
    const { graph, state } = graphState;
    const st = await seedSteelThread(graph, state);
    const sig = signal({
      signal_id: 'sig-revenue-volume',
      dataset_urn: st.revenue,
      signal_type: 'VOLUME',
      state: 'CRITICAL',
      window: { start: at('+60m'), end: at('+65m') },
      metrics: { record_count: 120, expected_min: 900 },
      first_bad: { time: at('+60m10s') },
      emitted_at: at('+66m'),
    });
    await putSignal(state, sig);
    await graph.ingestor.recordSignal({
      id: sig.signal_id,
      type: 'VOLUME',
      state: 'CRITICAL',
      datasetUrn: st.revenue,
    });
    const inc = incident({
      incident_id: 'inc-revenue',
      dataset_urns: [st.revenue],
      signal_ids: [sig.signal_id],
      opened_at: at('+66m1s'),
      severity: 'SEV-2',
    });
    await putIncident(state, inc);
    await graph.ingestor.recordIncident({ id: inc.incident_id, signals: [sig.signal_id] });
    return st;
  }

  it('blames the upstream dataset and carries its root cause', async () => {
    const env = embedded();
    const st = await seedDownstream(env);
    const report = await createCopilot({
      graph: env.graph,
      state: env.state,
      clock: env.clock.now,
    }).rca('inc-revenue');
    expect(report.root_cause).toMatchObject({
      kind: 'upstream_dataset',
      upstream_dataset_urn: st.orders,
      affected_dataset_urn: st.revenue,
      upstream_incident_id: st.incidentId,
      path: [st.orders, 'job:scenario:finance-pipeline', st.revenue],
      upstream_root_cause: {
        kind: 'deployment',
        statement:
          'Deployment orders-svc 3.17 (commit 9f31c2d) introduced MISSING_FIELD:customer_id at 09:58:02.',
      },
    });
    expect(report.confidence.level).toBe('HIGH');
    expect(report.mitigations[0]).toMatchObject({ action: 'FOLLOW_UPSTREAM', target: [st.orders] });
    expect(report.summary.text).toMatch(
      /^Root cause: upstream dataset urn:dp:orders:created \(incident inc-steel\) feeds urn:dp:finance:revenue-daily; upstream: Deployment orders-svc 3\.17/,
    );
    expectRefsResolve(report);
  });

  it('an incident holding both datasets is analysed from the upstream one', async () => {
    const env = embedded();
    const st = await seedDownstream(env);
    const both = incident({
      incident_id: 'inc-both',
      dataset_urns: [st.revenue, st.orders],
      signal_ids: ['sig-revenue-volume', st.signalId],
      opened_at: at('+66m2s'),
    });
    await putIncident(env.state, both);
    await env.graph.ingestor.recordIncident({ id: 'inc-both', signals: both.signal_ids });
    const report = await createCopilot({
      graph: env.graph,
      state: env.state,
      clock: env.clock.now,
    }).rca('inc-both');
    expect(report.primary_dataset_urn).toBe(st.orders);
    expect(report.root_cause).toMatchObject({
      kind: 'deployment',
      deployment: { version: '3.17' },
    });
    expect(report.blast_radius.entries.find((e) => e.id === st.revenue)?.in_incident).toBe(true);
  });

  it('an upstream incident opened long after this one is not its cause', async () => {
    const env = embedded();
    const st = await seedSteelThread(env.graph, env.state);
    // Move the steel-thread incident to much later: it cannot explain an earlier downstream problem.
    await putIncident(
      env.state,
      incident({
        incident_id: 'inc-late',
        dataset_urns: [st.orders],
        signal_ids: [st.signalId],
        opened_at: at('+240m'),
      }),
    );
    const sig = signal({
      signal_id: 'sig-rev-early',
      dataset_urn: st.revenue,
      signal_type: 'VOLUME',
      state: 'CRITICAL',
      first_bad: { time: at('+30m') },
      emitted_at: at('+36m'),
    });
    await putSignal(env.state, sig);
    await putIncident(
      env.state,
      incident({
        incident_id: 'inc-rev-early',
        dataset_urns: [st.revenue],
        signal_ids: [sig.signal_id],
        opened_at: at('+36m'),
      }),
    );
    const copilot = createCopilot({ graph: env.graph, state: env.state, clock: env.clock.now });
    const report = await copilot.rca('inc-rev-early');
    // The steel-thread incident itself opened at +61m, 25 min after: outside the 10 min tolerance.
    expect(report.root_cause.kind).toBe('unexplained');
    if (report.root_cause.kind !== 'unexplained') throw new Error('unreachable');
    expect(report.root_cause.ruled_out.join('\n')).toMatch(
      /upstream incident inc-(late|steel) on urn:dp:orders:created started 28 min after this one/,
    );
    expect(report.graph.missing).toContain('incident inc-rev-early is not in the graph');
  });
});

describe('RCA: missing data', () => {
  it('uses the graph vertex of a signal missing from the state, and lists signals found nowhere', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state);
    await graph.ingestor.recordSignal({
      id: 'sig-graph-only',
      type: 'DQ',
      state: 'WARNING',
      datasetUrn: st.orders,
    });
    await putIncident(
      state,
      incident({
        incident_id: 'inc-partial',
        dataset_urns: [st.orders],
        signal_ids: [st.signalId, 'sig-graph-only', 'sig-nowhere'],
        opened_at: at('+61m5s'),
      }),
    );
    const report = await createCopilot({ graph, state, clock: clock.now }).rca('inc-partial');
    expect(report.signals.map((s) => [s.signal_id, s.source])).toEqual([
      [st.signalId, 'state'],
      ['sig-graph-only', 'graph'],
    ]);
    expect(report.missing_signal_ids).toEqual(['sig-nowhere']);
    // The incident is not in the graph: no chain, so the deployment is tied by time only.
    expect(report.graph.incident_in_graph).toBe(false);
    expect(report.root_cause).toMatchObject({ kind: 'deployment', linked_by: 'time_correlation' });
    expect(report.confidence.level).toBe('MEDIUM');
    expect(report.confidence.reasons.find((r) => r.factor === 'causal_chain')?.detail).toMatch(
      /incident inc-partial is not in the graph/,
    );
  });

  it('odd stored data (non-URN dataset, empty ids, unknown producer) never breaks the report', async () => {
    const { graph, state, clock } = embedded();
    await putSignal(
      state,
      signal({
        signal_id: 'odd-1',
        dataset_urn: 'unresolved',
        signal_type: 'CONTRACT',
        state: 'CRITICAL',
        failure_signature_ids: [''],
        producer: { service: 'unknown' },
        emitted_at: at('+5m'),
      }),
    );
    await putIncident(
      state,
      incident({
        incident_id: 'odd',
        dataset_urns: ['unresolved'],
        signal_ids: ['odd-1', ''],
        opened_at: at('+5m'),
      }),
    );
    const report = await createCopilot({ graph, state, clock: clock.now }).rca('odd');
    expect(report.root_cause.kind).toBe('unexplained');
    expect(report.signals.map((s) => s.signal_id)).toEqual(['odd-1']);
    expect(report.failure_signatures).toEqual([]);
  });

  it('an empty graph still gives an honest report', async () => {
    const { state, clock } = embedded();
    await putSignal(
      state,
      signal({
        signal_id: 's1',
        dataset_urn: 'urn:dp:a:b',
        signal_type: 'DQ',
        state: 'CRITICAL',
        emitted_at: at('+5m'),
      }),
    );
    await putIncident(
      state,
      incident({
        incident_id: 'i1',
        dataset_urns: ['urn:dp:a:b'],
        signal_ids: ['s1'],
        opened_at: at('+5m'),
      }),
    );
    const copilot = createCopilot({ graph: new InMemoryGraphStore(), state, clock: clock.now });
    const report = await copilot.rca('i1');
    expect(report.root_cause.kind).toBe('unexplained');
    expect(report.confidence.level).toBe('LOW');
    expect(report.blast_radius.entries).toEqual([]);
    expect(report.summary.text).toContain('blast radius: none known');
    expect(report.graph.missing).toEqual([
      'incident i1 is not in the graph',
      'no PRODUCES edge into urn:dp:a:b',
    ]);
  });
});

describe('copilot API', () => {
  it('unknown and malformed incident ids', async () => {
    const { graph, state } = embedded();
    const copilot = createCopilot({ graph, state });
    await expect(copilot.rca('nope')).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INCIDENT_NOT_FOUND',
      retriable: false,
    });
    await expect(copilot.rca('')).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
    });
    await expect(copilot.rca('a\u0000b')).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
    });
    await state.put(
      'IncidentIndex',
      { pk: 'incident#bad', sk: 'incident' },
      { incident_id: 'bad' },
    );
    await expect(copilot.rca('bad')).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INCIDENT_INVALID',
      details: {
        problems: expect.arrayContaining(['/dataset_urns must be a non-empty array of strings']),
      },
    });
  });

  it('caches per incident, invalidates on updated_at and after the TTL', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state);
    const copilot = createCopilot({ graph, state, clock: clock.now, cacheTtlMs: 30_000 });
    const first = await copilot.rca(st.incidentId);
    clock.advance(10_000);
    const second = await copilot.rca(st.incidentId);
    expect(second.generated_at).toBe(first.generated_at);
    expect(copilot.stats()).toMatchObject({ reports: 1, cacheHits: 1 });
    // The caller's copy is theirs: mutating it does not touch the cache.
    second.root_cause.statement = 'changed';
    expect((await copilot.rca(st.incidentId)).root_cause.statement).not.toBe('changed');
    // updated_at changes → recomputed.
    const stored = await copilot.getIncident(st.incidentId);
    await putIncident(state, {
      ...stored,
      status: 'ACKNOWLEDGED',
      acknowledged_at: at('+70m'),
      updated_at: at('+70m'),
    });
    const third = await copilot.rca(st.incidentId);
    expect(third.incident.status).toBe('ACKNOWLEDGED');
    expect(copilot.stats().reports).toBe(2);
    // TTL passes → recomputed.
    clock.advance(30_001);
    const fourth = await copilot.rca(st.incidentId);
    expect(fourth.generated_at).not.toBe(third.generated_at);
    expect(copilot.stats().reports).toBe(3);
    copilot.invalidate(st.incidentId);
    await copilot.rca(st.incidentId);
    expect(copilot.stats().reports).toBe(4);
    await copilot.close();
    await copilot.close();
    await expect(copilot.rca(st.incidentId)).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_CLOSED',
    });
  });

  it('concurrent calls for one incident compute it once', async () => {
    const { graph, state, clock } = embedded();
    const st = await seedSteelThread(graph, state);
    const copilot = createCopilot({ graph, state, clock: clock.now });
    const reports = await Promise.all([
      copilot.rca(st.incidentId),
      copilot.rca(st.incidentId),
      copilot.rca(st.incidentId),
    ]);
    expect(copilot.stats().reports).toBe(1);
    expect(reports[1]).toEqual(reports[0]);
  });

  it('lists incidents newest first, filtered by status', async () => {
    const { graph, state } = embedded();
    await seedSteelThread(graph, state);
    await seedStall(graph, state, { ns: '-b' });
    await putIncident(
      state,
      incident({
        incident_id: 'old',
        dataset_urns: ['urn:dp:x:y'],
        signal_ids: [],
        opened_at: at('+1m'),
        status: 'RESOLVED',
        resolved_at: at('+2m'),
      }),
    );
    const copilot = createCopilot({ graph, state });
    expect((await copilot.listIncidents()).map((i) => i.incident_id)).toEqual([
      'inc-steel',
      'inc-b-stall',
      'old',
    ]);
    expect(await copilot.listIncidents({ status: 'RESOLVED' })).toEqual([
      {
        incident_id: 'old',
        status: 'RESOLVED',
        severity: 'SEV-1',
        dataset_urns: ['urn:dp:x:y'],
        opened_at: at('+1m'),
      },
    ]);
    expect((await copilot.listIncidents({ limit: 1 })).length).toBe(1);
    await expect(copilot.listIncidents({ limit: 0 })).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
    });
    await expect(copilot.listIncidents({ status: 'open' })).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
    });
  });

  it('blast radius of a dataset and of a column', async () => {
    const { graph, state } = embedded();
    const st = await seedSteelThread(graph, state);
    const copilot = createCopilot({ graph, state });
    const whole = await copilot.blastRadius(st.orders);
    expect(whole.entries.map((e) => e.name)).toEqual([
      'finance-pipeline',
      'analytics-dashboard',
      st.revenue,
    ]);
    const column = await copilot.blastRadius(st.orders, { column: 'customer_id' });
    expect(column.entries.map((e) => e.name)).toEqual(['finance-pipeline']);
    await expect(copilot.blastRadius('orders')).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
    });
    await expect(copilot.blastRadius('urn:dp:nope:nope')).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_DATASET_NOT_FOUND',
    });
    await expect(copilot.blastRadius(st.orders, { maxDepth: 9 })).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
      details: { problems: [{ path: 'maxDepth', message: 'must be an integer from 1 to 3' }] },
    });
  });

  it('reports every option problem at once', () => {
    expect(() =>
      createCopilot({
        graph: {} as never,
        state: null as never,
        cacheTtlMs: -1,
        rca: { upstreamMaxDepth: 7, bogus: 1 } as never,
        llm: { apiKey: '', baseURL: 'ftp://x' },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'SF_ERR_COPILOT_OPTIONS_INVALID',
        details: {
          problems: expect.arrayContaining([
            expect.objectContaining({ path: 'graph' }),
            expect.objectContaining({ path: 'state' }),
            expect.objectContaining({ path: 'cacheTtlMs' }),
            expect.objectContaining({ path: 'rca.bogus' }),
            expect.objectContaining({ path: 'rca.upstreamMaxDepth' }),
            expect.objectContaining({ path: 'llm.apiKey' }),
            expect.objectContaining({ path: 'llm.baseURL' }),
          ]),
        },
      }),
    );
  });

  it('a failing store surfaces as SF_ERR_COPILOT_BACKEND_UNAVAILABLE with its retriability', async () => {
    const { graph, state } = embedded();
    const st = await seedSteelThread(graph, state);
    const broken = Object.create(state) as InMemoryStateStore;
    broken.query = () =>
      Promise.reject(
        Object.assign(new Error('throttled'), {
          code: 'SF_ERR_STATE_UNAVAILABLE',
          retriable: true,
        }),
      );
    const copilot = createCopilot({ graph, state: broken });
    await expect(copilot.rca(st.incidentId)).rejects.toMatchObject({
      code: 'SF_ERR_COPILOT_BACKEND_UNAVAILABLE',
      retriable: true,
    });
  });
});
