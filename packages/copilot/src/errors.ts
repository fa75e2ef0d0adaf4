import { SignalFactoryError, type SignalFactoryErrorOptions } from '@signal-factory/core';

/**
 * Error codes of `@signal-factory/copilot`. Stable strings: users match on them (see the README).
 */
export const COPILOT_ERROR_CODES = {
  /** Options given to `createCopilot` (or the HTTP server) are invalid; `details.problems` lists each. */
  OPTIONS_INVALID: 'SF_ERR_COPILOT_OPTIONS_INVALID',
  /** No incident with this id in the state store. */
  INCIDENT_NOT_FOUND: 'SF_ERR_COPILOT_INCIDENT_NOT_FOUND',
  /** The dataset URN is well formed but the graph does not know it. */
  DATASET_NOT_FOUND: 'SF_ERR_COPILOT_DATASET_NOT_FOUND',
  /** An argument is malformed (bad dataset URN, empty incident id, bad query parameter). */
  INVALID_ARGUMENT: 'SF_ERR_COPILOT_INVALID_ARGUMENT',
  /** The stored incident document is not a valid Incident v1. */
  INCIDENT_INVALID: 'SF_ERR_COPILOT_INCIDENT_INVALID',
  /** The state store or graph store failed; retriable when the backend said so. */
  BACKEND_UNAVAILABLE: 'SF_ERR_COPILOT_BACKEND_UNAVAILABLE',
  /** No HTTP route matches the path. */
  ROUTE_NOT_FOUND: 'SF_ERR_COPILOT_ROUTE_NOT_FOUND',
  /** The HTTP method is not allowed on this route. */
  METHOD_NOT_ALLOWED: 'SF_ERR_COPILOT_METHOD_NOT_ALLOWED',
  /** The copilot was closed. */
  CLOSED: 'SF_ERR_COPILOT_CLOSED',
  /** An unexpected internal failure (a bug): the message says what. */
  INTERNAL: 'SF_ERR_COPILOT_INTERNAL',
} as const;

export type CopilotErrorCode = (typeof COPILOT_ERROR_CODES)[keyof typeof COPILOT_ERROR_CODES];

/** Reasons an LLM summary was not used (the template summary was returned instead). */
export const LLM_FALLBACK_REASONS = {
  /** No API key configured (or `llm: false`). */
  DISABLED: 'disabled',
  /** The local rate limit (requests per minute) was exhausted. */
  RATE_LIMITED: 'rate_limited',
  /** The API answered 429 (after the SDK's retries). */
  API_RATE_LIMITED: 'api_rate_limited',
  /** The request did not finish within `timeoutMs`. */
  TIMEOUT: 'timeout',
  /** The API answered with an error status (4xx other than 429, 5xx). */
  API_ERROR: 'api_error',
  /** The API could not be reached. */
  CONNECTION_ERROR: 'connection_error',
  /** The answer had no text. */
  EMPTY: 'empty',
  /** The answer cited no evidence id, or an id that is not in the report. */
  BAD_CITATIONS: 'bad_citations',
  /** The answer mentions a time, URN, version or commit that is not in the report. */
  UNSUPPORTED_CLAIM: 'unsupported_claim',
  /** The answer was cut off (`stop_reason: max_tokens`) or is not text. */
  MALFORMED: 'malformed',
  /** Anything else. */
  UNKNOWN: 'unknown',
} as const;

export type LlmFallbackReason = (typeof LLM_FALLBACK_REASONS)[keyof typeof LLM_FALLBACK_REASONS];

/** One problem with an input, located by its path. */
export interface Problem {
  path: string;
  message: string;
}

export function copilotError(
  code: CopilotErrorCode,
  message: string,
  options?: SignalFactoryErrorOptions,
): SignalFactoryError {
  return new SignalFactoryError(code, message, options);
}
