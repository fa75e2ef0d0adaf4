import type { Evidence } from './evidence';
import type { Incident } from './incident';
import type { Signal } from './signal';

// Typed fixtures: the compiler checks them against the TypeScript types, the tests check them
// against the JSON Schemas. Together they show the two agree.

const FP = `sha256:${'ab'.repeat(32)}`;

export const passEvidence: Evidence = {
  schema_version: 'evidence/v1',
  evidence_id: 'ev_0123456789abcdef0123456789abcdef',
  dataset_urn: 'urn:dp:orders:created',
  topic: 'orders.created',
  partition: 3,
  offset: '9223372036854775807',
  record_key_hash: FP,
  producer: {
    service: 'orders-svc',
    version: '1.4.2',
    identity_confidence: 'HIGH',
    identity_method: 'header',
  },
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  event_time: '2026-11-25T10:00:00Z',
  produce_time: '2026-11-25T10:00:00.120Z',
  processing_time: '2026-11-25T10:00:00.125+00:00',
  schema_fingerprint: FP,
  contract: { id: 'orders-created', version: '2.1.0' },
  gates: [
    { gate: 'G1', name: 'resolution', result: 'PASS', reason_codes: [] },
    { gate: 'G2', name: 'identity', result: 'PASS', reason_codes: [] },
    { gate: 'G3', name: 'schema', result: 'PASS', reason_codes: [], duration_us: 2.7 },
    { gate: 'G4', name: 'contract', result: 'PASS', reason_codes: [] },
    { gate: 'G5', name: 'pii', result: 'PASS', reason_codes: [] },
  ],
  result: 'PASS',
  reason_codes: [],
  pii_findings: [],
  sample: { order_id: 'o-1', amount: 12.5, customer: { email: '[REDACTED]' } },
  sample_weight: 100,
  enforcement: 'observe',
  source: 'sidecar',
};

/** Edge case: unresolved topic, unknown producer, no optional fields, FAIL with qualified codes. */
export const failEvidence: Evidence = {
  schema_version: 'evidence/v1',
  evidence_id: 'ev_ffffffffffffffffffffffffffffffff',
  dataset_urn: null,
  topic: 'legacy-topic',
  producer: { service: 'unknown', identity_confidence: 'LOW', identity_method: 'none' },
  event_time: '2026-11-25T23:59:60Z',
  processing_time: '2026-11-26T00:00:01-05:30',
  gates: [
    { gate: 'G1', name: 'resolution', result: 'FAIL', reason_codes: ['UNRESOLVED_TOPIC'] },
    { gate: 'G2', name: 'identity', result: 'WARN', reason_codes: ['IDENTITY_UNVERIFIED'] },
    { gate: 'G3', name: 'schema', result: 'SKIP', reason_codes: [] },
    {
      gate: 'G5',
      name: 'pii',
      result: 'FAIL',
      reason_codes: ['PII_DETECTED:ssn:notes', 'PII_DETECTED:email'],
    },
  ],
  result: 'FAIL',
  reason_codes: [
    'UNRESOLVED_TOPIC',
    'IDENTITY_UNVERIFIED',
    'PII_DETECTED:ssn:notes',
    'PII_DETECTED:email',
  ],
  pii_findings: [
    { type: 'ssn', path: 'notes' },
    { type: 'email', path: 'items[].comment' },
  ],
  sample_weight: 1,
  enforcement: 'enforce',
  source: 'tap',
};

/** Edge case: versioned URN, SDK fail-open, contract failures with nested paths, empty gates. */
export const bypassedEvidence: Evidence = {
  schema_version: 'evidence/v1',
  evidence_id: 'ev_00000000000000000000000000000000',
  dataset_urn: 'urn:dp:payments-eu:card_auth.v2:v3',
  topic: 'payments.card-auth',
  partition: 0,
  offset: '0',
  producer: {
    service: 'payments-api',
    identity_confidence: 'MEDIUM',
    identity_method: 'fallback_map',
  },
  event_time: '2026-01-01T00:00:00.000000001Z',
  processing_time: '2026-01-01T00:00:00Z',
  gates: [],
  result: 'WARN',
  reason_codes: [
    'MISSING_FIELD:customer_id',
    'TYPE_MISMATCH:items[].qty',
    'UNKNOWN_FIELD:meta.a\\.b',
  ],
  pii_findings: [],
  sample: {},
  sample_weight: 1.5,
  enforcement: 'bypassed',
  source: 'replay',
};

export const criticalSignal: Signal = {
  schema_version: 'signal/v1',
  signal_id: 'sig_orders_created_volume_20261125T1000',
  dataset_urn: 'urn:dp:orders:created',
  signal_type: 'VOLUME',
  state: 'CRITICAL',
  previous_state: 'OK',
  window: { start: '2026-11-25T10:00:00Z', end: '2026-11-25T10:05:00Z' },
  metrics: { record_count: 12, expected_min: 900, drop_ratio: 0.987, unit_hint: 'records' },
  expected: { min: 900, max: 1400, unit: 'records' },
  first_bad: {
    time: '2026-11-25T10:01:13Z',
    evidence_id: 'ev_0123456789abcdef0123456789abcdef',
    fingerprint: FP,
    topic: 'orders.created',
    partition: 1,
    offset: '4411',
  },
  last_good: { time: '2026-11-25T09:59:58Z' },
  failure_signature_ids: [FP],
  producer: { service: 'orders-svc', version: '1.4.3' },
  reason: 'Volume dropped to 12 records in 5 minutes, expected 900–1400.',
  engine: 'volume@0.1.0',
  emitted_at: '2026-11-25T10:05:30Z',
  defaults_applied: ['volume.baseline_days'],
};

/** Edge case: no window (clock-driven), only required fields. */
export const freshnessSignal: Signal = {
  schema_version: 'signal/v1',
  signal_id: 'sig-1',
  dataset_urn: 'urn:dp:orders:created:v2',
  signal_type: 'FRESHNESS',
  state: 'OK',
  metrics: {},
  failure_signature_ids: [],
  reason: 'Data is fresh.',
  engine: 'freshness@0.1.0',
  emitted_at: '2026-11-25T10:05:30.5Z',
  defaults_applied: [],
};

export const driftSignal: Signal = {
  schema_version: 'signal/v1',
  signal_id: 'sig:drift:1',
  dataset_urn: 'urn:dp:orders:created',
  signal_type: 'SCHEMA_DRIFT',
  state: 'WARNING',
  metrics: { new_fingerprint: FP },
  expected: { values: [FP] },
  failure_signature_ids: [],
  reason: 'A new shape appeared: field amount changed from number to string.',
  engine: 'contract@0.1.0',
  emitted_at: '2026-11-25T10:05:30Z',
  defaults_applied: [],
};

export const openIncident: Incident = {
  schema_version: 'incident/v1',
  incident_id: 'inc_2026_11_25_0001',
  status: 'OPEN',
  severity: 'SEV-2',
  title: 'orders.created volume collapse after orders-svc 1.4.3',
  dataset_urns: ['urn:dp:orders:created', 'urn:dp:finance:revenue-daily'],
  signal_ids: ['sig_orders_created_volume_20261125T1000'],
  probable_cause: { kind: 'deployment', ref: 'deploy:orders-svc:1.4.3' },
  opened_at: '2026-11-25T10:05:31Z',
  updated_at: '2026-11-25T10:05:31Z',
  route: { team: 'orders', channels: ['slack:#orders-oncall', 'pagerduty:orders'] },
};

/** Edge case: resolved, acknowledged before, unknown cause without ref, no route. */
export const resolvedIncident: Incident = {
  schema_version: 'incident/v1',
  incident_id: 'inc-2',
  status: 'RESOLVED',
  severity: 'SEV-1',
  title: 'Stalled dataset',
  dataset_urns: ['urn:dp:orders:created'],
  signal_ids: ['sig-1', 'sig-2'],
  probable_cause: { kind: 'unknown' },
  opened_at: '2026-11-25T10:05:31Z',
  updated_at: '2026-11-25T11:00:00Z',
  acknowledged_at: '2026-11-25T10:10:00Z',
  resolved_at: '2026-11-25T11:00:00Z',
};

export const acknowledgedIncident: Incident = {
  ...openIncident,
  incident_id: 'inc-3',
  status: 'ACKNOWLEDGED',
  severity: 'SEV-3',
  probable_cause: { kind: 'failure_signature', ref: FP },
  acknowledged_at: '2026-11-25T10:06:00Z',
};
