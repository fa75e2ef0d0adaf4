import { PORT_ERROR_CODES, SignalFactoryError } from '@signal-factory/core';

/**
 * Error codes thrown by `@signal-factory/kafka`. Stable strings: match on `error.code`.
 * Every code is listed with its meaning in the package README.
 */
export const KAFKA_ERROR_CODES = {
  /** The bus options are invalid; `details.problems` lists every problem with its path. */
  OPTIONS_INVALID: 'SF_ERR_BUS_OPTIONS_INVALID',
  /** A call received a bad argument (topic name, message shape, subscribe options). */
  ARGUMENT_INVALID: PORT_ERROR_CODES.BUS_ARGUMENT_INVALID,
  /** The bus (or subscription) was closed; no new work is accepted. */
  CLOSED: PORT_ERROR_CODES.BUS_CLOSED,
  /** No broker could be reached, or the connection dropped. Retriable. */
  CONNECTION: 'SF_ERR_BUS_CONNECTION',
  /** A request to the broker timed out. Retriable. */
  TIMEOUT: 'SF_ERR_BUS_TIMEOUT',
  /** SASL authentication or an ACL check failed. */
  AUTH_FAILED: 'SF_ERR_BUS_AUTH_FAILED',
  /** The topic does not exist (or its metadata is not loaded yet). */
  TOPIC_NOT_FOUND: 'SF_ERR_BUS_TOPIC_NOT_FOUND',
  /** The topic could not be created (invalid name, partitions or replication factor, or another broker error). */
  TOPIC_FAILED: 'SF_ERR_BUS_TOPIC_FAILED',
  /** A record (or record batch) is larger than the broker accepts (`message.max.bytes`). */
  MESSAGE_TOO_LARGE: 'SF_ERR_BUS_MESSAGE_TOO_LARGE',
  /** Publishing failed for another reason; see `cause` and `details`. */
  PUBLISH_FAILED: 'SF_ERR_BUS_PUBLISH_FAILED',
  /** Joining a consumer group or starting to consume failed. */
  SUBSCRIBE_FAILED: 'SF_ERR_BUS_SUBSCRIBE_FAILED',
  /** Committing consumer offsets failed (the records will be delivered again). */
  COMMIT_FAILED: 'SF_ERR_BUS_COMMIT_FAILED',
  /** `close()` did not finish within `closeTimeoutMs`. */
  CLOSE_TIMEOUT: 'SF_ERR_BUS_CLOSE_TIMEOUT',
} as const;

export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[keyof typeof KAFKA_ERROR_CODES];

/** What the bus was doing when a kafkajs error happened; picks the fallback code. */
export type BusOperation = 'publish' | 'topic' | 'subscribe' | 'commit' | 'close';

const FALLBACK: Record<BusOperation, KafkaErrorCode> = {
  publish: KAFKA_ERROR_CODES.PUBLISH_FAILED,
  topic: KAFKA_ERROR_CODES.TOPIC_FAILED,
  subscribe: KAFKA_ERROR_CODES.SUBSCRIBE_FAILED,
  commit: KAFKA_ERROR_CODES.COMMIT_FAILED,
  close: KAFKA_ERROR_CODES.CONNECTION,
};

const CONNECTION_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaClientConnectionError',
]);
const TIMEOUT_NAMES = new Set([
  'KafkaJSRequestTimeoutError',
  'KafkaJSTimeout',
  'KafkaClientTimeoutError',
]);
const METADATA_NAMES = new Set(['KafkaJSTopicMetadataNotLoaded', 'KafkaJSMetadataNotLoaded']);
const AUTH_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const TOPIC_TYPES = new Set([
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REPLICA_ASSIGNMENT',
  'INVALID_CONFIG',
  'POLICY_VIOLATION',
]);

interface KafkaJsLikeError {
  name?: unknown;
  message?: unknown;
  retriable?: unknown;
  type?: unknown;
  code?: unknown;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function asRecord(error: unknown): KafkaJsLikeError {
  return typeof error === 'object' && error !== null ? (error as KafkaJsLikeError) : {};
}

/** The innermost kafkajs error that says what actually went wrong. */
function rootOf(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 8; depth++) {
    const record = asRecord(current);
    const wrapped = record.cause ?? record.originalError;
    if (
      (record.name === 'KafkaJSNumberOfRetriesExceeded' ||
        record.name === 'KafkaJSNonRetriableError') &&
      typeof wrapped === 'object' &&
      wrapped !== null &&
      wrapped !== current
    ) {
      current = wrapped;
    } else if (
      record.name === 'KafkaJSAggregateError' &&
      Array.isArray(record.errors) &&
      record.errors.length > 0
    ) {
      current = record.errors[0];
    } else {
      return current;
    }
  }
  return current;
}

/**
 * Maps an error thrown by kafkajs to a `SignalFactoryError` with an `SF_ERR_BUS_*` code.
 * `retriable` comes from kafkajs' own `retriable` flag of the underlying error (after
 * unwrapping "number of retries exceeded", whose cause is what a later retry can fix).
 * Errors that already carry a Signal Factory code pass through unchanged.
 */
export function mapKafkaError(
  error: unknown,
  operation: BusOperation,
  context: Record<string, unknown> = {},
): SignalFactoryError {
  if (error instanceof SignalFactoryError) return error;
  const root = rootOf(error);
  const record = asRecord(root);
  const name = typeof record.name === 'string' ? record.name : 'Error';
  const type = typeof record.type === 'string' ? record.type : undefined;
  const message = typeof record.message === 'string' ? record.message : String(root);
  const kafkaRetriable = record.retriable === true;

  let code: KafkaErrorCode = FALLBACK[operation];
  let retriable = kafkaRetriable;
  if (CONNECTION_NAMES.has(name)) {
    code = KAFKA_ERROR_CODES.CONNECTION;
    retriable = true;
  } else if (TIMEOUT_NAMES.has(name)) {
    code = KAFKA_ERROR_CODES.TIMEOUT;
    retriable = true;
  } else if (METADATA_NAMES.has(name) || type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    code = KAFKA_ERROR_CODES.TOPIC_NOT_FOUND;
  } else if (name === 'KafkaJSSASLAuthenticationError' || (type && AUTH_TYPES.has(type))) {
    code = KAFKA_ERROR_CODES.AUTH_FAILED;
    retriable = false;
  } else if (type && TOO_LARGE_TYPES.has(type)) {
    code = KAFKA_ERROR_CODES.MESSAGE_TOO_LARGE;
    retriable = false;
  } else if (type && TOPIC_TYPES.has(type)) {
    code = KAFKA_ERROR_CODES.TOPIC_FAILED;
  } else if (!name.startsWith('KafkaJS') && !name.startsWith('KafkaClient')) {
    // Not a kafkajs error (a bug or a user hook): retrying the same call will not help.
    retriable = false;
  }

  const details: Record<string, unknown> = { operation, kafkaErrorName: name, ...context };
  if (type !== undefined) details.kafkaErrorType = type;
  if (typeof record.code === 'number') details.kafkaErrorCode = record.code;
  return new SignalFactoryError(code, `Kafka ${operation} failed: ${message}`, {
    cause: error,
    retriable,
    details,
  });
}

export function busArgumentError(
  message: string,
  details?: Record<string, unknown>,
): SignalFactoryError {
  return new SignalFactoryError(KAFKA_ERROR_CODES.ARGUMENT_INVALID, message, {
    retriable: false,
    ...(details === undefined ? {} : { details }),
  });
}

export function busClosedError(what: string): SignalFactoryError {
  return new SignalFactoryError(KAFKA_ERROR_CODES.CLOSED, `${what}: the bus is closed`, {
    retriable: false,
  });
}
