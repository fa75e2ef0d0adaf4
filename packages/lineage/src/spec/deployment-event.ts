import schema from '../../schemas/deployment-event.v1.schema.json';
import { LINEAGE_ERROR_CODES } from '../errors';
import { ajvProblems, compileSchema, parseTime } from './ajv';
import type { SpecCheck } from './lineage-spec';

/** One deployment from CI/CD (JSON Schema: `schemas/deployment-event.v1.schema.json`). */
export interface DeploymentEvent {
  kind?: 'DeploymentEvent';
  service: string;
  version: string;
  commit?: string;
  /** e.g. `prod`; part of the deployment vertex id. */
  environment?: string;
  /** RFC 3339 time the version went live. */
  time: string;
  owner?: string;
  tier?: 1 | 2 | 3;
  url?: string;
  actor?: string;
}

/** The DeploymentEvent v1 JSON Schema (draft 2020-12). */
export const DEPLOYMENT_EVENT_V1_SCHEMA: Readonly<Record<string, unknown>> = schema;

const validate = compileSchema(schema);

/** Validates a DeploymentEvent (including that `time` is an RFC 3339 date-time); never throws. */
export function checkDeploymentEvent(input: unknown): SpecCheck<DeploymentEvent> {
  if (!validate(input)) {
    return {
      ok: false,
      code: LINEAGE_ERROR_CODES.DEPLOYMENT_INVALID,
      problems: ajvProblems(validate.errors),
    };
  }
  const event = input as DeploymentEvent;
  if (Number.isNaN(parseTime(event.time))) {
    return {
      ok: false,
      code: LINEAGE_ERROR_CODES.DEPLOYMENT_INVALID,
      problems: [{ path: '/time', message: 'must be an RFC 3339 date-time' }],
    };
  }
  return { ok: true, value: event };
}
