import {
  checkEvidence,
  failureSignatureId,
  type Evidence,
  type JsonValue,
} from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import type { FailureSignatureUpdate } from '../signatures/failure-signature-sink';
import { ContractEngine, createContractEngine } from './contract-engine';
import {
  datasetContext,
  evidence,
  T0,
  URN,
  windowAt,
  type EvidenceSpec,
} from './evidence-fixtures.test-data';
import type { ContractEngineState } from './types';

const ds = datasetContext();

function feed(
  engine: ContractEngine,
  state: JsonValue,
  specs: EvidenceSpec[],
  windowIndex = 0,
): JsonValue {
  const window = windowAt(windowIndex);
  let s = state;
  // Event times rise through the window in feeding order.
  const step = Math.floor((window.end - window.start - 1000) / Math.max(1, specs.length));
  for (const [k, spec] of specs.entries()) {
    const ev = evidence({ ...spec, time: spec.time ?? window.start + k * step });
    s = engine.observe(s, ev, ev.sample_weight, window, ds);
  }
  return s;
}

function range(from: number, count: number, spec: Omit<EvidenceSpec, 'i'> = {}): EvidenceSpec[] {
  return Array.from({ length: count }, (_, k) => ({ ...spec, i: from + k }));
}

const MISSING = ['MISSING_FIELD:customer_id'];

describe('ContractEngine', () => {
  it('uses fixtures that satisfy the Evidence v1 schema', () => {
    for (const spec of [
      { i: 1 },
      { i: 2, contractCodes: MISSING },
      { i: 3, identityWarn: true },
      { i: 4, piiCodes: ['PII_DETECTED:ssn:notes'], weight: 2.5 },
      { i: 5, version: null, withSample: false, fingerprint: null },
    ]) {
      expect(checkEvidence(evidence(spec)).valid).toBe(true);
    }
  });

  it('exposes type, group and id for the runtime', () => {
    const engine = createContractEngine();
    expect(engine.type).toBe('CONTRACT');
    expect(engine.group).toBe('contract');
    expect(engine.id).toBe('contract@0.1.0');
    expect(createContractEngine({ version: '2.0.0' }).id).toBe('contract@2.0.0');
  });

  it('reports OK with compliance 1 and the last good record for a clean window', () => {
    const engine = new ContractEngine();
    const s = feed(engine, engine.initialState(ds), range(0, 100));
    const step = engine.closeWindow(s, windowAt(0), ds, windowAt(0).end + 120_000);
    const v = step.verdict;
    expect(v?.state).toBe('OK');
    expect(v?.metrics.compliance).toBe(1);
    expect(v?.metrics.records).toBe(100);
    expect(v?.metrics.sample_sufficient).toBe('true');
    expect(v?.first_bad).toBeUndefined();
    expect(v?.last_good?.offset).toBe('99');
    expect(v?.last_good?.topic).toBe('orders.created');
    expect(v?.last_good?.fingerprint).toMatch(/^sha256:/);
    expect(v?.failure_signature_ids).toEqual([]);
    expect(v?.expected).toEqual({ min: 0.95, unit: 'ratio' });
  });

  it('goes CRITICAL below complianceMin with first_bad, last_good, reasons, signatures and the producer', () => {
    const engine = new ContractEngine();
    // 700 good records from 1.4.2, then 1.4.3 ships and its 300 records miss customer_id.
    const good = range(0, 700);
    const bad = range(700, 300, { version: '1.4.3', contractCodes: MISSING });
    const s = feed(engine, engine.initialState(ds), [...good, ...bad]);
    const v = engine.closeWindow(s, windowAt(0), ds, windowAt(0).end).verdict;
    expect(v?.state).toBe('CRITICAL');
    expect(v?.metrics.compliance).toBe(0.7);
    expect(v?.metrics.records_failed).toBe(300);
    expect(v?.metrics.top_reason_code).toBe('MISSING_FIELD:customer_id');
    expect(v?.metrics.top_reason_code_records).toBe(300);
    expect(v?.metrics.reason_codes).toBe('MISSING_FIELD:customer_id=300');
    expect(v?.metrics.failing_producer).toBe('orders-svc@1.4.3');
    expect(v?.producer).toEqual({ service: 'orders-svc', version: '1.4.3' });
    const expectedId = failureSignatureId({
      datasetUrn: URN,
      failedGates: ['G4'],
      reasonCodes: MISSING,
    });
    expect(v?.failure_signature_ids).toEqual([expectedId]);
    expect(v?.first_bad?.offset).toBe('700');
    expect(v?.first_bad?.evidence_id).toMatch(/^ev_[0-9a-f]{32}$/);
    expect(v?.first_bad?.partition).toBe(700 % 4);
    expect(v?.last_good?.offset).toBe('699');
    expect(Date.parse(v?.last_good?.time ?? '')).toBeLessThan(Date.parse(v?.first_bad?.time ?? ''));
    expect(v?.reason).toContain('below the SLO of 95');
    expect(v?.reason).toContain('orders-svc@1.4.3');
  });

  it('finds first_bad / last_good by event time even when evidence arrives out of order', () => {
    const engine = new ContractEngine();
    const w = windowAt(0);
    const specs: EvidenceSpec[] = [
      { i: 50, time: w.start + 50_000, contractCodes: MISSING },
      { i: 10, time: w.start + 10_000 },
      { i: 40, time: w.start + 40_000, contractCodes: MISSING },
      { i: 30, time: w.start + 30_000 },
      { i: 45, time: w.start + 45_000 },
      { i: 20, time: w.start + 20_000 },
    ];
    let s = engine.initialState(ds);
    for (const spec of specs) s = engine.observe(s, evidence(spec), 1, w, ds);
    const v = new ContractEngine({ minRecords: 1 }).closeWindow(s, w, ds, w.end).verdict;
    expect(v?.state).toBe('CRITICAL');
    expect(v?.first_bad?.offset).toBe('40');
    expect(v?.last_good?.offset).toBe('30');
  });

  it('says when no contract judged the records (gate G4 skipped)', () => {
    const engine = new ContractEngine();
    const v = engine.closeWindow(
      feed(engine, engine.initialState(ds), range(0, 50, { contractResult: 'SKIP' })),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v?.state).toBe('OK');
    expect(v?.metrics.records_contract_checked).toBe(0);
    expect(v?.reason).toContain('no contract verdicts');
    const checked = engine.closeWindow(
      feed(engine, engine.initialState(ds), range(0, 50)),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(checked?.metrics.records_contract_checked).toBe(50);
    expect(checked?.reason).not.toContain('no contract verdicts');
  });

  it('has a configurable WARNING band above complianceMin', () => {
    const engine = new ContractEngine();
    const s = feed(engine, engine.initialState(ds), [
      ...range(0, 960),
      ...range(960, 40, { contractCodes: ['INVALID_FORMAT:email'] }),
    ]);
    const v = engine.closeWindow(s, windowAt(0), ds, 0).verdict;
    expect(v?.metrics.compliance).toBe(0.96);
    expect(v?.state).toBe('WARNING');
    expect(v?.reason).toContain('warning level of 97');
    const narrow = new ContractEngine({ warningMargin: 0 });
    const s2 = feed(narrow, narrow.initialState(ds), [
      ...range(0, 960),
      ...range(960, 40, { contractCodes: ['INVALID_FORMAT:email'] }),
    ]);
    expect(narrow.closeWindow(s2, windowAt(0), ds, 0).verdict?.state).toBe('OK');
  });

  it('honours the dataset SLO and states a defaulted one', () => {
    const engine = new ContractEngine();
    const strict = datasetContext({ slo: { ...ds.slo, complianceMin: 0.99 } });
    let s = engine.initialState(strict);
    for (const spec of [...range(0, 985), ...range(985, 15, { contractCodes: MISSING })])
      s = engine.observe(s, evidence(spec), 1, windowAt(0), strict);
    expect(engine.closeWindow(s, windowAt(0), strict, 0).verdict?.state).toBe('CRITICAL');
    const broken = datasetContext({ slo: { ...ds.slo, complianceMin: Number.NaN } });
    const v = engine.closeWindow(engine.initialState(broken), windowAt(1), broken, 0).verdict;
    expect(v?.metrics.compliance_min).toBe(0.95);
    expect(v?.metrics.compliance_min_defaulted).toBe('true');
    expect(v?.defaultsApplied).toEqual(['contract.compliance_min']);
  });

  it('does not page for 1 failure out of 3 records in a quiet window (minimum-sample guard) and pools quiet windows', () => {
    const engine = new ContractEngine();
    let s = feed(engine, engine.initialState(ds), [
      { i: 0 },
      { i: 1 },
      { i: 2, contractCodes: MISSING },
    ]);
    let v = engine.closeWindow(s, windowAt(0), ds, 0).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.sample_sufficient).toBe('false');
    expect(v?.metrics.min_records).toBe(20);
    expect(v?.metrics.records).toBe(3);
    expect(v?.reason).toContain('fewer than the 20 needed to page');
    expect((s as unknown as ContractEngineState).pool?.windows).toBe(1);
    // Quiet windows keep failing: once the pool holds 20 records it is judged for real.
    for (let w = 1; w <= 6; w++) {
      s = feed(
        engine,
        s,
        [{ i: w * 10 }, { i: w * 10 + 1 }, { i: w * 10 + 2, contractCodes: MISSING }],
        w,
      );
      v = engine.closeWindow(s, windowAt(w), ds, 0).verdict;
      if (w < 6) expect(v?.state).toBe('WARNING');
    }
    expect(v?.state).toBe('CRITICAL');
    expect(v?.metrics.windows_pooled).toBe(7);
    expect(v?.metrics.records).toBe(21);
    expect(v?.window).toEqual({ start: windowAt(0).start, end: windowAt(6).end });
    expect((s as unknown as ContractEngineState).pool).toBeUndefined();
  });

  it('judges a pool after maxPooledWindows even when small, still capped at WARNING', () => {
    const engine = new ContractEngine({ maxPooledWindows: 2 });
    let s = feed(engine, engine.initialState(ds), [{ i: 0, contractCodes: MISSING }]);
    expect(engine.closeWindow(s, windowAt(0), ds, 0).verdict?.state).toBe('WARNING');
    s = feed(engine, s, [{ i: 1, contractCodes: MISSING }], 1);
    const v = engine.closeWindow(s, windowAt(1), ds, 0).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.windows_pooled).toBe(2);
    expect((s as unknown as ContractEngineState).pool).toBeUndefined();
  });

  it('weights sampled PASS evidence by sample_weight', () => {
    const engine = new ContractEngine();
    // 9 sampled PASS evidence stand for 900 records; 30 FAIL evidence are always kept (weight 1).
    const s = feed(engine, engine.initialState(ds), [
      ...range(0, 9, { weight: 100 }),
      ...range(9, 30, { contractCodes: MISSING }),
    ]);
    const v = engine.closeWindow(s, windowAt(0), ds, 0).verdict;
    expect(v?.metrics.records).toBe(930);
    expect(v?.metrics.evidence_count).toBe(39);
    expect(v?.metrics.compliance).toBe(Math.round((900 / 930) * 10_000) / 10_000);
    expect(v?.state).toBe('WARNING');
  });

  it('counts WARN records as compliant by default, and not when told', () => {
    const specs = range(0, 100, { identityWarn: true });
    const lenient = new ContractEngine();
    const v1 = lenient.closeWindow(
      feed(lenient, lenient.initialState(ds), specs),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v1?.state).toBe('OK');
    expect(v1?.metrics.records_warned).toBe(100);
    const strict = new ContractEngine({ warnCountsAsPass: false });
    const v2 = strict.closeWindow(
      feed(strict, strict.initialState(ds), specs),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v2?.state).toBe('CRITICAL');
    expect(v2?.metrics.compliance).toBe(0);
    expect(v2?.first_bad?.offset).toBe('0');
  });

  it('does not page for an added field under a closed contract in observe mode (UNKNOWN_FIELD only)', () => {
    const sink: FailureSignatureUpdate[] = [];
    const engine = new ContractEngine({ signatureSink: { submit: (u) => void sink.push(...u) } });
    const added = range(
      0,
      200,
      (() => ({ contractCodes: ['UNKNOWN_FIELD:channel'], version: '1.5.0' }))(),
    );
    const v = engine.closeWindow(
      feed(engine, engine.initialState(ds), added),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v?.state).toBe('OK');
    expect(v?.metrics.records_additive_only).toBe(200);
    expect(v?.reason).toContain('only add undeclared fields');
    // The signature is still known to the graph.
    expect(sink.map((u) => u.reasonCodes)).toEqual([['UNKNOWN_FIELD:channel']]);
    // Mixed with a real failure, the record fails.
    const mixed = range(0, 200, {
      contractCodes: ['UNKNOWN_FIELD:channel', 'MISSING_FIELD:customer_id'],
    });
    const v2 = engine.closeWindow(
      feed(engine, engine.initialState(ds), mixed),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v2?.state).toBe('CRITICAL');
    // Quarantined in enforce mode, or when told: failures.
    const enforced = range(0, 200, {
      contractCodes: ['UNKNOWN_FIELD:channel'],
      enforcement: 'enforce',
    });
    expect(
      engine.closeWindow(feed(engine, engine.initialState(ds), enforced), windowAt(0), ds, 0)
        .verdict?.state,
    ).toBe('CRITICAL');
    const strict = new ContractEngine({ additiveFailures: 'fail' });
    expect(
      strict.closeWindow(feed(strict, strict.initialState(ds), added), windowAt(0), ds, 0).verdict
        ?.state,
    ).toBe('CRITICAL');
  });

  it('pages for a canary producer that breaks the contract while the dataset as a whole complies', () => {
    const specs = [
      ...range(0, 2000),
      ...range(2000, 40, { version: '1.5.0-canary', contractCodes: MISSING }),
    ];
    const engine = new ContractEngine();
    const v = engine.closeWindow(
      feed(engine, engine.initialState(ds), specs),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v?.metrics.compliance).toBeGreaterThan(0.98);
    expect(v?.state).toBe('CRITICAL');
    expect(v?.producer).toEqual({ service: 'orders-svc', version: '1.5.0-canary' });
    expect(v?.metrics.failing_producer_compliance).toBe(0);
    expect(v?.metrics.producer_compliance).toBe(
      'orders-svc@1.4.2=1(2000);orders-svc@1.5.0-canary=0(40)',
    );
    expect(v?.reason).toContain('Producer orders-svc@1.5.0-canary is at 0%');
    const reportOnly = new ContractEngine({ producerCompliance: 'report', warningMargin: 0 });
    const v2 = reportOnly.closeWindow(
      feed(reportOnly, reportOnly.initialState(ds), specs),
      windowAt(0),
      ds,
      0,
    ).verdict;
    expect(v2?.state).toBe('OK');
    expect(v2?.metrics.failing_producer).toBe('orders-svc@1.5.0-canary');
  });

  it('keeps the episode first_bad across windows and recovers to OK', () => {
    const engine = new ContractEngine();
    let s = feed(engine, engine.initialState(ds), [
      ...range(0, 50),
      ...range(50, 50, { contractCodes: MISSING }),
    ]);
    const v1 = engine.closeWindow(s, windowAt(0), ds, 0).verdict;
    expect(v1?.state).toBe('CRITICAL');
    s = feed(engine, s, range(1000, 100, { contractCodes: MISSING }), 1);
    const v2 = engine.closeWindow(s, windowAt(1), ds, 0).verdict;
    expect(v2?.state).toBe('CRITICAL');
    expect(v2?.first_bad).toEqual(v1?.first_bad);
    expect(v2?.last_good).toEqual(v1?.last_good);
    s = feed(engine, s, range(2000, 100), 2);
    const v3 = engine.closeWindow(s, windowAt(2), ds, 0).verdict;
    expect(v3?.state).toBe('OK');
    expect(v3?.first_bad).toBeUndefined();
    expect(v3?.last_good?.offset).toBe('2099');
  });

  it('does not call a CRITICAL dataset OK on a handful of good records', () => {
    const engine = new ContractEngine();
    let s = feed(engine, engine.initialState(ds), range(0, 100, { contractCodes: MISSING }));
    expect(engine.closeWindow(s, windowAt(0), ds, 0).verdict?.state).toBe('CRITICAL');
    s = feed(engine, s, range(200, 3), 1);
    const v = engine.closeWindow(s, windowAt(1), ds, 0).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.reason).toContain('recovering');
  });

  it('stays CRITICAL when a failing dataset goes quiet but keeps failing', () => {
    const engine = new ContractEngine();
    let s = feed(engine, engine.initialState(ds), range(0, 100, { contractCodes: MISSING }));
    expect(engine.closeWindow(s, windowAt(0), ds, 0).verdict?.state).toBe('CRITICAL');
    s = feed(engine, s, [{ i: 200 }, { i: 201, contractCodes: MISSING }], 1);
    const v = engine.closeWindow(s, windowAt(1), ds, 0).verdict;
    expect(v?.state).toBe('CRITICAL');
    expect(v?.reason).toContain('already CRITICAL');
  });

  it('keeps the state through a window without evidence', () => {
    const engine = new ContractEngine();
    const s = feed(engine, engine.initialState(ds), range(0, 100, { contractCodes: MISSING }));
    expect(engine.closeWindow(s, windowAt(0), ds, 0).verdict?.state).toBe('CRITICAL');
    const v = engine.closeWindow(s, windowAt(1), ds, 0).verdict;
    expect(v?.state).toBe('CRITICAL');
    expect(v?.metrics.records).toBe(0);
    expect(v?.reason).toContain('No evidence');
    expect(v?.first_bad?.offset).toBe('0');
  });

  it('keeps windows apart while several are open (grace period)', () => {
    const engine = new ContractEngine();
    let s = engine.initialState(ds);
    for (let i = 0; i < 50; i++) {
      s = engine.observe(
        s,
        evidence({ i, time: windowAt(0).start + i * 1000 }),
        1,
        windowAt(0),
        ds,
      );
      s = engine.observe(
        s,
        evidence({ i: 100 + i, time: windowAt(1).start + i * 1000, contractCodes: MISSING }),
        1,
        windowAt(1),
        ds,
      );
    }
    expect(engine.closeWindow(s, windowAt(0), ds, 0).verdict?.state).toBe('OK');
    expect(engine.closeWindow(s, windowAt(1), ds, 0).verdict?.state).toBe('CRITICAL');
  });

  it('drops open windows the runtime skipped instead of keeping them forever', () => {
    const engine = new ContractEngine();
    let s = feed(engine, engine.initialState(ds), range(0, 30), 0);
    s = feed(engine, s, range(100, 30), 1);
    s = feed(engine, s, range(200, 30), 2);
    const v = engine.closeWindow(s, windowAt(2), ds, 0).verdict;
    expect(v?.metrics.stale_windows_dropped).toBe(2);
    expect(v?.metrics.records).toBe(30);
    expect(Object.keys((s as unknown as ContractEngineState).open)).toEqual([]);
  });

  it('never throws on malformed evidence and reports how much it skipped', () => {
    const engine = new ContractEngine();
    let s = engine.initialState(ds);
    const w = windowAt(0);
    const odd: unknown[] = [
      null,
      undefined,
      42,
      'evidence',
      [],
      {},
      { result: 'MAYBE' },
      { ...evidence({ i: 1 }), result: undefined },
      {
        ...evidence({ i: 2, contractCodes: MISSING }),
        gates: 'G4',
        reason_codes: [1, 'MISSING_FIELD:x'],
      },
      { ...evidence({ i: 3 }), producer: null, event_time: 'yesterday', sample_weight: -5 },
      {
        ...evidence({ i: 4, contractCodes: MISSING }),
        gates: [null, { gate: 'G4' }, { gate: 'G4', result: 'FAIL', reason_codes: 'x' }],
      },
      { ...evidence({ i: 5, contractCodes: MISSING }), dataset_urn: 7 },
      { ...evidence({ i: 6, contractCodes: ['MISSING_FIELD:\ud800'] }) },
    ];
    for (const item of odd) {
      expect(() => (s = engine.observe(s, item as Evidence, Number.NaN, w, ds))).not.toThrow();
    }
    expect(() => engine.observe(null, evidence({ i: 9 }), 1, w, ds)).not.toThrow();
    const v = engine.closeWindow(s, w, ds, 0).verdict;
    expect(v?.metrics.skipped_evidence).toBe(8);
    // The five readable ones (four of them failing) were counted with weight 1.
    expect(v?.metrics.evidence_count).toBe(5);
    expect(v?.metrics.records_failed).toBe(4);
    expect((s as unknown as ContractEngineState).skippedTotal).toBe(8);
  });

  it('keeps plain-JSON state that survives a persistence round trip mid-window', () => {
    const engine = new ContractEngine();
    const specs = [
      ...range(0, 400),
      ...range(400, 100, { version: '1.4.3', contractCodes: MISSING }),
    ].map((spec) => ({ ...spec, time: windowAt(0).start + spec.i * 500 }));
    const direct = feed(engine, engine.initialState(ds), specs);
    let viaJson = engine.initialState(ds);
    for (const [k, spec] of specs.entries()) {
      viaJson = feed(engine, viaJson, [spec]);
      if (k % 97 === 0) viaJson = JSON.parse(JSON.stringify(viaJson)) as JsonValue;
    }
    const a = engine.closeWindow(
      JSON.parse(JSON.stringify(direct)) as JsonValue,
      windowAt(0),
      ds,
      0,
    );
    const b = engine.closeWindow(viaJson, windowAt(0), ds, 0);
    expect(b.verdict).toEqual(a.verdict);
    expect(JSON.parse(JSON.stringify(b.state))).toEqual(b.state);
    expect(JSON.stringify(a.state).length).toBeLessThan(4096);
  });

  describe('failure signatures', () => {
    function recordingSink(): {
      updates: FailureSignatureUpdate[][];
      submit(u: readonly FailureSignatureUpdate[]): void;
    } {
      const updates: FailureSignatureUpdate[][] = [];
      return { updates, submit: (u) => void updates.push([...u]) };
    }

    it('deduplicates failing records into one signature handed over once at window close', () => {
      const sink = recordingSink();
      const engine = new ContractEngine({ signatureSink: sink });
      let s = feed(engine, engine.initialState(ds), [
        ...range(0, 500),
        ...range(500, 1000, { version: '1.4.3', contractCodes: MISSING }),
        ...range(1500, 10, {
          version: '1.4.3',
          contractCodes: ['TYPE_MISMATCH:amount', 'MISSING_FIELD:customer_id'],
        }),
      ]);
      expect(sink.updates).toHaveLength(0); // nothing per record
      const now = windowAt(0).end + 120_000;
      const v = engine.closeWindow(s, windowAt(0), ds, now).verdict;
      expect(sink.updates).toHaveLength(1);
      const batch = sink.updates[0] ?? [];
      expect(batch).toHaveLength(2);
      const main = batch.find((u) => u.count === 1000);
      expect(main).toMatchObject({
        hash: failureSignatureId({ datasetUrn: URN, failedGates: ['G4'], reasonCodes: MISSING }),
        datasetUrn: URN,
        failedGates: ['G4'],
        reasonCodes: MISSING,
        producer: { service: 'orders-svc', version: '1.4.3' },
        isNew: true,
        firstSeen: windowAt(0).start + 500 * Math.floor(299_000 / 1510),
      });
      expect(v?.failure_signature_ids?.[0]).toBe(main?.hash);
      expect(v?.metrics.new_failure_signatures).toBe(2);
      const multi = batch.find((u) => u.count === 10);
      expect(multi?.reasonCodes).toEqual(['MISSING_FIELD:customer_id', 'TYPE_MISMATCH:amount']);

      // Next window: the same failure again. Not re-sent before the refresh interval…
      s = feed(engine, s, range(3000, 100, { version: '1.4.3', contractCodes: MISSING }), 1);
      engine.closeWindow(s, windowAt(1), ds, now + 300_000);
      expect(sink.updates).toHaveLength(1);
      // …then refreshed once with absolute count and last seen, not as new.
      s = feed(engine, s, range(4000, 100, { version: '1.4.3', contractCodes: MISSING }), 2);
      const v3 = engine.closeWindow(s, windowAt(2), ds, now + 900_000);
      expect(v3.verdict?.metrics.new_failure_signatures).toBe(0);
      expect(sink.updates).toHaveLength(2);
      expect(sink.updates[1]).toEqual([
        expect.objectContaining({
          hash: main?.hash,
          count: 1200,
          isNew: false,
          firstSeen: main?.firstSeen,
        }),
      ]);
      expect(sink.updates[1]?.[0]?.lastSeen).toBeGreaterThan(main?.lastSeen ?? 0);
      // Nothing changed: nothing sent.
      engine.closeWindow(s, windowAt(3), ds, now + 3_600_000);
      expect(sink.updates).toHaveLength(2);
    });

    it('survives a throwing sink and hands the signature over at the next close', () => {
      let calls = 0;
      const seen: FailureSignatureUpdate[] = [];
      const engine = new ContractEngine({
        signatureSink: {
          submit(u) {
            calls += 1;
            if (calls === 1) throw new Error('graph down');
            seen.push(...u);
          },
        },
      });
      const s = feed(engine, engine.initialState(ds), range(0, 30, { contractCodes: MISSING }));
      expect(() => engine.closeWindow(s, windowAt(0), ds, 1)).not.toThrow();
      expect(engine.sinkFailures).toBe(1);
      engine.closeWindow(s, windowAt(1), ds, 2);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.isNew).toBe(true);
    });

    it('bounds the signatures remembered per dataset', () => {
      const engine = new ContractEngine({ maxSignaturesPerDataset: 5 });
      const specs = Array.from({ length: 12 }, (_, k) => ({
        i: k,
        contractCodes: [`MISSING_FIELD:f${k}`],
      }));
      const s = feed(engine, engine.initialState(ds), specs);
      engine.closeWindow(s, windowAt(0), ds, 0);
      const kept = Object.values((s as unknown as ContractEngineState).signatures);
      expect(kept).toHaveLength(5);
      expect(kept.map((e) => e.reasonCodes[0]).sort()).toEqual([
        'MISSING_FIELD:f10',
        'MISSING_FIELD:f11',
        'MISSING_FIELD:f7',
        'MISSING_FIELD:f8',
        'MISSING_FIELD:f9',
      ]);
    });

    it('uses only the failing gates for the signature (a WARN identity gate does not split it)', () => {
      const engine = new ContractEngine();
      const s = feed(engine, engine.initialState(ds), [
        ...range(0, 10, { contractCodes: MISSING }),
        ...range(10, 10, { contractCodes: MISSING, identityWarn: true }),
      ]);
      const v = engine.closeWindow(s, windowAt(0), ds, 0).verdict;
      expect(v?.failure_signature_ids).toHaveLength(1);
      expect(v?.metrics.records_failed).toBe(20);
    });
  });

  it('pages on a trickle of PII (zero tolerance) while the compliance ratio is fine, unless told otherwise', () => {
    const specs = [
      ...range(0, 398),
      { i: 398, piiCodes: ['PII_DETECTED:ssn:notes'] },
      { i: 399, piiCodes: ['PII_DETECTED:ssn:notes'] },
    ];
    const engine = new ContractEngine();
    const v = engine.closeWindow(
      feed(engine, engine.initialState(ds), specs),
      windowAt(0),
      ds,
      windowAt(0).end + 120_000,
    ).verdict;
    expect(v?.metrics.compliance).toBe(0.995);
    expect(v?.state).toBe('CRITICAL');
    expect(v?.reason).toMatch(
      /2 failing records carry PII_DETECTED:ssn:notes, which has zero tolerance/,
    );
    expect(v?.first_bad).toBeDefined();
    const lenient = new ContractEngine({ zeroToleranceReasonCodes: [] });
    const ok = lenient.closeWindow(
      feed(lenient, lenient.initialState(ds), specs),
      windowAt(0),
      ds,
      windowAt(0).end + 120_000,
    ).verdict;
    expect(ok?.state).toBe('OK');
    expect(() => new ContractEngine({ zeroToleranceReasonCodes: [''] })).toThrow(
      /zeroToleranceReasonCodes/,
    );
  });

  it('validates options and names every problem', () => {
    expect(
      () =>
        new ContractEngine({
          warningMargin: 2,
          minRecords: -1,
          producerCompliance: 'x' as 'judge',
        }),
    ).toThrow(/warningMargin.*minRecords.*producerCompliance/);
    try {
      new ContractEngine({ signatureSink: {} as never, maxPooledWindows: 0 });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe('SF_ERR_ENGINES_OPTIONS_INVALID');
      expect((error as { details?: { problems?: unknown[] } }).details?.problems).toHaveLength(2);
    }
  });

  it('keeps T0 fixtures in the expected window', () => {
    expect(windowAt(0).start).toBe(T0);
  });
});
