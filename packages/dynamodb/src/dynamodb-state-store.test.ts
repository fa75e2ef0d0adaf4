import { describe, expect, it } from 'vitest';
import { DynamoDbStateStore } from './dynamodb-state-store';
import { DYNAMODB_ERROR_CODES } from './errors';

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/** A stand-in DynamoDB client: answers from a script, records what was sent. */
function scriptedClient(answer: (command: Command, call: number) => unknown) {
  const sent: Command[] = [];
  return {
    sent,
    client: {
      send: async (command: Command) => {
        sent.push(command);
        const result = answer(command, sent.length);
        if (result instanceof Error) throw result;
        return result;
      },
      destroy: () => undefined,
    },
  };
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

describe('DynamoDbStateStore (scripted client)', () => {
  it('retries throttled reads and then answers', async () => {
    const { client, sent } = scriptedClient((_, call) =>
      call <= 2
        ? throttled()
        : {
            Item: {
              pk: { S: 'p' },
              sk: { S: 's' },
              data: { M: { a: { N: '1' } } },
              version: { N: '4' },
            },
          },
    );
    const store = new DynamoDbStateStore({
      client: client as never,
      retryBaseMs: 1,
      retryMaxMs: 2,
    });
    expect(await store.get('SignalState', { pk: 'p', sk: 's' })).toEqual({
      pk: 'p',
      sk: 's',
      data: { a: 1 },
      version: 4,
    });
    expect(sent).toHaveLength(3);
    expect(sent[0]!.input).toMatchObject({ TableName: 'SignalState', ConsistentRead: true });
  });

  it('surfaces throttling after the retry budget as a retriable SF_ERR_STATE_THROTTLED', async () => {
    const { client, sent } = scriptedClient(() => throttled());
    const store = new DynamoDbStateStore({
      client: client as never,
      maxRetries: 3,
      retryBaseMs: 1,
      retryMaxMs: 2,
    });
    await expect(store.put('SignalState', { pk: 'p', sk: 's' }, { a: 1 })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.THROTTLED,
      retriable: true,
      details: { table: 'SignalState', operation: 'put' },
    });
    expect(sent).toHaveLength(4);
  });

  it('writes conditionally on the version attribute', async () => {
    const { client, sent } = scriptedClient(() => ({}));
    const store = new DynamoDbStateStore({ client: client as never, tablePrefix: 'prod-' });
    expect(
      (await store.put('IncidentIndex', { pk: 'p', sk: 's' }, { a: 1 }, { expectedVersion: 0 }))
        .version,
    ).toBe(1);
    expect(
      (await store.put('IncidentIndex', { pk: 'p', sk: 's' }, { a: 2 }, { expectedVersion: 1 }))
        .version,
    ).toBe(2);
    expect(sent[0]!.input).toMatchObject({
      TableName: 'prod-IncidentIndex',
      ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
    });
    expect(sent[1]!.input.ConditionExpression).toMatch(/^#version = :expected AND/);
    expect(sent[1]!.input.ExpressionAttributeValues).toMatchObject({ ':expected': { N: '1' } });
    expect(sent[1]!.input.Item).toMatchObject({
      version: { N: '2' },
      data: { M: { a: { N: '2' } } },
    });
  });

  it('maps ConditionalCheckFailedException to SF_ERR_STATE_CONDITION_FAILED without retrying', async () => {
    const { client, sent } = scriptedClient(() =>
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    const store = new DynamoDbStateStore({ client: client as never });
    await expect(
      store.delete('SignalState', { pk: 'p', sk: 's' }, { expectedVersion: 3 }),
    ).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.CONDITION_FAILED,
      retriable: false,
    });
    expect(sent).toHaveLength(1);
  });

  it('pages through a query until the limit, filtering expired items', async () => {
    const item = (sk: string) => ({
      pk: { S: 'p' },
      sk: { S: sk },
      data: { M: {} },
      version: { N: '1' },
    });
    const { client, sent } = scriptedClient((_, call) =>
      call === 1
        ? { Items: [item('a')], LastEvaluatedKey: { pk: { S: 'p' }, sk: { S: 'a' } } }
        : { Items: [item('b'), item('c')], LastEvaluatedKey: { pk: { S: 'p' }, sk: { S: 'c' } } },
    );
    const store = new DynamoDbStateStore({ client: client as never });
    const items = await store.query('SignalState', 'p', {
      skPrefix: 'x',
      limit: 2,
      descending: true,
    });
    expect(items.map((i) => i.sk)).toEqual(['a', 'b']);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.input).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'attribute_not_exists(#exp) OR #exp > :now',
      ScanIndexForward: false,
      Limit: 2,
    });
    expect(sent[1]!.input).toMatchObject({
      ExclusiveStartKey: { pk: { S: 'p' }, sk: { S: 'a' } },
      Limit: 1,
    });
  });

  it('rejects bad arguments with SF_ERR_STATE_ARGUMENT_INVALID before sending anything', async () => {
    const { client, sent } = scriptedClient(() => ({}));
    const store = new DynamoDbStateStore({ client: client as never });
    await expect(store.put('T', { pk: 'p', sk: '' }, {})).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.ARGUMENT_INVALID,
    });
    await expect(store.put('T', { pk: 'p', sk: 's' }, { a: Infinity })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.ARGUMENT_INVALID,
    });
    await expect(
      store.put('T', { pk: 'p', sk: 's' }, {}, { expectedVersion: -1 }),
    ).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.ARGUMENT_INVALID,
    });
    await expect(store.query('T', 'p', { limit: 1.5 })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.ARGUMENT_INVALID,
    });
    await expect(store.get('x', { pk: 'p', sk: 's' })).rejects.toMatchObject({
      code: DYNAMODB_ERROR_CODES.ARGUMENT_INVALID,
    });
    expect(sent).toHaveLength(0);
  });
});
