import { SignalFactoryError, type SignalFactoryErrorOptions } from '@signal-factory/core';

/** Error codes of the incident manager. */
export const INCIDENT_ERROR_CODES = {
  /** Manager options are invalid; `details.problems` lists each with its path. */
  OPTIONS_INVALID: 'SF_ERR_INCIDENT_OPTIONS_INVALID',
  /** No incident has this id. Not retriable. */
  NOT_FOUND: 'SF_ERR_INCIDENT_NOT_FOUND',
  /** The lifecycle forbids this change (`details.from`, `details.to`). Not retriable. */
  TRANSITION_INVALID: 'SF_ERR_INCIDENT_TRANSITION_INVALID',
  /** Conditional writes kept losing to another writer. Retriable. */
  CONFLICT: 'SF_ERR_INCIDENT_CONFLICT',
  /** The manager was closed. */
  CLOSED: 'SF_ERR_INCIDENT_CLOSED',
} as const;

export type IncidentErrorCode = (typeof INCIDENT_ERROR_CODES)[keyof typeof INCIDENT_ERROR_CODES];

export function incidentError(
  code: IncidentErrorCode,
  message: string,
  options?: SignalFactoryErrorOptions,
): SignalFactoryError {
  return new SignalFactoryError(code, message, options);
}
