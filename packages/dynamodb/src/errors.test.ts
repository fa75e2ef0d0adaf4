import { SignalFactoryError } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_ERROR_CODES, classifyAwsError, mapDynamoDbError } from './errors';

const aws = (name: string, status?: number, message = name) =>
  Object.assign(new Error(message), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });

describe('mapDynamoDbError', () => {
  it.each([
    ['ConditionalCheckFailedException', 400, DYNAMODB_ERROR_CODES.CONDITION_FAILED, false],
    ['ProvisionedThroughputExceededException', 400, DYNAMODB_ERROR_CODES.THROTTLED, true],
    ['ThrottlingException', 400, DYNAMODB_ERROR_CODES.THROTTLED, true],
    ['RequestLimitExceeded', 400, DYNAMODB_ERROR_CODES.THROTTLED, true],
    ['InternalServerError', 500, DYNAMODB_ERROR_CODES.UNAVAILABLE, true],
    ['SomethingNew', 503, DYNAMODB_ERROR_CODES.UNAVAILABLE, true],
    ['ResourceNotFoundException', 400, DYNAMODB_ERROR_CODES.TABLE_NOT_FOUND, false],
    ['AccessDeniedException', 400, DYNAMODB_ERROR_CODES.AUTH_FAILED, false],
    ['UnrecognizedClientException', 400, DYNAMODB_ERROR_CODES.AUTH_FAILED, false],
    ['ValidationException', 400, DYNAMODB_ERROR_CODES.REQUEST_FAILED, false],
  ] as const)('%s (HTTP %s) → %s', (name, status, code, retriable) => {
    const mapped = mapDynamoDbError(aws(name, status), { table: 'SignalState' });
    expect(mapped).toMatchObject({
      code,
      retriable,
      details: { awsErrorName: name, table: 'SignalState' },
    });
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  it('recognises the item-size validation error', () => {
    const error = aws(
      'ValidationException',
      400,
      'Item size has exceeded the maximum allowed size',
    );
    expect(mapDynamoDbError(error)).toMatchObject({
      code: DYNAMODB_ERROR_CODES.ITEM_TOO_LARGE,
      retriable: false,
    });
  });

  it('treats network failures as unavailable and passes Signal Factory errors through', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyAwsError(refused)).toBe('unavailable');
    expect(mapDynamoDbError(refused)).toMatchObject({
      code: DYNAMODB_ERROR_CODES.UNAVAILABLE,
      retriable: true,
    });
    const own = new SignalFactoryError('SF_ERR_STATE_CLOSED', 'closed');
    expect(mapDynamoDbError(own)).toBe(own);
    expect(mapDynamoDbError('weird')).toMatchObject({ code: DYNAMODB_ERROR_CODES.REQUEST_FAILED });
  });
});
