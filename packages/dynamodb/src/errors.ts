import { PORT_ERROR_CODES, SignalFactoryError } from '@signal-factory/core';

/**
 * Error codes thrown by `@signal-factory/dynamodb`. Stable strings: match on `error.code`.
 * Every code is listed with its meaning in the package README.
 */
export const DYNAMODB_ERROR_CODES = {
  /** The store options are invalid; `details.problems` lists every problem with its path. */
  OPTIONS_INVALID: 'SF_ERR_STATE_OPTIONS_INVALID',
  /** A call received a bad argument (key, data, query options). */
  ARGUMENT_INVALID: PORT_ERROR_CODES.STATE_ARGUMENT_INVALID,
  /** A conditional write or delete found another version (`expectedVersion` mismatch). */
  CONDITION_FAILED: PORT_ERROR_CODES.STATE_CONDITION_FAILED,
  /** The item is larger than DynamoDB's 400 KB item limit. */
  ITEM_TOO_LARGE: 'SF_ERR_STATE_ITEM_TOO_LARGE',
  /** DynamoDB kept throttling after every retry. Retriable. */
  THROTTLED: 'SF_ERR_STATE_THROTTLED',
  /** DynamoDB could not be reached or answered 5xx after every retry. Retriable. */
  UNAVAILABLE: 'SF_ERR_STATE_UNAVAILABLE',
  /** The table does not exist (run `ensureTables()` or set `autoCreateTables`). */
  TABLE_NOT_FOUND: 'SF_ERR_STATE_TABLE_NOT_FOUND',
  /** Credentials were rejected or the caller lacks permission. */
  AUTH_FAILED: 'SF_ERR_STATE_AUTH_FAILED',
  /** DynamoDB rejected the request for another reason; see `cause` and `details`. */
  REQUEST_FAILED: 'SF_ERR_STATE_REQUEST_FAILED',
  /** The store was closed. */
  CLOSED: PORT_ERROR_CODES.STATE_CLOSED,
} as const;

export type DynamoDbErrorCode = (typeof DYNAMODB_ERROR_CODES)[keyof typeof DYNAMODB_ERROR_CODES];

interface AwsLikeError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'Throttling',
  'ThrottledException',
  'LimitExceededException',
]);
const SERVER = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);
const NETWORK_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
]);
const AUTH = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
]);

function fields(error: unknown): {
  name: string;
  message: string;
  status: number | undefined;
  code: string | undefined;
  retryable: boolean;
} {
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  const status = e.$metadata?.httpStatusCode;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    status: typeof status === 'number' ? status : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
    retryable: e.$retryable !== undefined && e.$retryable !== null,
  };
}

/** What kind of failure an AWS error is: throttling and unavailability are worth retrying. */
export function classifyAwsError(error: unknown): 'throttled' | 'unavailable' | 'other' {
  const { name, status, code, retryable } = fields(error);
  if (THROTTLING.has(name) || status === 429) return 'throttled';
  if (SERVER.has(name) || (status !== undefined && status >= 500)) return 'unavailable';
  if ((code !== undefined && NETWORK_CODES.has(code)) || NETWORK_NAMES.has(name))
    return 'unavailable';
  if (retryable) return 'unavailable';
  return 'other';
}

/**
 * Maps an error from the DynamoDB client to a `SignalFactoryError` with an `SF_ERR_STATE_*` code.
 * Errors that already carry a Signal Factory code pass through unchanged.
 */
export function mapDynamoDbError(
  error: unknown,
  context: Record<string, unknown> = {},
): SignalFactoryError {
  if (error instanceof SignalFactoryError) return error;
  const { name, message, status } = fields(error);
  const details: Record<string, unknown> = { awsErrorName: name, ...context };
  if (status !== undefined) details.httpStatusCode = status;
  const make = (code: DynamoDbErrorCode, retriable: boolean, text = message): SignalFactoryError =>
    new SignalFactoryError(code, `DynamoDB: ${text}`, { cause: error, retriable, details });

  if (name === 'ConditionalCheckFailedException')
    return make(DYNAMODB_ERROR_CODES.CONDITION_FAILED, false);
  const kind = classifyAwsError(error);
  if (kind === 'throttled') return make(DYNAMODB_ERROR_CODES.THROTTLED, true);
  if (kind === 'unavailable') return make(DYNAMODB_ERROR_CODES.UNAVAILABLE, true);
  if (name === 'ResourceNotFoundException')
    return make(DYNAMODB_ERROR_CODES.TABLE_NOT_FOUND, false);
  if (AUTH.has(name)) return make(DYNAMODB_ERROR_CODES.AUTH_FAILED, false);
  if (
    name === 'ValidationException' &&
    /item size|maximum allowed size|exceeds.*size/i.test(message)
  )
    return make(DYNAMODB_ERROR_CODES.ITEM_TOO_LARGE, false);
  if (name === 'ItemCollectionSizeLimitExceededException')
    return make(DYNAMODB_ERROR_CODES.ITEM_TOO_LARGE, false);
  return make(DYNAMODB_ERROR_CODES.REQUEST_FAILED, false);
}

export function stateArgumentError(
  message: string,
  details?: Record<string, unknown>,
): SignalFactoryError {
  return new SignalFactoryError(DYNAMODB_ERROR_CODES.ARGUMENT_INVALID, message, {
    retriable: false,
    ...(details === undefined ? {} : { details }),
  });
}
