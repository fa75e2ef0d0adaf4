import { SignalFactoryError, type SignalFactoryErrorOptions } from '@signal-factory/core';

/** Error codes of alert routing and sinks. */
export const ALERT_ERROR_CODES = {
  /** Router or sink options are invalid; `details.problems` lists each with its path. */
  OPTIONS_INVALID: 'SF_ERR_ALERT_OPTIONS_INVALID',
  /** The receiver answered 4xx (not 429): the payload or credentials are wrong. Not retriable. */
  REJECTED: 'SF_ERR_ALERT_REJECTED',
  /** The receiver answered 5xx or 429 on every attempt. Retriable later. */
  UNAVAILABLE: 'SF_ERR_ALERT_UNAVAILABLE',
  /** No response within `timeoutMs` on the last attempt. Retriable. */
  TIMEOUT: 'SF_ERR_ALERT_TIMEOUT',
  /** Connection refused, reset or DNS failure on the last attempt. Retriable. */
  NETWORK: 'SF_ERR_ALERT_NETWORK',
  /** The sink was closed. */
  CLOSED: 'SF_ERR_ALERT_CLOSED',
  /** A custom payload mapping threw. Not retriable. */
  PAYLOAD_INVALID: 'SF_ERR_ALERT_PAYLOAD_INVALID',
} as const;

export type AlertErrorCode = (typeof ALERT_ERROR_CODES)[keyof typeof ALERT_ERROR_CODES];

export function alertError(
  code: AlertErrorCode,
  message: string,
  options?: SignalFactoryErrorOptions,
): SignalFactoryError {
  return new SignalFactoryError(code, message, options);
}

/** One problem found in options, with its path. */
export interface OptionProblem {
  path: string;
  message: string;
}
