/**
 * Error codes thrown by `@signal-factory/core`. Stable strings: users match on them.
 * Every code is listed with its meaning in the package README.
 */
export const CORE_ERROR_CODES = {
  /** A dataset URN does not follow `urn:dp:<domain>:<name>[:v<major>]`. */
  URN_INVALID: 'SF_ERR_URN_INVALID',
  /** A `traceparent` header value is malformed (W3C Trace Context). */
  TRACEPARENT_INVALID: 'SF_ERR_TRACEPARENT_INVALID',
  /** A `tracestate` header value is malformed or over its limits (W3C Trace Context). */
  TRACESTATE_INVALID: 'SF_ERR_TRACESTATE_INVALID',
  /** A reason-code string is malformed or names a code that is not in `REASON_CODES`. */
  REASON_CODE_INVALID: 'SF_ERR_REASON_CODE_INVALID',
  /** A value cannot be canonicalised (RFC 8785): non-finite number, undefined, bigint, cycle, lone surrogate… */
  CANONICAL_UNSUPPORTED: 'SF_ERR_CANONICAL_UNSUPPORTED',
  /** A value nests deeper than the shape walker's `maxDepth`. */
  SHAPE_TOO_DEEP: 'SF_ERR_SHAPE_TOO_DEEP',
  /** An evidence record does not match `evidence/v1`. */
  EVIDENCE_INVALID: 'SF_ERR_EVIDENCE_INVALID',
  /** A signal does not match `signal/v1`. */
  SIGNAL_INVALID: 'SF_ERR_SIGNAL_INVALID',
  /** An incident does not match `incident/v1`. */
  INCIDENT_INVALID: 'SF_ERR_INCIDENT_INVALID',
  /** A function received an argument of the wrong kind (programming error, not data). */
  ARGUMENT_INVALID: 'SF_ERR_CORE_ARGUMENT_INVALID',
} as const;

export type CoreErrorCode = (typeof CORE_ERROR_CODES)[keyof typeof CORE_ERROR_CODES];
