import { SignalFactoryError } from '@signal-factory/core';

/** Stable error codes thrown by this package; users match on `error.code`. */
export const CONTRACT_ERROR_CODES = {
  /** The source is not parseable YAML/JSON, or the document breaks the ODCS JSON Schema. */
  INVALID: 'SF_ERR_CONTRACT_INVALID',
  /** `apiVersion` is missing or not an ODCS v3.0.x / v3.1.0 version. */
  UNSUPPORTED_VERSION: 'SF_ERR_CONTRACT_UNSUPPORTED_VERSION',
  /** The contract cannot be compiled: unknown logicalType, invalid regex, missing schema object. */
  COMPILE: 'SF_ERR_CONTRACT_COMPILE',
  /** A contract file could not be read. */
  IO: 'SF_ERR_CONTRACT_IO',
  /** A version with different content is already published for the dataset. */
  VERSION_EXISTS: 'SF_ERR_CONTRACT_VERSION_EXISTS',
  /** A dataset URN or version is not known to the registry. */
  NOT_FOUND: 'SF_ERR_CONTRACT_NOT_FOUND',
  /** Options passed to a constructor or function are invalid. */
  OPTIONS: 'SF_ERR_CONTRACT_OPTIONS',
  /** Inference was given no usable samples. */
  INFERENCE: 'SF_ERR_CONTRACT_INFERENCE',
} as const;

export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[keyof typeof CONTRACT_ERROR_CODES];

/** One problem found in a contract, located by a JSON-pointer-like path (`/schema/0/properties/1`). */
export interface ContractProblem {
  path: string;
  message: string;
}

export function contractError(
  code: ContractErrorCode,
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): SignalFactoryError {
  return new SignalFactoryError(code, message, {
    retriable: false,
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}
