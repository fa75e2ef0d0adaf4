import { shapeFingerprint, type Evidence, type JsonValue } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import {
  datasetContext,
  evidence,
  orderRecord,
  windowAt,
  type EvidenceSpec,
} from '../contract/evidence-fixtures.test-data';
import type { Verdict } from '../runtime/signal-engine';
import { createSchemaDriftEngine, SchemaDriftEngine } from './schema-drift-engine';
import type { DriftEngineState } from './types';

const ds = datasetContext();

function run(
  engine: SchemaDriftEngine,
  state: JsonValue,
  windowIndex: number,
  specs: EvidenceSpec[],
): { state: JsonValue; verdict: Verdict | undefined } {
  const window = windowAt(windowIndex);
  const step = Math.floor(290_000 / Math.max(1, specs.length));
  let s = state;
  for (const [k, spec] of specs.entries()) {
    const ev = evidence({ ...spec, time: spec.time ?? window.start + k * step });
    s = engine.observe(s, ev, ev.sample_weight, window, ds);
  }
  const out = engine.closeWindow(s, window, ds, window.end + 120_000);
  return { state: out.state, verdict: out.verdict };
}

const range = (
  from: number,
  count: number,
  make: (i: number) => Omit<EvidenceSpec, 'i'> = () => ({}),
): EvidenceSpec[] => Array.from({ length: count }, (_, k) => ({ ...make(from + k), i: from + k }));

/** An engine with a learned baseline of 100 order records. */
function learned(options: ConstructorParameters<typeof SchemaDriftEngine>[0] = {}): {
  engine: SchemaDriftEngine;
  state: JsonValue;
  baselineFp: string;
} {
  const engine = new SchemaDriftEngine(options);
  const first = run(engine, engine.initialState(ds), 0, range(0, 100));
  expect(first.verdict?.state).toBe('OK');
  expect(first.verdict?.metrics.learning).toBe('true');
  return { engine, state: first.state, baselineFp: shapeFingerprint(orderRecord(0)) };
}

const withoutCustomer = (i: number): Record<string, unknown> => {
  const { customer_id: _drop, ...rest } = orderRecord(i);
  return rest;
};

describe('SchemaDriftEngine', () => {
  it('exposes type, group and id', () => {
    const engine = createSchemaDriftEngine();
    expect(engine.type).toBe('SCHEMA_DRIFT');
    expect(engine.group).toBe('drift');
    expect(engine.id).toBe('schema-drift@0.1.0');
  });

  it('learns the baseline and stays OK while shapes do not change', () => {
    const { engine, state } = learned();
    const v = run(engine, state, 1, range(100, 200)).verdict;
    expect(v?.state).toBe('OK');
    expect(v?.metrics.learning).toBe('false');
    expect(v?.metrics.baseline_fingerprints).toBe(1);
    expect(v?.metrics.drift_records).toBe(0);
    expect(v?.last_good?.offset).toBe('299');
  });

  it('goes CRITICAL when a required field is dropped (contract MISSING_FIELD), with last_good and first_bad', () => {
    const { engine, state, baselineFp } = learned();
    const specs = [
      ...range(100, 50),
      ...range(150, 50, (i) => ({
        version: '1.4.3',
        record: withoutCustomer(i),
        contractCodes: ['MISSING_FIELD:customer_id'],
        schemaCodes: ['SCHEMA_DRIFT'],
      })),
    ];
    const v = run(engine, state, 1, specs).verdict;
    expect(v?.state).toBe('CRITICAL');
    expect(v?.metrics.drift_kind).toBe('breaking');
    expect(v?.metrics.breaking_reason_codes).toBe('MISSING_FIELD:customer_id');
    expect(v?.metrics.removed_fields).toBe('customer_id');
    const badFp = shapeFingerprint(withoutCustomer(150));
    expect(v?.first_bad).toMatchObject({
      offset: '150',
      fingerprint: badFp,
      topic: 'orders.created',
    });
    expect(v?.last_good).toMatchObject({ offset: '149', fingerprint: baselineFp });
    expect(v?.metrics.first_bad_fingerprint).toBe(badFp);
    expect(v?.metrics.last_good_fingerprint).toBe(baselineFp);
    expect(Date.parse(String(v?.metrics.last_good_time))).toBeLessThan(
      Date.parse(String(v?.metrics.first_bad_time)),
    );
    expect(v?.producer).toEqual({ service: 'orders-svc', version: '1.4.3' });
    expect(v?.reason).toMatch(/^Breaking schema drift from orders-svc@1\.4\.3/);
  });

  it('leaves a few nulls in a required field to the compliance SLO, and pages once they pass it', () => {
    const nullCustomer = (i: number) => ({
      version: '1.4.3',
      record: { ...orderRecord(i), customer_id: null },
      contractCodes: ['NULL_VIOLATION:customer_id'],
      schemaCodes: ['SCHEMA_DRIFT'],
    });
    // 3 % nulls: within what compliance_min 0.95 tolerates — drift of unknown impact, no page
    const few = learned();
    const within = run(few.engine, few.state, 1, [
      ...range(100, 97),
      ...range(197, 3, nullCustomer),
    ]).verdict;
    expect(within?.state).toBe('WARNING');
    expect(within?.metrics.drift_kind).toBe('unknown');
    // 30 %: breaking
    const many = learned();
    const past = run(many.engine, many.state, 1, [
      ...range(100, 70),
      ...range(170, 30, nullCustomer),
    ]).verdict;
    expect(past?.state).toBe('CRITICAL');
    expect(past?.metrics.drift_kind).toBe('breaking');
    expect(past?.failure_signature_ids).toHaveLength(1);
  });

  it('goes CRITICAL on a type change without any contract, from the record samples', () => {
    const { engine, state } = learned();
    const retyped = (i: number) => ({ ...orderRecord(i), amount: String(orderRecord(i).amount) });
    const v = run(
      engine,
      state,
      1,
      range(100, 30, (i) => ({ record: retyped(i), contractResult: 'SKIP' })),
    ).verdict;
    expect(v?.state).toBe('CRITICAL');
    expect(v?.metrics.classified_by).toBe('shape');
    expect(v?.metrics.retyped_fields).toBe('amount:string');
  });

  it('without a contract, calls a field every record had that a deploy drops breaking, and a rare record lacking it unknown', () => {
    const { engine, state } = learned();
    const deploy = run(engine, state, 1, [
      ...range(100, 10),
      ...range(110, 90, (i) => ({ record: withoutCustomer(i), contractResult: 'SKIP' })),
    ]).verdict;
    expect(deploy?.state).toBe('CRITICAL');
    expect(deploy?.metrics.classified_by).toBe('shape');
    expect(deploy?.metrics.removed_fields).toBe('customer_id');

    const other = learned();
    const rare = run(other.engine, other.state, 1, [
      ...range(100, 95),
      ...range(195, 5, (i) => ({ record: withoutCustomer(i), contractResult: 'SKIP' })),
    ]).verdict;
    expect(rare?.state).toBe('WARNING');
    expect(rare?.metrics.drift_kind).toBe('unknown');
  });

  it('trusts the contract about optional fields: a missing field the contract allows is additive', () => {
    const { engine, state } = learned();
    const v = run(
      engine,
      state,
      1,
      range(100, 100, (i) => ({ record: withoutCustomer(i) })),
    ).verdict;
    expect(v?.metrics.drift_kind).toBe('additive');
    expect(v?.state).toBe('WARNING');
  });

  it('does not hold a sidecar drift flag against a shape while learning unless the contract breaks', () => {
    const engine = new SchemaDriftEngine();
    const withNote = (i: number) => ({ ...orderRecord(i), note: `n${i}` });
    const v = run(engine, engine.initialState(ds), 0, [
      ...range(0, 50),
      ...range(50, 50, (i) => ({
        record: withNote(i),
        schemaCodes: i === 50 ? ['SCHEMA_DRIFT'] : [],
      })),
    ]).verdict;
    expect(v?.state).toBe('OK');
    expect(v?.metrics.baseline_fingerprints).toBe(2);
  });

  it('treats a new field with varied values in an observe-mode dataset as additive: WARNING, never CRITICAL', () => {
    const { engine, state } = learned();
    // A new optional field whose values vary in type and structure: every variant is a new fingerprint.
    const variants = [
      (i: number) => `promo-${i}`,
      () => null,
      (i: number) => i,
      (i: number) => ({ code: `p${i}`, pct: i % 30 }),
      (i: number) => ({ [`k${i % 5}`]: true }),
      (i: number) => [i, i + 1],
    ];
    const promo = (i: number) => ({
      ...orderRecord(i),
      promo: (variants[i % variants.length] as (n: number) => unknown)(i),
    });
    let s = state;
    for (let w = 1; w <= 6; w++) {
      const out = run(
        engine,
        s,
        w,
        range(w * 1000, 300, (i) => ({
          record: promo(i),
          schemaCodes: i % 50 === 0 ? ['SCHEMA_DRIFT'] : [],
          enforcement: 'observe',
        })),
      );
      s = out.state;
      expect(out.verdict?.state).toBe('WARNING');
      expect(out.verdict?.metrics.drift_kind).toBe('additive');
      expect(String(out.verdict?.metrics.added_fields)).toMatch(/^promo/);
    }
    // Without samples, the contract's verdict (PASS: an open contract allows the field) decides.
    const noSample = learned();
    const v = run(
      noSample.engine,
      noSample.state,
      1,
      range(100, 300, (i) => ({ record: promo(i), withSample: false })),
    ).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.drift_kind).toBe('additive');
    expect(v?.metrics.classified_by).toBe('contract');
  });

  it('classifies a closed contract reporting UNKNOWN_FIELD as additive', () => {
    const { engine, state } = learned();
    const v = run(
      engine,
      state,
      1,
      range(100, 100, (i) => ({
        record: { ...orderRecord(i), channel: 'web' },
        contractCodes: ['UNKNOWN_FIELD:channel'],
        withSample: false,
      })),
    ).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.drift_kind).toBe('additive');
    expect(v?.metrics.unknown_field_codes).toBe('UNKNOWN_FIELD:channel');
  });

  it('can report additive drift as OK-with-note and accepts additive shapes after a while', () => {
    const { engine, state } = learned({ additiveState: 'OK', acceptAdditiveAfterMs: 12 * 60_000 });
    const extra = (i: number) => ({ ...orderRecord(i), channel: 'web' });
    const a = run(
      engine,
      state,
      1,
      range(100, 50, (i) => ({ record: extra(i) })),
    );
    expect(a.verdict?.state).toBe('OK');
    expect(a.verdict?.metrics.drift_kind).toBe('additive');
    const b = run(
      engine,
      a.state,
      2,
      range(200, 50, (i) => ({ record: extra(i) })),
    );
    expect(b.verdict?.metrics.drift_kind).toBe('additive');
    const c = run(
      engine,
      b.state,
      3,
      range(300, 50, (i) => ({ record: extra(i) })),
    );
    expect(c.verdict?.metrics.drifted_fingerprints).toBe(0);
    expect(c.verdict?.metrics.accepted_fingerprints).toBe(1);
    const d = run(
      engine,
      c.state,
      4,
      range(400, 50, (i) => ({ record: extra(i) })),
    );
    expect(d.verdict?.state).toBe('OK');
    expect(d.verdict?.metrics.drift_kind).toBeUndefined();
    expect(d.verdict?.metrics.baseline_fingerprints).toBe(2);
  });

  it('returns to OK after a rollback and keeps first_bad stable while the drift lasts', () => {
    const { engine, state } = learned();
    const bad = (i: number): Omit<EvidenceSpec, 'i'> => ({
      record: withoutCustomer(i),
      contractCodes: ['MISSING_FIELD:customer_id'],
    });
    const a = run(engine, state, 1, range(100, 40, bad));
    const b = run(engine, a.state, 2, range(200, 40, bad));
    expect(b.verdict?.state).toBe('CRITICAL');
    expect(b.verdict?.first_bad).toEqual(a.verdict?.first_bad);
    const c = run(engine, b.state, 3, range(300, 40));
    expect(c.verdict?.state).toBe('OK');
  });

  it('points first_bad, last_good and the producer at a re-introduction after a rollback', () => {
    const { engine, state } = learned();
    const bad =
      (version: string) =>
      (i: number): Omit<EvidenceSpec, 'i'> => ({
        version,
        record: withoutCustomer(i),
        contractCodes: ['MISSING_FIELD:customer_id'],
      });
    const a = run(engine, state, 1, range(100, 40, bad('1.4.3')));
    expect(a.verdict?.first_bad).toMatchObject({ offset: '100' });
    let s = run(engine, a.state, 2, range(200, 40)).state; // rolled back
    s = run(engine, s, 3, range(300, 40)).state;
    const again = run(engine, s, 4, [...range(400, 10), ...range(410, 30, bad('1.4.4'))]);
    expect(again.verdict?.state).toBe('CRITICAL');
    expect(again.verdict?.first_bad).toMatchObject({ offset: '410' });
    expect(again.verdict?.last_good).toMatchObject({ offset: '409' });
    expect(again.verdict?.producer).toEqual({ service: 'orders-svc', version: '1.4.4' });
  });

  it('does not page on a couple of records with a breaking shape', () => {
    const { engine, state } = learned();
    const v = run(engine, state, 1, [
      ...range(100, 100),
      ...range(200, 2, (i) => ({
        record: withoutCustomer(i),
        contractCodes: ['MISSING_FIELD:customer_id'],
      })),
    ]).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.drift_kind).toBe('breaking');
    expect(v?.reason).toContain('CRITICAL from 5');
  });

  it('absorbs a new mix of known optional fields without reporting drift', () => {
    const engine = new SchemaDriftEngine();
    const withNote = (i: number) => ({ ...orderRecord(i), note: `n${i}` });
    // Learn with and without the optional `note`.
    const a = run(
      engine,
      engine.initialState(ds),
      0,
      range(0, 100, (i) => (i % 2 === 0 ? { record: withNote(i) } : {})),
    );
    // Now a record with `note` set to another known type mix: note present and coupon-free, items empty.
    const emptyItems = (i: number) => ({ ...withNote(i), items: [] });
    const v = run(
      engine,
      a.state,
      1,
      range(100, 50, (i) => ({ record: emptyItems(i) })),
    ).verdict;
    expect(v?.state).toBe('OK');
    expect(v?.metrics.drifted_fingerprints).toBe(0);
    expect(v?.metrics.baseline_records).toBe(50);
  });

  it('does not count contract failures the baseline already has as breaking', () => {
    const engine = new SchemaDriftEngine();
    // The contract says `customer_email` is required; the producer never sends it (a standing failure).
    const base = run(
      engine,
      engine.initialState(ds),
      0,
      range(0, 100, () => ({ contractCodes: ['MISSING_FIELD:customer_email'] })),
    );
    const v = run(
      engine,
      base.state,
      1,
      range(100, 100, (i) => ({
        record: { ...orderRecord(i), channel: 'web' },
        contractCodes: ['MISSING_FIELD:customer_email'],
        withSample: false,
      })),
    ).verdict;
    expect(v?.metrics.drift_kind).toBe('additive');
    expect(v?.state).toBe('WARNING');
  });

  it('does not call a value-level TYPE_MISMATCH on a few records of a new shape breaking', () => {
    const { engine, state } = learned();
    const v = run(
      engine,
      state,
      1,
      range(100, 100, (i) => ({
        record: { ...orderRecord(i), channel: 'web' },
        withSample: false,
        ...(i % 20 === 0 ? { contractCodes: ['TYPE_MISMATCH:amount'] } : {}),
      })),
    ).verdict;
    expect(v?.metrics.drift_kind).toBe('additive');
    expect(v?.state).toBe('WARNING');
  });

  it('calls a field that only became nullable, without a contract, of unknown impact (WARNING)', () => {
    const { engine, state } = learned();
    const v = run(
      engine,
      state,
      1,
      range(100, 50, (i) => ({
        record: { ...orderRecord(i), currency: null },
        contractResult: 'SKIP',
      })),
    ).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.drift_kind).toBe('unknown');
    expect(v?.metrics.retyped_fields).toBe('currency:null');
  });

  it('reports drift it cannot classify (no contract, no sample) as WARNING', () => {
    const { engine, state } = learned();
    const v = run(
      engine,
      state,
      1,
      range(100, 50, (i) => ({
        record: withoutCustomer(i),
        withSample: false,
        contractResult: 'SKIP',
      })),
    ).verdict;
    expect(v?.state).toBe('WARNING');
    expect(v?.metrics.drift_kind).toBe('unknown');
    expect(v?.metrics.classified_by).toBe('none');
  });

  it('uses registered fingerprints as the baseline when known', () => {
    const registered = shapeFingerprint(orderRecord(0));
    const engine = new SchemaDriftEngine({
      expectedFingerprints: (urn) => (urn === ds.urn ? [registered] : undefined),
    });
    const v = run(engine, engine.initialState(ds), 0, [
      ...range(0, 50),
      ...range(50, 50, (i) => ({
        record: withoutCustomer(i),
        contractCodes: ['MISSING_FIELD:customer_id'],
      })),
    ]).verdict;
    expect(v?.metrics.baseline_source).toBe('registered');
    expect(v?.metrics.learning).toBe('false');
    expect(v?.state).toBe('CRITICAL');
    expect(v?.expected).toEqual({ values: [registered] });
  });

  it('treats shapes the sidecar flags as drift as candidates even while learning', () => {
    const engine = new SchemaDriftEngine();
    const v = run(engine, engine.initialState(ds), 0, [
      ...range(0, 50),
      ...range(50, 50, (i) => ({
        record: withoutCustomer(i),
        schemaCodes: ['SCHEMA_DRIFT'],
        contractCodes: ['MISSING_FIELD:customer_id'],
      })),
    ]).verdict;
    expect(v?.state).toBe('CRITICAL');
  });

  it('never throws on malformed evidence and counts it', () => {
    const engine = new SchemaDriftEngine();
    let s = engine.initialState(ds);
    const w = windowAt(0);
    const odd: unknown[] = [
      null,
      7,
      'x',
      { schema_fingerprint: 42 },
      { ...evidence({ i: 1 }), schema_fingerprint: 'md5:abc' },
      { ...evidence({ i: 2 }), gates: {}, sample: 'not-an-object' },
      { ...evidence({ i: 3 }), sample: { deep: [[[[]]]] } },
      { ...evidence({ i: 4 }), event_time: 12, producer: 'me' },
    ];
    for (const item of odd)
      expect(() => (s = engine.observe(s, item as Evidence, Number.NaN, w, ds))).not.toThrow();
    expect(() => engine.observe({ v: 2 }, evidence({ i: 9 }), 1, w, ds)).not.toThrow();
    const v = engine.closeWindow(s, w, ds, w.end).verdict;
    expect(v?.metrics.skipped_evidence).toBe(3);
    expect(v?.metrics.evidence_without_fingerprint).toBe(2);
    expect(v?.state).toBe('OK');
  });

  it('keeps small plain-JSON state that survives a persistence round trip', () => {
    const { engine, state } = learned();
    const specs = range(100, 60, (i) => ({
      record: i % 2 ? withoutCustomer(i) : orderRecord(i),
      contractCodes: i % 2 ? ['MISSING_FIELD:customer_id'] : [],
    }));
    const window = windowAt(1);
    let direct = state;
    let viaJson = JSON.parse(JSON.stringify(state)) as JsonValue;
    for (const [k, spec] of specs.entries()) {
      const ev = evidence({ ...spec, time: window.start + k * 1000 });
      direct = engine.observe(direct, ev, 1, window, ds);
      viaJson = JSON.parse(JSON.stringify(engine.observe(viaJson, ev, 1, window, ds))) as JsonValue;
    }
    const a = engine.closeWindow(direct, window, ds, 0);
    const b = engine.closeWindow(viaJson, window, ds, 0);
    expect(b.verdict).toEqual(a.verdict);
    expect(JSON.stringify(a.state).length).toBeLessThan(4096);
    expect((a.state as unknown as DriftEngineState).v).toBe(1);
  });

  it('validates options and names every problem', () => {
    expect(
      () =>
        new SchemaDriftEngine({
          additiveState: 'CRITICAL' as 'OK',
          maxCandidates: 0,
          expectedFingerprints: 'x' as never,
        }),
    ).toThrow(/expectedFingerprints.*additiveState.*maxCandidates/);
  });
});
