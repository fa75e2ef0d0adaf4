/**
 * Error codes of `@signal-factory/sidecar`. Stable strings: users and the SDK match on them.
 * Every code is listed in the package README.
 */
export const SIDECAR_ERROR_CODES = {
  /** Invalid sidecar options; `details.problems` lists every problem with its path. */
  OPTIONS_INVALID: 'SF_ERR_SIDECAR_OPTIONS_INVALID',
  /** The HTTP body is not a valid produce request. */
  BAD_REQUEST: 'SF_ERR_SIDECAR_BAD_REQUEST',
  /** The HTTP body is larger than `maxBodyBytes`. */
  BODY_TOO_LARGE: 'SF_ERR_SIDECAR_BODY_TOO_LARGE',
  /** The request content type is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'SF_ERR_SIDECAR_UNSUPPORTED_MEDIA_TYPE',
  /** The sidecar is not ready (registry never loaded, sink down, queue full). */
  NOT_READY: 'SF_ERR_SIDECAR_NOT_READY',
  /** One record of a batch is unusable (missing topic, bad encoding, too many headers…). */
  RECORD_INVALID: 'SF_ERR_SIDECAR_RECORD_INVALID',
  /** Writing a record to Kafka failed. */
  PRODUCE_FAILED: 'SF_ERR_SIDECAR_PRODUCE_FAILED',
  /** Publishing evidence failed. */
  EVIDENCE_FAILED: 'SF_ERR_SIDECAR_EVIDENCE_FAILED',
  /** The dataset registry could not be loaded or is malformed. */
  REGISTRY_INVALID: 'SF_ERR_SIDECAR_REGISTRY_INVALID',
  /** The registry source is unreachable (the last good copy keeps serving). */
  REGISTRY_UNAVAILABLE: 'SF_ERR_SIDECAR_REGISTRY_UNAVAILABLE',
  /** Too many records waiting for the sink. */
  QUEUE_FULL: 'SF_ERR_SIDECAR_QUEUE_FULL',
  /** Unknown route. */
  NOT_FOUND: 'SF_ERR_SIDECAR_NOT_FOUND',
  /** A malformed AdmissionReview reached the injector. */
  ADMISSION_INVALID: 'SF_ERR_SIDECAR_ADMISSION_INVALID',
} as const;

export type SidecarErrorCode = (typeof SIDECAR_ERROR_CODES)[keyof typeof SIDECAR_ERROR_CODES];
