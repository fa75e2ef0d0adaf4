import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadScenario, parseScenario, type ParseScenarioResult } from './parse-scenario';
import {
  formatScenarioProblem,
  SCENARIO_PROBLEM_CODES as C,
  type ScenarioProblem,
} from './problems';
import { REPO_SCENARIOS, sharedScenarios } from './testing/paths';
import type { Scenario } from './types';

const CONTRACT = readFileSync(join(REPO_SCENARIOS, 'orders-created.odcs.yaml'), 'utf8');
const readFile = (path: string): string => {
  if (path.endsWith('orders-created.odcs.yaml')) return CONTRACT;
  throw new Error(`ENOENT: no such file ${path}`);
};

function ok(result: ParseScenarioResult): Scenario {
  if (!result.ok) throw new Error(result.problems.map(formatScenarioProblem).join('\n'));
  return result.scenario;
}

function problems(result: ParseScenarioResult): ScenarioProblem[] {
  if (result.ok) throw new Error('expected problems, scenario parsed');
  return result.problems;
}

function find(list: readonly ScenarioProblem[], path: string): ScenarioProblem {
  const p = list.find((x) => x.path === path);
  if (p === undefined)
    throw new Error(`no problem at ${path}; got:\n${list.map(formatScenarioProblem).join('\n')}`);
  return p;
}

const FULL = `name: full-scenario
description: every field of the format
start: 2026-01-15T09:00:00Z
duration: 1h30m
seed: 42
history: 7d
datasets:
  - urn: urn:dp:orders:created
    topic: raw.orders.events
    producer: orders-svc
    identity: header
    tier: 1
    contract: ./orders-created.odcs.yaml
    policy: enforce
    slo:
      freshness_max_delay: 15m
      volume_min_per_hour: 1000
      compliance_min: 0.95
  - urn: urn:dp:payments:settled
    topic: legacy.payments
    identity: topic-pattern
    tier: 2
  - urn: urn:dp:clicks:raw
    topic: clicks
    identity: none
lineage:
  - job: finance-pipeline
    owner: finance-team
    tier: 1
    reads: [urn:dp:orders:created]
    writes: [urn:dp:finance:revenue-daily]
    reads_columns: { urn:dp:orders:created: [customer_id, amount] }
services:
  - name: orders-svc
    version: "3.16"
    owner: orders-team
  - { name: payments-svc, version: "1.0" }
traffic:
  - dataset: urn:dp:orders:created
    rate: 200/min
    daily_profile: [0.2,0.2,0.2,0.2,0.3,0.5,0.8,1,1.2,1.3,1.4,1.5,1.5,1.6,1.5,1.3,1.2,1,0.9,0.7,0.5,0.4,0.3,0.2]
    weekly_profile: [1,1,1,1,1,0.4,0.4]
    record:
      order_id: uuid
      customer_id: { pattern: "C[0-9]{6}" }
      qty: { int: [1, 5] }
      amount: { float: [5, 500] }
      currency: { enum: [EUR, USD, GBP] }
      channel: { const: web }
      email: email
      created_at: event_time
      address: { city: { enum: [Paris, Berlin] }, zip: { pattern: "\\\\d{5}" } }
  - dataset: urn:dp:payments:settled
    rate: 3/s
    record: { id: uuid }
  - dataset: urn:dp:clicks:raw
    rate: 1000/h
    record: { id: uuid }
deployments:
  - at: "+58m"
    service: orders-svc
    version: "3.17"
    commit: 9f31c2d
    effect:
      drop_fields: [customer_id]
      add_fields: { discount_code: { pattern: "SAVE[0-9]{2}" } }
      null_rate: { field: email, rate: 0.15 }
      rate: { multiplier: 0.5 }
      type_change: { field: amount, to: string }
  - at: 2026-01-15T10:20:00Z
    service: orders-svc
    version: "3.18"
faults:
  - at: "+20m"
    dataset: urn:dp:orders:created
    kind: stall
    for: 20m
    params: {}
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: rate, params: { multiplier: 0.5 } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: null_rate, params: { field: id, rate: 0.1 } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: type_change, params: { field: id, to: integer } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: rename_field, params: { from: id, to: payment_id } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: add_fields, params: { note: { const: x } } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: inject_pii, params: { field: notes, pii: credit_card, rate: 0.01 } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: late_events, params: { delay: 10m, rate: 0.3 } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: duplicates, params: { rate: 0.2 } }
  - { at: "+1m", dataset: urn:dp:payments:settled, kind: drop_fields, params: { fields: [id] } }
expect:
  signals:
    - { type: CONTRACT, dataset: urn:dp:orders:created, state: CRITICAL, within: 7m }
    - { type: FRESHNESS, dataset: urn:dp:orders:created }
  incidents:
    - { severity: SEV-1, datasets: [urn:dp:orders:created] }
  incident_count: 2
  rca:
    root_cause: { service: orders-svc, version: "3.17" }
    confidence: HIGH
    first_bad_after: "+58m"
    blast_radius_includes: [finance-pipeline]
    reason_codes_include: ["MISSING_FIELD:customer_id"]
x-team-notes: extension fields are allowed
`;

describe('parseScenario', () => {
  it('parses every field of the format', () => {
    const result = parseScenario(FULL, { file: '/scenarios/full.yaml', readFile });
    const s = ok(result);
    expect(result.ok && result.warnings).toEqual([]);
    const start = Date.parse('2026-01-15T09:00:00Z');
    expect(s).toMatchObject({
      name: 'full-scenario',
      description: 'every field of the format',
      start,
      duration: 90 * 60_000,
      end: start + 90 * 60_000,
      seed: 42,
      history: 7 * 86_400_000,
      file: '/scenarios/full.yaml',
      baseDir: '/scenarios',
      extensions: { 'x-team-notes': 'extension fields are allowed' },
    });
    expect(s.datasets[0]).toMatchObject({
      urn: 'urn:dp:orders:created',
      topic: 'raw.orders.events',
      producer: 'orders-svc',
      identity: 'header',
      tier: 1,
      policy: 'enforce',
      slo: { freshnessMaxDelay: 900_000, volumeMinPerHour: 1000, complianceMin: 0.95 },
      contract: { source: 'file', path: '/scenarios/orders-created.odcs.yaml', text: CONTRACT },
    });
    expect(s.datasets[0]?.contract?.document.id).toBe('urn:dp:orders:created');
    expect(s.datasets[1]).toMatchObject({ identity: 'topic-pattern', tier: 2, policy: 'observe' });
    expect(s.datasets[2]).toMatchObject({ identity: 'none', tier: 3 });
    expect(s.lineage).toEqual([
      {
        job: 'finance-pipeline',
        owner: 'finance-team',
        tier: 1,
        reads: ['urn:dp:orders:created'],
        writes: ['urn:dp:finance:revenue-daily'],
        readsColumns: { 'urn:dp:orders:created': ['customer_id', 'amount'] },
      },
    ]);
    expect(s.services).toEqual([
      { name: 'orders-svc', version: '3.16', owner: 'orders-team' },
      { name: 'payments-svc', version: '1.0' },
    ]);
    const t = s.traffic[0];
    expect(t?.rate).toBeCloseTo(200 / 60_000);
    expect(t?.rateText).toBe('200/min');
    expect(t?.dailyProfile).toHaveLength(24);
    expect(t?.weeklyProfile).toEqual([1, 1, 1, 1, 1, 0.4, 0.4]);
    expect(t?.service).toBe('orders-svc');
    expect(t?.record).toEqual({
      order_id: { kind: 'uuid' },
      customer_id: { kind: 'pattern', pattern: 'C[0-9]{6}' },
      qty: { kind: 'int', min: 1, max: 5 },
      amount: { kind: 'float', min: 5, max: 500, decimals: 2 },
      currency: { kind: 'enum', values: ['EUR', 'USD', 'GBP'] },
      channel: { kind: 'const', value: 'web' },
      email: { kind: 'email' },
      created_at: { kind: 'event_time' },
      address: {
        kind: 'object',
        fields: {
          city: { kind: 'enum', values: ['Paris', 'Berlin'] },
          zip: { kind: 'pattern', pattern: '\\d{5}' },
        },
      },
    });
    expect(s.traffic[1]?.rate).toBeCloseTo(3 / 1000);
    expect(s.traffic[2]?.rate).toBeCloseTo(1000 / 3_600_000);
    expect(s.deployments[0]).toEqual({
      at: start + 58 * 60_000,
      service: 'orders-svc',
      version: '3.17',
      commit: '9f31c2d',
      previousVersion: '3.16',
      effects: [
        { kind: 'drop_fields', fields: ['customer_id'] },
        {
          kind: 'add_fields',
          fields: { discount_code: { kind: 'pattern', pattern: 'SAVE[0-9]{2}' } },
        },
        { kind: 'null_rate', fields: ['email'], rate: 0.15 },
        { kind: 'rate', multiplier: 0.5 },
        { kind: 'type_change', field: 'amount', to: 'string', rate: 1 },
      ],
    });
    expect(s.deployments[1]).toMatchObject({
      at: start + 80 * 60_000,
      previousVersion: '3.17',
      effects: [],
    });
    expect(s.faults.map((f) => f.effect)).toEqual([
      { kind: 'rate', multiplier: 0.5 },
      { kind: 'null_rate', fields: ['id'], rate: 0.1 },
      { kind: 'type_change', field: 'id', to: 'integer', rate: 1 },
      { kind: 'rename_field', from: 'id', to: 'payment_id' },
      { kind: 'add_fields', fields: { note: { kind: 'const', value: 'x' } } },
      { kind: 'inject_pii', field: 'notes', pii: 'credit_card', rate: 0.01 },
      { kind: 'late_events', delay: 600_000, rate: 0.3 },
      { kind: 'duplicates', rate: 0.2 },
      { kind: 'drop_fields', fields: ['id'] },
      { kind: 'stall' },
    ]);
    const stall = s.faults.find((f) => f.kind === 'stall');
    expect(stall).toMatchObject({
      at: start + 20 * 60_000,
      for: 20 * 60_000,
      until: start + 40 * 60_000,
    });
    expect(s.faults.find((f) => f.kind === 'rate')?.until).toBe(Infinity);
    expect(s.expect).toEqual({
      signals: [
        { type: 'CONTRACT', dataset: 'urn:dp:orders:created', state: 'CRITICAL', within: 420_000 },
        { type: 'FRESHNESS', dataset: 'urn:dp:orders:created' },
      ],
      incidents: [{ severity: 'SEV-1', datasets: ['urn:dp:orders:created'] }],
      incidentCount: 2,
      rca: [
        {
          rootCause: { service: 'orders-svc', version: '3.17' },
          confidence: 'HIGH',
          firstBadAfter: start + 58 * 60_000,
          blastRadiusIncludes: ['finance-pipeline'],
          reasonCodesInclude: ['MISSING_FIELD:customer_id'],
        },
      ],
    });
  });

  it('accepts an inline ODCS contract and returns its text and document', () => {
    const text = `name: inline
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets:
  - urn: urn:dp:a:b
    topic: t
    contract:
      apiVersion: v3.1.0
      kind: DataContract
      id: urn:dp:a:b
      version: 1.0.0
      status: active
      schema:
        - name: b
          properties:
            - { name: id, logicalType: string, required: true }
traffic:
  - { dataset: urn:dp:a:b, rate: 1/s, record: { id: uuid } }
expect: { incident_count: 0 }
`;
    const s = ok(parseScenario(text));
    expect(s.datasets[0]?.contract?.source).toBe('inline');
    expect(s.datasets[0]?.contract?.document.id).toBe('urn:dp:a:b');
    expect(s.datasets[0]?.contract?.text).toContain('apiVersion: v3.1.0');
  });

  it('reports inline contract problems at their line inside the scenario', () => {
    const text = `name: inline
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets:
  - urn: urn:dp:a:b
    topic: t
    contract:
      apiVersion: v3.1.0
      kind: DataContract
      id: urn:dp:a:b
      version: 1.0.0
      status: active
      schema:
        - name: b
          properties:
            - { name: id, logicalType: strin, required: true }
traffic: []
`;
    const list = problems(parseScenario(text)).filter((p) => p.severity === 'error');
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((p) => p.code === C.CONTRACT)).toBe(true);
    const p = list.find((x) => x.path.startsWith('datasets[0].contract.schema[0].properties[0]'));
    expect(p, JSON.stringify(list)).toBeDefined();
    expect(p?.line).toBe(17);
  });

  it('reports a contract file that cannot be read or linted', () => {
    const base = `name: c
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets:
  - { urn: "urn:dp:a:b", topic: t, contract: ./missing.yaml }
`;
    const missing = find(
      problems(parseScenario(base, { baseDir: '/x', readFile })),
      'datasets[0].contract',
    );
    expect(missing).toMatchObject({ code: C.CONTRACT, line: 6 });
    expect(missing.message).toMatch(/cannot read contract file \/x\/missing\.yaml/);

    const bad = find(
      problems(
        parseScenario(base, {
          baseDir: '/x',
          readFile: () => 'apiVersion: v9\nkind: DataContract\n',
        }),
      ),
      'datasets[0].contract',
    );
    expect(bad.message).toMatch(/unsupported apiVersion/);
  });

  it('reports every problem of a malformed file with its path, line and column', () => {
    const text = `name: Bad_Name
start: yesterday
duration: 10 minutes
seed: -1
history: 7 days
datasets:
  - urn: orders
    topic: raw.orders
    identity: headers
    tier: 4
    policy: block
    slo: { freshness_max_delay: soon, compliance_min: 2 }
  - urn: urn:dp:orders:created
    topic: a
  - urn: urn:dp:orders:created
    topic: b
lineage:
  - job: j
    reads: [not-a-urn]
services:
  - { name: orders-svc, version: 3.10 }
traffic:
  - dataset: urn:dp:orders:unknown
    rate: 250 per minute
    daily_profile: [1, 2, 3]
    weekly_profile: [1,1,1,1,1,1,-1]
    record:
      id: uuidd
      n: { int: [5, 1] }
      f: { float: [1] }
      e: { enum: [] }
      p: { pattern: "(a" }
      list: [a, b]
deployments:
  - at: 58m
    service: orders-svc
    effect: { drop_field: [x], null_rate: { field: email, rate: 1.5 } }
faults:
  - at: "+1m"
    dataset: urn:dp:orders:created
    kind: stal
  - at: "+1m"
    dataset: urn:dp:orders:created
    kind: late_events
    for: forever
    params: { rate: 0.1 }
expect:
  signals:
    - { type: CONTRACTS, dataset: urn:dp:orders:created, state: RED, within: 7 }
  incidents:
    - { severity: P1, datasets: [urn:dp:orders:created] }
    - { datasets: [urn:dp:orders:created] }
  incident_count: 1
  rca:
    root_cause: {}
    confidence: SURE
`;
    const list = problems(parseScenario(text, { file: 'bad.yaml' }));
    const expectations: Array<[string, string, number]> = [
      ['name', C.NAME, 1],
      ['start', C.TIME, 2],
      ['duration', C.DURATION, 3],
      ['seed', C.VALUE, 4],
      ['history', C.DURATION, 5],
      ['datasets[0].urn', C.URN, 7],
      ['datasets[0].identity', C.VALUE, 9],
      ['datasets[0].tier', C.VALUE, 10],
      ['datasets[0].policy', C.VALUE, 11],
      ['datasets[0].slo.freshness_max_delay', C.DURATION, 12],
      ['datasets[0].slo.compliance_min', C.VALUE, 12],
      ['datasets[2].urn', C.DUPLICATE, 15],
      ['lineage[0].reads[0]', C.URN, 19],
      ['traffic[0].dataset', C.REFERENCE, 23],
      ['traffic[0].rate', C.RATE, 24],
      ['traffic[0].daily_profile', C.PROFILE, 25],
      ['traffic[0].weekly_profile[6]', C.PROFILE, 26],
      ['traffic[0].record.id', C.GENERATOR, 28],
      ['traffic[0].record.n.int', C.GENERATOR, 29],
      ['traffic[0].record.f.float', C.GENERATOR, 30],
      ['traffic[0].record.e.enum', C.GENERATOR, 31],
      ['traffic[0].record.p.pattern', C.GENERATOR, 32],
      ['traffic[0].record.list', C.GENERATOR, 33],
      ['deployments[0].at', C.TIME, 35],
      ['deployments[0].version', C.REQUIRED, 35],
      ['deployments[0].effect.drop_field', C.FAULT, 37],
      ['deployments[0].effect.null_rate.rate', C.VALUE, 37],
      ['faults[0].kind', C.FAULT, 41],
      ['faults[1].for', C.DURATION, 45],
      ['faults[1].params.delay', C.REQUIRED, 46],
      ['expect.signals[0].type', C.VALUE, 49],
      ['expect.signals[0].state', C.VALUE, 49],
      ['expect.signals[0].within', C.DURATION, 49],
      ['expect.incidents[0].severity', C.VALUE, 51],
      ['expect.incident_count', C.CONFLICT, 53],
      ['expect.rca.root_cause', C.REQUIRED, 55],
      ['expect.rca.confidence', C.VALUE, 56],
    ];
    for (const [path, code, line] of expectations) {
      const p = find(list, path);
      expect(p.code, path).toBe(code);
      expect(p.line, path).toBe(line);
      expect(p.column, path).toBeGreaterThan(0);
      expect(p.file).toBe('bad.yaml');
      expect(p.message.length).toBeGreaterThan(10);
    }
    expect(find(list, 'services[0].version')).toMatchObject({
      severity: 'warning',
      code: C.UNQUOTED,
    });
    expect(find(list, 'faults[0].kind').message).toMatch(/did you mean 'stall'/);
    expect(find(list, 'traffic[0].record.id').message).toMatch(/did you mean 'uuid'/);
    expect(find(list, 'deployments[0].effect.drop_field').message).toMatch(
      /did you mean 'drop_fields'/,
    );
    // Sorted by position.
    const lines = list.map((p) => p.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it('reports malformed YAML with line and column', () => {
    const list = problems(parseScenario('name: x\nstart: [unclosed\n', { file: 'y.yaml' }));
    expect(list[0]).toMatchObject({ code: C.SYNTAX, severity: 'error' });
    expect(list[0]?.line).toBeGreaterThanOrEqual(2);
    const dup = problems(parseScenario('name: x\nname: y\n'));
    expect(dup[0]).toMatchObject({ code: C.SYNTAX, line: 2 });
  });

  it('reports missing required fields and an empty document', () => {
    expect(problems(parseScenario(''))[0]).toMatchObject({ code: C.REQUIRED, line: 1 });
    expect(problems(parseScenario('- a\n- b\n'))[0]).toMatchObject({ code: C.TYPE });
    const list = problems(parseScenario('description: nothing else\n'));
    for (const path of ['name', 'start', 'duration', 'datasets']) {
      expect(find(list, path).code).toBe(C.REQUIRED);
    }
    expect(find(list, 'seed').severity).toBe('warning');
  });

  it('warns about likely typos of known keys and keeps unknown fields as extensions', () => {
    const text = `name: typo
strat: 2026-01-15T09:00:00Z
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets:
  - { urn: "urn:dp:a:b", topic: t, teir: 1, owner_team: x }
traffic:
  - { dataset: "urn:dp:a:b", rate: 1/s, record: { id: uuid }, dialy_profile: [] }
expect: { incident_count: 0, incident_cuont: 1 }
my_extension: { anything: true }
`;
    const result = parseScenario(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const byPath = Object.fromEntries(result.warnings.map((w) => [w.path, w]));
    expect(byPath['strat']).toMatchObject({ code: C.UNKNOWN_KEY, line: 2, column: 1 });
    expect(byPath['strat']?.message).toMatch(/did you mean 'start'/);
    expect(byPath['datasets[0].teir']?.message).toMatch(/did you mean 'tier'/);
    expect(byPath['traffic[0].dialy_profile']?.message).toMatch(/daily_profile/);
    expect(byPath['expect.incident_cuont']?.message).toMatch(/incident_count/);
    expect(byPath['my_extension']).toBeUndefined();
    expect(byPath['datasets[0].owner_team']).toBeUndefined();
    expect(result.scenario.extensions).toMatchObject({ my_extension: { anything: true } });
    expect(result.scenario.datasets[0]?.extensions).toEqual({ teir: 1, owner_team: 'x' });
  });

  it('accepts the documented shorthands', () => {
    const text = `name: shorthands
start: 2026-01-15
duration: 2h
seed: 3
datasets: [{ urn: "urn:dp:a:b:v2", topic: t, producer: svc }]
services: [{ name: svc, version: "1" }]
traffic: [{ dataset: "urn:dp:a:b:v2", rate: 0.5/sec, record: { id: uuid, n: 7, ok: true, nothing: null } }]
deployments:
  - { at: "+1h30m", service: svc, version: "2", commit: 1234567, effect: { stall: {}, drop_fields: customer_id, duplicates: 0.1, rate: 2 } }
faults:
  - { at: "+5m", dataset: "urn:dp:a:b:v2", kind: inject_pii, params: { field: notes, type: ssn } }
  - { at: "+5m", dataset: "urn:dp:a:b:v2", kind: rename_field, params: { field: id, to: key } }
  - { at: "+5m", dataset: "urn:dp:a:b:v2", kind: add_fields, params: { fields: { a: email } } }
expect:
  incidents: [{ severity: SEV2, dataset: "urn:dp:a:b:v2" }]
  rca: [{ root_cause: { kind: stall } }, { root_cause: { dataset: "urn:dp:a:b:v2" } }]
`;
    const result = parseScenario(text);
    const s = ok(result);
    expect(s.start).toBe(Date.parse('2026-01-15T00:00:00Z'));
    expect(s.traffic[0]?.record).toMatchObject({
      n: { kind: 'const', value: 7 },
      ok: { kind: 'const', value: true },
      nothing: { kind: 'const', value: null },
    });
    expect(s.deployments[0]?.commit).toBe('1234567');
    expect(s.deployments[0]?.effects).toEqual([
      { kind: 'stall' },
      { kind: 'drop_fields', fields: ['customer_id'] },
      { kind: 'duplicates', rate: 0.1 },
      { kind: 'rate', multiplier: 2 },
    ]);
    expect(s.faults.map((f) => f.effect)).toEqual([
      { kind: 'inject_pii', field: 'notes', pii: 'ssn', rate: 1 },
      { kind: 'rename_field', from: 'id', to: 'key' },
      { kind: 'add_fields', fields: { a: { kind: 'email' } } },
    ]);
    expect(s.expect.incidents).toEqual([{ severity: 'SEV-2', datasets: ['urn:dp:a:b:v2'] }]);
    expect(s.expect.rca.map((r) => r.rootCause)).toEqual([
      { kind: 'stall' },
      { dataset: 'urn:dp:a:b:v2' },
    ]);
    expect(result.ok && result.warnings.map((w) => w.code)).toEqual([C.UNQUOTED, C.VALUE]);
  });

  it('warns about times outside the played range', () => {
    const text = `name: range
start: 2026-01-15T09:00:00Z
duration: 10m
seed: 1
datasets: [{ urn: "urn:dp:a:b", topic: t }]
traffic: [{ dataset: "urn:dp:a:b", rate: 1/s, record: { id: uuid } }]
faults: [{ at: "+2h", dataset: "urn:dp:a:b", kind: stall }]
expect: { incident_count: 0 }
`;
    const result = parseScenario(text);
    expect(result.ok && result.warnings.map((w) => [w.code, w.path])).toEqual([
      [C.OUT_OF_RANGE, 'faults[0].at'],
    ]);
  });
});

describe('loadScenario', () => {
  it.each(['steel-thread.yaml', 'quiet-deploy.yaml'])(
    'parses the example %s from the repo',
    async (file) => {
      const result = await loadScenario(join(REPO_SCENARIOS, file));
      const s = ok(result);
      expect(s.datasets[0]?.contract?.document.id).toBe('urn:dp:orders:created');
      expect(result.ok && result.warnings).toEqual([]);
    },
  );

  it('parses every scenario in examples/scenarios without problems', async () => {
    const files = readdirSync(REPO_SCENARIOS).filter(
      (f) => f.endsWith('.yaml') && !f.includes('.odcs.'),
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const result = await loadScenario(join(REPO_SCENARIOS, file));
      ok(result);
      expect(result.ok && result.warnings.map(formatScenarioProblem), file).toEqual([]);
    }
  });

  it('parses the shared examples when present, identical to the repo copies', async () => {
    const dir = sharedScenarios();
    if (dir === undefined) return;
    const strip = (s: Scenario): unknown => {
      const { file: _file, baseDir: _baseDir, ...rest } = s;
      return {
        ...rest,
        datasets: rest.datasets.map((d) => ({ ...d, contract: d.contract?.document })),
      };
    };
    for (const file of ['steel-thread.yaml', 'quiet-deploy.yaml']) {
      const shared = ok(await loadScenario(join(dir, file)));
      const copy = ok(await loadScenario(join(REPO_SCENARIOS, file)));
      expect(shared.name).toBe(file.replace('.yaml', ''));
      expect(strip(copy)).toEqual(strip(shared));
    }
  });

  it('matches the steel thread as the format describes it', async () => {
    const s = ok(await loadScenario(join(REPO_SCENARIOS, 'steel-thread.yaml')));
    expect(s.deployments).toEqual([
      {
        at: s.start + 58 * 60_000,
        service: 'orders-svc',
        version: '3.17',
        commit: '9f31c2d',
        previousVersion: '3.16',
        effects: [{ kind: 'drop_fields', fields: ['customer_id'] }],
      },
    ]);
    expect(s.expect.rca[0]?.blastRadiusIncludes).toEqual([
      'finance-pipeline',
      'analytics-dashboard',
    ]);
  });

  it('reports a missing file as SF_ERR_SCENARIO_IO', async () => {
    const result = await loadScenario('/nonexistent/x.yaml');
    expect(problems(result)[0]).toMatchObject({ code: C.IO, line: 1, column: 1 });
  });
});
