import { SignalFactoryError } from '@signal-factory/core';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSAggregateError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR_CODES, mapKafkaError } from './errors';

const protocol = (type: string, retriable: boolean, code = 1) =>
  new KafkaJSProtocolError({ type, code, retriable, message: `broker says ${type}` } as never);

describe('mapKafkaError', () => {
  it('maps connection and timeout errors to retriable codes', () => {
    const connection = mapKafkaError(
      new KafkaJSConnectionError('Connection error: ECONNREFUSED'),
      'publish',
    );
    expect(connection).toMatchObject({ code: KAFKA_ERROR_CODES.CONNECTION, retriable: true });
    expect(connection.details).toMatchObject({
      operation: 'publish',
      kafkaErrorName: 'KafkaJSConnectionError',
    });
    const timeout = mapKafkaError(
      new KafkaJSRequestTimeoutError('Request Produce timed out' as never),
      'publish',
    );
    expect(timeout).toMatchObject({ code: KAFKA_ERROR_CODES.TIMEOUT, retriable: true });
  });

  it('unwraps "number of retries exceeded" and non-retriable wrappers to the cause', () => {
    const cause = new KafkaJSConnectionError('Connection error: ECONNREFUSED');
    const exceeded = new KafkaJSNumberOfRetriesExceeded(cause, {
      retryCount: 5,
      retryTime: 1000,
    } as never);
    expect(mapKafkaError(exceeded, 'topic')).toMatchObject({
      code: KAFKA_ERROR_CODES.CONNECTION,
      retriable: true,
    });
    const bailed = new (
      KafkaJSNonRetriableError as unknown as new (e: unknown, o: unknown) => Error
    )(cause, {
      cause,
    });
    expect(mapKafkaError(bailed, 'subscribe')).toMatchObject({
      code: KAFKA_ERROR_CODES.CONNECTION,
    });
    expect(mapKafkaError(exceeded, 'topic').cause).toBe(exceeded);
  });

  it('maps protocol errors by type and keeps kafkajs retriable otherwise', () => {
    expect(mapKafkaError(protocol('MESSAGE_TOO_LARGE', false, 10), 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.MESSAGE_TOO_LARGE,
      retriable: false,
      details: { kafkaErrorType: 'MESSAGE_TOO_LARGE', kafkaErrorCode: 10 },
    });
    expect(mapKafkaError(protocol('TOPIC_AUTHORIZATION_FAILED', false), 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.AUTH_FAILED,
    });
    expect(mapKafkaError(protocol('UNKNOWN_TOPIC_OR_PARTITION', true), 'subscribe')).toMatchObject({
      code: KAFKA_ERROR_CODES.TOPIC_NOT_FOUND,
      retriable: true,
    });
    expect(mapKafkaError(protocol('INVALID_PARTITIONS', false), 'topic')).toMatchObject({
      code: KAFKA_ERROR_CODES.TOPIC_FAILED,
      retriable: false,
    });
    expect(mapKafkaError(protocol('NOT_LEADER_FOR_PARTITION', true), 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.PUBLISH_FAILED,
      retriable: true,
    });
    expect(mapKafkaError(protocol('REBALANCE_IN_PROGRESS', true), 'commit')).toMatchObject({
      code: KAFKA_ERROR_CODES.COMMIT_FAILED,
      retriable: true,
    });
  });

  it('maps SASL failures and aggregate errors', () => {
    expect(
      mapKafkaError(
        new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)('bad password'),
        'subscribe',
      ),
    ).toMatchObject({
      code: KAFKA_ERROR_CODES.AUTH_FAILED,
      retriable: false,
    });
    const aggregate = new KafkaJSAggregateError('Topic creation errors', [
      protocol('INVALID_REPLICATION_FACTOR', false),
    ]);
    expect(mapKafkaError(aggregate, 'topic')).toMatchObject({
      code: KAFKA_ERROR_CODES.TOPIC_FAILED,
    });
  });

  it('treats foreign errors as non-retriable and passes Signal Factory errors through', () => {
    expect(mapKafkaError(new TypeError('boom'), 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.PUBLISH_FAILED,
      retriable: false,
    });
    expect(mapKafkaError('a string', 'topic')).toMatchObject({
      code: KAFKA_ERROR_CODES.TOPIC_FAILED,
    });
    const own = new SignalFactoryError('SF_ERR_BUS_CLOSED', 'closed');
    expect(mapKafkaError(own, 'publish')).toBe(own);
  });
});
