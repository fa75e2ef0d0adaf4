import { describe, expect, expectTypeOf, it } from 'vitest';
import evidenceSchema from '../../schemas/evidence.v1.schema.json';
import incidentSchema from '../../schemas/incident.v1.schema.json';
import signalSchema from '../../schemas/signal.v1.schema.json';
import type { Evidence } from './evidence';
import {
  criticalSignal,
  failEvidence,
  openIncident,
  passEvidence,
  resolvedIncident,
} from './fixtures.test-data';
import type { Incident } from './incident';
import type { Signal } from './signal';
import { evidenceProblems, incidentProblems, signalProblems } from './validators';

// Keys a type declares as required (not optional).
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

// The compiler checks these lists against the types (exhaustive both ways); the tests check them
// against the schemas' `required`. Together: the types and schemas agree on which fields exist
// and which are required.
const evidenceRequired = [
  'schema_version',
  'evidence_id',
  'dataset_urn',
  'topic',
  'producer',
  'event_time',
  'processing_time',
  'gates',
  'result',
  'reason_codes',
  'pii_findings',
  'sample_weight',
  'enforcement',
  'source',
] as const;
const signalRequired = [
  'schema_version',
  'signal_id',
  'dataset_urn',
  'signal_type',
  'state',
  'metrics',
  'failure_signature_ids',
  'reason',
  'engine',
  'emitted_at',
  'defaults_applied',
] as const;
const incidentRequired = [
  'schema_version',
  'incident_id',
  'status',
  'severity',
  'title',
  'dataset_urns',
  'signal_ids',
  'probable_cause',
  'opened_at',
  'updated_at',
] as const;

describe('TypeScript types agree with the JSON Schemas', () => {
  it('on the set of top-level properties (checked by the compiler)', () => {
    expectTypeOf<keyof typeof evidenceSchema.properties>().toEqualTypeOf<keyof Evidence>();
    expectTypeOf<keyof typeof signalSchema.properties>().toEqualTypeOf<keyof Signal>();
    expectTypeOf<keyof typeof incidentSchema.properties>().toEqualTypeOf<keyof Incident>();
    expectTypeOf<(typeof evidenceRequired)[number]>().toEqualTypeOf<RequiredKeys<Evidence>>();
    expectTypeOf<(typeof signalRequired)[number]>().toEqualTypeOf<RequiredKeys<Signal>>();
    expectTypeOf<(typeof incidentRequired)[number]>().toEqualTypeOf<RequiredKeys<Incident>>();
  });

  it.each([
    ['evidence', evidenceSchema.required, evidenceRequired],
    ['signal', signalSchema.required, signalRequired],
    ['incident', incidentSchema.required, incidentRequired],
  ])('on which properties are required: %s', (_name, schemaRequired, typeRequired) => {
    expect([...schemaRequired].sort()).toEqual([...typeRequired].sort());
  });

  it('so removing a required field fails and removing an optional one passes', () => {
    const cases = [
      [passEvidence, evidenceRequired, evidenceProblems],
      [criticalSignal, signalRequired, signalProblems],
      [openIncident, incidentRequired, incidentProblems],
    ] as const;
    for (const [fixture, required, problems] of cases) {
      for (const key of Object.keys(fixture)) {
        const copy: Record<string, unknown> = { ...fixture };
        delete copy[key];
        const isRequired = (required as readonly string[]).includes(key);
        expect(problems(copy).length > 0, `${key} required=${isRequired}`).toBe(isRequired);
      }
    }
    // Fields only the edge-case fixtures lack are optional in both.
    expect(evidenceProblems(failEvidence)).toEqual([]);
    expect(incidentProblems(resolvedIncident)).toEqual([]);
  });
});
