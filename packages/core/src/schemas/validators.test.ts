import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalFactoryError } from '../errors/signal-factory-error';
import {
  acknowledgedIncident,
  bypassedEvidence,
  criticalSignal,
  driftSignal,
  failEvidence,
  freshnessSignal,
  openIncident,
  passEvidence,
  resolvedIncident,
} from './fixtures.test-data';
import {
  EVIDENCE_V1_SCHEMA,
  checkEvidence,
  checkIncident,
  checkSignal,
  evidenceProblems,
  incidentProblems,
  isEvidence,
  isIncident,
  isSignal,
  parseEvidence,
  parseIncident,
  parseSignal,
  signalProblems,
  validateEvidence,
  validateIncident,
  validateSignal,
} from './validators';

// Mutation helpers poke at arbitrary depth into deliberately broken documents.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const clone = <T>(value: T): T => structuredClone(value);

function thrown(fn: () => unknown): SignalFactoryError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SignalFactoryError);
    return error as SignalFactoryError;
  }
  throw new Error('expected a throw');
}

describe('schema files', () => {
  it('ship as draft 2020-12 JSON in packages/core/schemas and are the objects the validators use', () => {
    for (const name of ['evidence', 'signal', 'incident']) {
      const text = readFileSync(
        new URL(`../../schemas/${name}.v1.schema.json`, import.meta.url),
        'utf8',
      );
      const schema = JSON.parse(text) as { $schema: string; $id: string };
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toContain(`${name}.v1.schema.json`);
    }
    expect(EVIDENCE_V1_SCHEMA.title).toBe('Signal Factory Evidence v1');
  });
});

describe('evidence/v1', () => {
  it.each([
    ['pass', passEvidence],
    ['fail, unresolved, minimal', failEvidence],
    ['bypassed, versioned URN', bypassedEvidence],
  ])('accepts typed fixture: %s', (_name, evidence) => {
    expect(evidenceProblems(evidence)).toEqual([]);
    expect(validateEvidence(evidence)).toBe(evidence);
    expect(isEvidence(evidence)).toBe(true);
    expect(checkEvidence(evidence)).toEqual({ valid: true, value: evidence, problems: [] });
    expect(parseEvidence(JSON.stringify(evidence))).toEqual(evidence);
    expect(parseEvidence(new TextEncoder().encode(JSON.stringify(evidence)))).toEqual(evidence);
  });

  const bad: Array<[string, (e: Loose) => void, string, string]> = [
    ['missing topic', (e) => delete e.topic, '$.topic', 'required'],
    [
      'wrong schema_version',
      (e) => (e.schema_version = 'evidence/v2'),
      '$.schema_version',
      'const',
    ],
    ['random evidence id', (e) => (e.evidence_id = 'abc'), '$.evidence_id', 'pattern'],
    ['bad URN', (e) => (e.dataset_urn = 'urn:dp:Orders:x'), '$.dataset_urn', 'pattern'],
    ['numeric offset', (e) => (e.offset = 12), '$.offset', 'type'],
    ['negative partition', (e) => (e.partition = -1), '$.partition', 'minimum'],
    [
      'bad identity confidence',
      (e) => (e.producer.identity_confidence = 'SURE'),
      '$.producer.identity_confidence',
      'enum',
    ],
    [
      'event time without zone',
      (e) => (e.event_time = '2026-11-25T10:00:00'),
      '$.event_time',
      'format',
    ],
    ['event time as epoch', (e) => (e.event_time = 1764064800000), '$.event_time', 'type'],
    ['gate G6', (e) => (e.gates[0].gate = 'G6'), '$.gates[0].gate', 'enum'],
    ['SKIP as overall result', (e) => (e.result = 'SKIP'), '$.result', 'enum'],
    ['unknown reason code', (e) => e.reason_codes.push('BROKEN:x'), '$.reason_codes[0]', 'pattern'],
    [
      'PII code without type',
      (e) => e.reason_codes.push('PII_DETECTED'),
      '$.reason_codes[0]',
      'pattern',
    ],
    [
      'PII value leaked',
      (e) => e.pii_findings.push({ type: 'ssn', path: 'notes', value: '123-45-6789' }),
      '$.pii_findings[0].value',
      'additionalProperties',
    ],
    ['sample weight below 1', (e) => (e.sample_weight = 0.5), '$.sample_weight', 'minimum'],
    ['sample as string', (e) => (e.sample = '{}'), '$.sample', 'type'],
    ['unknown enforcement', (e) => (e.enforcement = 'block'), '$.enforcement', 'enum'],
    [
      'camelCase field',
      (e) => (e.datasetUrn = 'urn:dp:a:b'),
      '$.datasetUrn',
      'additionalProperties',
    ],
    [
      'bad fingerprint',
      (e) => (e.schema_fingerprint = 'md5:abc'),
      '$.schema_fingerprint',
      'pattern',
    ],
    [
      'uppercase trace id',
      (e) => (e.trace_id = '4BF92F3577B34DA6A3CE929D0E0E4736'),
      '$.trace_id',
      'pattern',
    ],
  ];

  it.each(bad)('rejects %s with its path', (_name, mutate, path, keyword) => {
    const evidence = clone(passEvidence) as unknown as Loose;
    evidence.reason_codes = [];
    mutate(evidence);
    const problems = evidenceProblems(evidence);
    expect(problems).toContainEqual(expect.objectContaining({ path, keyword }));
    expect(isEvidence(evidence)).toBe(false);
    const error = thrown(() => validateEvidence(evidence));
    expect(error.code).toBe('SF_ERR_EVIDENCE_INVALID');
    expect(error.message).toContain(path);
    expect(checkEvidence(evidence)).toEqual({ valid: false, problems });
  });

  it('reports every problem at once, never echoing values', () => {
    const evidence = clone(failEvidence) as unknown as Loose;
    delete evidence.topic;
    evidence.result = 'MAYBE';
    evidence.producer.identity_method = 'guess';
    evidence.pii_findings[0].type = 'not a type!';
    const error = thrown(() => validateEvidence(evidence));
    const paths = (error.details?.problems as Array<{ path: string; pointer: string }>)
      .map((p) => p.path)
      .sort();
    expect(paths).toEqual([
      '$.pii_findings[0].type',
      '$.producer.identity_method',
      '$.result',
      '$.topic',
    ]);
    expect(error.message).toMatch(/4 problems/);
    expect(error.message).not.toContain('guess');
    expect(error.details?.problems).toContainEqual(
      expect.objectContaining({ pointer: '/producer/identity_method' }),
    );
  });

  it('rejects any input type with the typed error, never a TypeError', () => {
    for (const input of [null, undefined, 42, 'evidence', [], true, new Date()]) {
      expect(thrown(() => validateEvidence(input)).code).toBe('SF_ERR_EVIDENCE_INVALID');
      expect(isEvidence(input)).toBe(false);
    }
    expect(thrown(() => parseEvidence('{not json')).code).toBe('SF_ERR_EVIDENCE_INVALID');
    expect(thrown(() => parseEvidence(new Uint8Array([0xff, 0xfe]))).code).toBe(
      'SF_ERR_EVIDENCE_INVALID',
    );
    expect(thrown(() => parseEvidence(42 as never)).code).toBe('SF_ERR_EVIDENCE_INVALID');
  });

  it('fuzz: validate and parse throw only SF_ERR_EVIDENCE_INVALID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.json()), (input) => {
        for (const fn of [() => validateEvidence(input), () => parseEvidence(input as string)]) {
          try {
            fn();
          } catch (error) {
            expect((error as SignalFactoryError).code).toBe('SF_ERR_EVIDENCE_INVALID');
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('fuzz: mutating one field of a valid record is caught or still valid, never crashes', () => {
    const keys = Object.keys(passEvidence);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const evidence = { ...clone(passEvidence), [key]: value };
        const result = checkEvidence(evidence);
        if (!result.valid) expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('signal/v1', () => {
  it.each([
    ['critical volume', criticalSignal],
    ['minimal freshness', freshnessSignal],
    ['schema drift', driftSignal],
  ])('accepts typed fixture: %s', (_name, signal) => {
    expect(signalProblems(signal)).toEqual([]);
    expect(validateSignal(signal)).toBe(signal);
    expect(isSignal(signal)).toBe(true);
    expect(checkSignal(signal).valid).toBe(true);
    expect(parseSignal(JSON.stringify(signal))).toEqual(signal);
  });

  it.each<[string, (s: Loose) => void, string]>([
    ['unknown type', (s) => (s.signal_type = 'LATENCY'), '$.signal_type'],
    ['state lower case', (s) => (s.state = 'critical'), '$.state'],
    ['null dataset', (s) => (s.dataset_urn = null), '$.dataset_urn'],
    ['nested metric', (s) => (s.metrics.nested = { a: 1 }), '$.metrics.nested'],
    ['boolean metric', (s) => (s.metrics.ok = true), '$.metrics.ok'],
    ['metric name with caps', (s) => (s.metrics.recordCount = 1), '$.metrics'],
    ['window without end', (s) => delete s.window.end, '$.window.end'],
    ['first_bad without time', (s) => delete s.first_bad.time, '$.first_bad.time'],
    [
      'duplicate signature',
      (s) => s.failure_signature_ids.push(s.failure_signature_ids[0]),
      '$.failure_signature_ids',
    ],
    ['missing reason', (s) => delete s.reason, '$.reason'],
    ['missing defaults_applied', (s) => delete s.defaults_applied, '$.defaults_applied'],
  ])('rejects %s', (_name, mutate, path) => {
    const signal = clone(criticalSignal) as unknown as Loose;
    mutate(signal);
    expect(signalProblems(signal).map((p) => p.path)).toContain(path);
    expect(thrown(() => validateSignal(signal)).code).toBe('SF_ERR_SIGNAL_INVALID');
    expect(isSignal(signal)).toBe(false);
  });
});

describe('incident/v1', () => {
  it.each([
    ['open', openIncident],
    ['resolved, minimal', resolvedIncident],
    ['acknowledged', acknowledgedIncident],
  ])('accepts typed fixture: %s', (_name, incident) => {
    expect(incidentProblems(incident)).toEqual([]);
    expect(validateIncident(incident)).toBe(incident);
    expect(isIncident(incident)).toBe(true);
    expect(checkIncident(incident).valid).toBe(true);
    expect(parseIncident(JSON.stringify(incident))).toEqual(incident);
  });

  it.each<[string, (i: Loose) => void, string]>([
    ['SEV-0', (i) => (i.severity = 'SEV-0'), '$.severity'],
    ['CLOSED status', (i) => (i.status = 'CLOSED'), '$.status'],
    ['no datasets', (i) => (i.dataset_urns = []), '$.dataset_urns'],
    ['no signals', (i) => (i.signal_ids = []), '$.signal_ids'],
    ['bad cause', (i) => (i.probable_cause.kind = 'gremlins'), '$.probable_cause.kind'],
    ['resolved without resolved_at', (i) => (i.status = 'RESOLVED'), '$.resolved_at'],
    [
      'acknowledged without acknowledged_at',
      (i) => (i.status = 'ACKNOWLEDGED'),
      '$.acknowledged_at',
    ],
    ['route without channels', (i) => delete i.route.channels, '$.route.channels'],
  ])('rejects %s', (_name, mutate, path) => {
    const incident = clone(openIncident) as unknown as Loose;
    mutate(incident);
    expect(incidentProblems(incident).map((p) => p.path)).toContain(path);
    expect(thrown(() => validateIncident(incident)).code).toBe('SF_ERR_INCIDENT_INVALID');
    expect(isIncident(incident)).toBe(false);
  });
});
