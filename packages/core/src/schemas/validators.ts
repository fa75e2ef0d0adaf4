import evidenceSchemaJson from '../../schemas/evidence.v1.schema.json';
import incidentSchemaJson from '../../schemas/incident.v1.schema.json';
import signalSchemaJson from '../../schemas/signal.v1.schema.json';
import { CORE_ERROR_CODES } from '../errors/codes';
import type { Evidence } from './evidence';
import type { Incident } from './incident';
import { SchemaValidator, type CheckResult, type SchemaProblem } from './schema-validator';
import type { Signal } from './signal';

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The Evidence v1 JSON Schema, also shipped as `@signal-factory/core/schemas/evidence.v1.schema.json`. */
export const EVIDENCE_V1_SCHEMA: JsonSchema = evidenceSchemaJson;
/** The Signal v1 JSON Schema, also shipped as `@signal-factory/core/schemas/signal.v1.schema.json`. */
export const SIGNAL_V1_SCHEMA: JsonSchema = signalSchemaJson;
/** The Incident v1 JSON Schema, also shipped as `@signal-factory/core/schemas/incident.v1.schema.json`. */
export const INCIDENT_V1_SCHEMA: JsonSchema = incidentSchemaJson;

const evidence = new SchemaValidator<Evidence>(
  evidenceSchemaJson,
  CORE_ERROR_CODES.EVIDENCE_INVALID,
  'evidence/v1',
);
const signal = new SchemaValidator<Signal>(
  signalSchemaJson,
  CORE_ERROR_CODES.SIGNAL_INVALID,
  'signal/v1',
);
const incident = new SchemaValidator<Incident>(
  incidentSchemaJson,
  CORE_ERROR_CODES.INCIDENT_INVALID,
  'incident/v1',
);

/**
 * Returns `value` typed as Evidence when it matches evidence/v1.
 * @throws SignalFactoryError `SF_ERR_EVIDENCE_INVALID`; `details.problems` lists every problem with its path.
 */
export function validateEvidence(value: unknown): Evidence {
  return evidence.validate(value);
}
/** Non-throwing: `{valid: true, value}` or `{valid: false, problems}` with every problem's path. */
export function checkEvidence(value: unknown): CheckResult<Evidence> {
  return evidence.check(value);
}
/** Every problem of `value` against evidence/v1; empty when valid. */
export function evidenceProblems(value: unknown): SchemaProblem[] {
  return evidence.problems(value);
}
/** Type guard for evidence/v1. */
export function isEvidence(value: unknown): value is Evidence {
  return evidence.is(value);
}
/**
 * Parses evidence from JSON text or UTF-8 bytes (e.g. a Kafka message value) and validates it.
 * @throws SignalFactoryError `SF_ERR_EVIDENCE_INVALID`, also for input that is not JSON.
 */
export function parseEvidence(json: string | Uint8Array): Evidence {
  return evidence.parse(json);
}

/**
 * Returns `value` typed as Signal when it matches signal/v1.
 * @throws SignalFactoryError `SF_ERR_SIGNAL_INVALID` listing every problem with its path.
 */
export function validateSignal(value: unknown): Signal {
  return signal.validate(value);
}
/** Non-throwing check against signal/v1. */
export function checkSignal(value: unknown): CheckResult<Signal> {
  return signal.check(value);
}
/** Every problem of `value` against signal/v1; empty when valid. */
export function signalProblems(value: unknown): SchemaProblem[] {
  return signal.problems(value);
}
/** Type guard for signal/v1. */
export function isSignal(value: unknown): value is Signal {
  return signal.is(value);
}
/** Parses and validates a signal from JSON text or UTF-8 bytes. @throws `SF_ERR_SIGNAL_INVALID`. */
export function parseSignal(json: string | Uint8Array): Signal {
  return signal.parse(json);
}

/**
 * Returns `value` typed as Incident when it matches incident/v1.
 * @throws SignalFactoryError `SF_ERR_INCIDENT_INVALID` listing every problem with its path.
 */
export function validateIncident(value: unknown): Incident {
  return incident.validate(value);
}
/** Non-throwing check against incident/v1. */
export function checkIncident(value: unknown): CheckResult<Incident> {
  return incident.check(value);
}
/** Every problem of `value` against incident/v1; empty when valid. */
export function incidentProblems(value: unknown): SchemaProblem[] {
  return incident.problems(value);
}
/** Type guard for incident/v1. */
export function isIncident(value: unknown): value is Incident {
  return incident.is(value);
}
/** Parses and validates an incident from JSON text or UTF-8 bytes. @throws `SF_ERR_INCIDENT_INVALID`. */
export function parseIncident(json: string | Uint8Array): Incident {
  return incident.parse(json);
}
