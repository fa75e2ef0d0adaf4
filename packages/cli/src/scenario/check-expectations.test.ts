import type { Incident, Signal } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import {
  causesFor,
  checkExpectations,
  latestIncidents,
  type ObservedRca,
} from './check-expectations';
import { scenarioFrom } from './testing/build-scenario';

const START = Date.parse('2026-01-15T09:00:00Z');
const MIN = 60_000;
const iso = (offsetMin: number): string => new Date(START + offsetMin * MIN).toISOString();

const STEEL = scenarioFrom(`name: steel
start: 2026-01-15T09:00:00Z
duration: 75m
seed: 7
datasets:
  - { urn: "urn:dp:orders:created", topic: raw.orders.events, producer: orders-svc, tier: 1 }
  - { urn: "urn:dp:payments:settled", topic: payments, producer: payments-svc }
services:
  - { name: orders-svc, version: "3.16" }
  - { name: payments-svc, version: "1.0" }
traffic:
  - { dataset: "urn:dp:orders:created", rate: 250/min, record: { id: uuid } }
deployments:
  - { at: "+58m", service: orders-svc, version: "3.17", commit: 9f31c2d, effect: { drop_fields: [customer_id] } }
  - { at: "+30m", service: payments-svc, version: "1.1" }
faults:
  - { at: "+10m", dataset: "urn:dp:payments:settled", kind: stall, for: 5m }
expect:
  signals:
    - { type: CONTRACT, dataset: urn:dp:orders:created, state: CRITICAL, within: 7m }
    - { type: FRESHNESS, dataset: urn:dp:payments:settled }
  incidents:
    - { severity: SEV-1, datasets: [urn:dp:orders:created] }
  incident_count: 1
  rca:
    root_cause: { service: orders-svc, version: "3.17" }
    confidence: HIGH
    first_bad_after: "+58m"
    blast_radius_includes: [finance-pipeline, analytics-dashboard]
    reason_codes_include: ["MISSING_FIELD:customer_id"]
`);

function signal(
  over: Partial<Signal> & Pick<Signal, 'signal_type' | 'dataset_urn' | 'state' | 'emitted_at'>,
): Signal {
  return {
    schema_version: 'signal/v1',
    signal_id: `sig-${Math.random().toString(36).slice(2)}`,
    metrics: {},
    failure_signature_ids: [],
    reason: 'test',
    engine: 'test@1',
    defaults_applied: [],
    ...over,
  };
}

function incident(
  id: string,
  severity: Incident['severity'],
  datasets: string[],
  updated = iso(60),
): Incident {
  return {
    schema_version: 'incident/v1',
    incident_id: id,
    status: 'OPEN',
    severity,
    title: 't',
    dataset_urns: datasets,
    signal_ids: ['s'],
    probable_cause: { kind: 'deployment' },
    opened_at: iso(60),
    updated_at: updated,
  };
}

const GOOD_RCA: ObservedRca = {
  incidentId: 'inc-1',
  rootCause: { kind: 'deployment', service: 'orders-svc', version: '3.17', commit: '9f31c2d4e5' },
  confidence: 'HIGH',
  firstBad: iso(58.05),
  blastRadius: ['finance-pipeline', 'analytics-dashboard', 'urn:dp:finance:revenue-daily'],
  reasonCodes: ['MISSING_FIELD:customer_id'],
};

const GOOD = {
  signals: [
    signal({
      signal_type: 'CONTRACT',
      dataset_urn: 'urn:dp:orders:created',
      state: 'OK',
      emitted_at: iso(30),
    }),
    signal({
      signal_type: 'CONTRACT',
      dataset_urn: 'urn:dp:orders:created',
      state: 'CRITICAL',
      emitted_at: iso(62),
    }),
    signal({
      signal_type: 'FRESHNESS',
      dataset_urn: 'urn:dp:payments:settled',
      state: 'WARNING',
      emitted_at: iso(14),
    }),
  ],
  incidents: [
    incident('inc-1', 'SEV-1', ['urn:dp:orders:created'], iso(61)),
    incident('inc-1', 'SEV-1', ['urn:dp:orders:created'], iso(63)),
  ],
  rca: [GOOD_RCA],
};

describe('checkExpectations', () => {
  it('passes a run that meets every expectation, with readable strings', () => {
    const results = checkExpectations(STEEL, GOOD);
    expect(results.map((r) => [r.expectation, r.passed])).toEqual([
      ['signals[0]: CONTRACT CRITICAL on urn:dp:orders:created within 7m', true],
      ['signals[1]: FRESHNESS WARNING|CRITICAL on urn:dp:payments:settled', true],
      ['incidents[0]: SEV-1 incident covering urn:dp:orders:created', true],
      ['incident_count: 1', true],
      ['rca.root_cause: orders-svc 3.17', true],
      ['rca.confidence: HIGH', true],
      ['rca.first_bad_after: +58m (2026-01-15T09:58:00.000Z)', true],
      ['rca.blast_radius_includes: finance-pipeline, analytics-dashboard', true],
      ['rca.reason_codes_include: MISSING_FIELD:customer_id', true],
    ]);
    expect(results[0]?.actual).toBe(
      'CONTRACT CRITICAL at +1h2m, 4m after deployment orders-svc 3.17 at +58m',
    );
    expect(results[3]?.actual).toMatch(/^1 /);
  });

  it('measures within from the latest relevant cause before the signal', () => {
    const late = {
      ...GOOD,
      signals: [
        signal({
          signal_type: 'CONTRACT',
          dataset_urn: 'urn:dp:orders:created',
          state: 'CRITICAL',
          emitted_at: iso(66),
        }),
      ],
    };
    const r = checkExpectations(STEEL, late)[0]!;
    expect(r.passed).toBe(false);
    expect(r.actual).toBe('too late: first at +1h6m, 8m after deployment orders-svc 3.17 at +58m');
    // The payments deployment at +30m is not a cause for orders: a signal at +35m has no cause.
    const early = {
      ...GOOD,
      signals: [
        signal({
          signal_type: 'CONTRACT',
          dataset_urn: 'urn:dp:orders:created',
          state: 'CRITICAL',
          emitted_at: iso(35),
        }),
      ],
    };
    expect(checkExpectations(STEEL, early)[0]?.actual).toMatch(/no deployment or fault precedes/);
    expect(causesFor(STEEL, 'urn:dp:payments:settled').map((c) => c.label)).toEqual([
      'stall fault at +10m',
      'deployment payments-svc 1.1 at +30m',
    ]);
  });

  it('fails signals of the wrong state, type or dataset and says what was seen', () => {
    const observed = {
      ...GOOD,
      signals: [
        signal({
          signal_type: 'CONTRACT',
          dataset_urn: 'urn:dp:orders:created',
          state: 'WARNING',
          emitted_at: iso(60),
        }),
        signal({
          signal_type: 'VOLUME',
          dataset_urn: 'urn:dp:orders:created',
          state: 'CRITICAL',
          emitted_at: iso(60),
        }),
      ],
    };
    const [contract, freshness] = checkExpectations(STEEL, observed);
    expect(contract).toMatchObject({
      passed: false,
      actual: 'CONTRACT signals on urn:dp:orders:created were only WARNING',
    });
    expect(freshness?.passed).toBe(false);
    expect(freshness?.actual).toMatch(
      /no FRESHNESS signal on urn:dp:payments:settled; non-OK signals seen: .*VOLUME CRITICAL/,
    );
  });

  it('counts distinct incidents and matches each expected incident to a distinct one', () => {
    const two = {
      ...GOOD,
      incidents: [
        incident('a', 'SEV-2', ['urn:dp:orders:created']),
        incident('b', 'SEV-1', ['urn:dp:payments:settled']),
      ],
    };
    const results = checkExpectations(STEEL, two);
    const inc = results.find((r) => r.expectation.startsWith('incidents[0]'));
    expect(inc?.passed).toBe(false);
    expect(inc?.actual).toBe(
      'incidents: SEV-2 [urn:dp:orders:created]; SEV-1 [urn:dp:payments:settled]',
    );
    const count = results.find((r) => r.expectation === 'incident_count: 1');
    expect(count?.passed).toBe(false);
    expect(count?.actual).toMatch(/^2 /);
    expect(latestIncidents(GOOD.incidents)).toHaveLength(1);
    expect(latestIncidents(GOOD.incidents)[0]?.updated_at).toBe(iso(63));

    const s = scenarioFrom(`name: two
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets: [{ urn: "urn:dp:a:b", topic: t }, { urn: "urn:dp:a:c", topic: u }]
expect:
  incidents:
    - { datasets: [urn:dp:a:b] }
    - { severity: SEV-1, datasets: [urn:dp:a:b, urn:dp:a:c] }
`);
    // The first observed incident fits both expectations; only the assignment a→0, b→1 works.
    const observed = {
      signals: [],
      rca: [],
      incidents: [
        incident('x', 'SEV-1', ['urn:dp:a:b', 'urn:dp:a:c']),
        incident('y', 'SEV-3', ['urn:dp:a:b']),
      ],
    };
    expect(checkExpectations(s, observed).map((r) => r.passed)).toEqual([true, true]);
    expect(
      checkExpectations(s, { ...observed, incidents: [observed.incidents[0]!] }).map(
        (r) => r.passed,
      ),
    ).toEqual([true, false]);
  });

  it('passes incident_count: 0 only when nothing opened', () => {
    const quiet = scenarioFrom(`name: quiet
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets: [{ urn: "urn:dp:a:b", topic: t }]
expect: { incident_count: 0 }
`);
    expect(checkExpectations(quiet, { signals: [], incidents: [], rca: [] })).toEqual([
      { expectation: 'incident_count: 0', passed: true, actual: '0' },
    ]);
    expect(
      checkExpectations(quiet, {
        signals: [],
        incidents: [incident('z', 'SEV-3', ['urn:dp:a:b'])],
        rca: [],
      })[0],
    ).toMatchObject({
      passed: false,
      actual: '1 (SEV-3 [urn:dp:a:b])',
    });
  });

  it('fails every rca sub-check when no report exists, and each one that differs', () => {
    const none = checkExpectations(STEEL, { ...GOOD, rca: [] }).filter((r) =>
      r.expectation.startsWith('rca'),
    );
    expect(none).toHaveLength(5);
    expect(none.every((r) => !r.passed && r.actual === 'no RCA report')).toBe(true);

    const wrong: ObservedRca = {
      incidentId: 'inc-1',
      rootCause: { kind: 'deployment', service: 'orders-svc', version: '3.16' },
      confidence: 'MEDIUM',
      firstBad: START + 50 * MIN,
      blastRadius: ['finance-pipeline'],
      reasonCodes: ['TYPE_MISMATCH:amount'],
    };
    const results = Object.fromEntries(
      checkExpectations(STEEL, { ...GOOD, rca: [wrong] })
        .filter((r) => r.expectation.startsWith('rca'))
        .map((r) => [r.expectation.split(':')[0], r]),
    );
    expect(results['rca.root_cause']).toMatchObject({
      passed: false,
      actual: 'deployment orders-svc 3.16 (report for inc-1)',
    });
    expect(results['rca.confidence']).toMatchObject({
      passed: false,
      actual: 'MEDIUM (report for inc-1)',
    });
    expect(results['rca.first_bad_after']?.passed).toBe(false);
    expect(results['rca.first_bad_after']?.actual).toMatch(/^\+50m/);
    expect(results['rca.blast_radius_includes']).toMatchObject({ passed: false });
    expect(results['rca.blast_radius_includes']?.actual).toMatch(/missing analytics-dashboard/);
    expect(results['rca.reason_codes_include']?.actual).toMatch(
      /missing MISSING_FIELD:customer_id/,
    );
  });

  it('chooses the report whose root cause matches among several', () => {
    const other: ObservedRca = {
      incidentId: 'inc-0',
      rootCause: { kind: 'stall', dataset: 'urn:dp:payments:settled' },
      confidence: 'HIGH',
      blastRadius: [],
      reasonCodes: [],
    };
    const results = checkExpectations(STEEL, { ...GOOD, rca: [other, GOOD_RCA] }).filter((r) =>
      r.expectation.startsWith('rca'),
    );
    expect(results.every((r) => r.passed)).toBe(true);
    expect(results[0]?.actual).toBe(
      'deployment orders-svc 3.17 commit 9f31c2d4e5 (report for inc-1)',
    );
  });

  it('matches root causes by dataset or kind, and no root cause never matches', () => {
    const s = scenarioFrom(`name: stall
start: 2026-01-15T09:00:00Z
duration: 60m
seed: 1
datasets: [{ urn: "urn:dp:a:b", topic: t }]
faults: [{ at: "+10m", dataset: "urn:dp:a:b", kind: stall, for: 30m }]
expect:
  rca:
    - root_cause: { kind: stall }
    - root_cause: { dataset: "urn:dp:a:b" }
`);
    const report: ObservedRca = {
      incidentId: 'i',
      rootCause: { kind: 'stall', dataset: 'urn:dp:a:b' },
      blastRadius: [],
      reasonCodes: [],
    };
    expect(
      checkExpectations(s, { signals: [], incidents: [], rca: [report] }).map((r) => [
        r.expectation,
        r.passed,
      ]),
    ).toEqual([
      ['rca[0].root_cause: stall', true],
      ['rca[1].root_cause: urn:dp:a:b', true],
    ]);
    const unexplained: ObservedRca = { incidentId: 'i', blastRadius: [], reasonCodes: [] };
    expect(
      checkExpectations(s, { signals: [], incidents: [], rca: [unexplained] }).map((r) => [
        r.passed,
        r.actual,
      ]),
    ).toEqual([
      [false, 'none (unexplained) (report for i)'],
      [false, 'none (unexplained) (report for i)'],
    ]);
  });

  it('matches `kind: unexplained` / `kind: unknown` only to a report without a root cause', () => {
    const s = scenarioFrom(`name: unexplained
start: 2026-01-15T09:00:00Z
duration: 60m
seed: 1
datasets: [{ urn: "urn:dp:a:b", topic: t }]
faults: [{ at: "+10m", dataset: "urn:dp:a:b", kind: null_rate, params: { field: x, rate: 0.3 } }]
expect:
  rca:
    - root_cause: { kind: unexplained }
    - root_cause: { kind: unknown }
`);
    const unexplained: ObservedRca = { incidentId: 'i', blastRadius: [], reasonCodes: [] };
    expect(
      checkExpectations(s, { signals: [], incidents: [], rca: [unexplained] }).map((r) => r.passed),
    ).toEqual([true, true]);
    const deployment: ObservedRca = {
      incidentId: 'i',
      rootCause: { kind: 'deployment', service: 'a-svc', version: '1.0' },
      blastRadius: [],
      reasonCodes: [],
    };
    expect(
      checkExpectations(s, { signals: [], incidents: [], rca: [deployment] }).map((r) => [
        r.passed,
        r.actual,
      ]),
    ).toEqual([
      [false, 'deployment a-svc 1.0 (report for i)'],
      [false, 'deployment a-svc 1.0 (report for i)'],
    ]);
  });
});
