import { SignalFactoryError, type SignalFactoryErrorOptions } from '@signal-factory/core';

/**
 * Error codes thrown or reported by `@signal-factory/lineage`. Stable strings: users match on them.
 * Every code is listed with its meaning in the package README.
 */
export const LINEAGE_ERROR_CODES = {
  /** Options given to a constructor or factory are invalid; `details.problems` lists each with its path. */
  OPTIONS_INVALID: 'SF_ERR_LINEAGE_OPTIONS_INVALID',
  /** An OpenLineage event does not match the OpenLineage schema or one of its facet schemas. */
  OPENLINEAGE_INVALID: 'SF_ERR_LINEAGE_OPENLINEAGE_INVALID',
  /** A LineageSpec document does not match `lineage-spec/v1`. */
  SPEC_INVALID: 'SF_ERR_LINEAGE_SPEC_INVALID',
  /** A DeploymentEvent does not match `deployment-event/v1`. */
  DEPLOYMENT_INVALID: 'SF_ERR_LINEAGE_DEPLOYMENT_INVALID',
  /** A signal, failure signature or incident record given to the graph writer is malformed. */
  RECORD_INVALID: 'SF_ERR_LINEAGE_RECORD_INVALID',
  /** A facet (or a whole event) is larger than the configured cap. */
  PAYLOAD_TOO_LARGE: 'SF_ERR_LINEAGE_PAYLOAD_TOO_LARGE',
  /** A payload is not JSON, or not a JSON object/array where one is required. */
  PAYLOAD_MALFORMED: 'SF_ERR_LINEAGE_PAYLOAD_MALFORMED',
  /** An HTTP request used a content type other than JSON. */
  UNSUPPORTED_MEDIA_TYPE: 'SF_ERR_LINEAGE_UNSUPPORTED_MEDIA_TYPE',
  /** No HTTP route matches the method and path. */
  NOT_FOUND: 'SF_ERR_LINEAGE_NOT_FOUND',
  /** A message on the bus is not a recognised lineage, deployment or LineageSpec event. */
  UNKNOWN_EVENT_KIND: 'SF_ERR_LINEAGE_UNKNOWN_EVENT_KIND',
  /** A query argument is invalid (bad URN, depth out of range, …). */
  QUERY_INVALID: 'SF_ERR_LINEAGE_QUERY_INVALID',
  /** The Gremlin server (or Neptune) could not be reached or dropped the connection. Retriable. */
  GREMLIN_UNAVAILABLE: 'SF_ERR_LINEAGE_GREMLIN_UNAVAILABLE',
  /** The Gremlin server answered a traversal with an error. Retriable when the server says so. */
  GREMLIN_FAILED: 'SF_ERR_LINEAGE_GREMLIN_FAILED',
} as const;

export type LineageErrorCode = (typeof LINEAGE_ERROR_CODES)[keyof typeof LINEAGE_ERROR_CODES];

export function lineageError(
  code: LineageErrorCode,
  message: string,
  options?: SignalFactoryErrorOptions,
): SignalFactoryError {
  return new SignalFactoryError(code, message, options);
}

/** One problem with an input, located by a JSON-pointer-like path. */
export interface Problem {
  /** Where, e.g. `/run/runId` or `options.maxDepth`. */
  path: string;
  /** What is wrong, in words. */
  message: string;
}
