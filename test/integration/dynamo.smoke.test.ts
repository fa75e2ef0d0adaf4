import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';

describe('harness dynalite with @aws-sdk/client-dynamodb', () => {
  const endpoint = inject('dynamoEndpoint');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const table = `sf-smoke-${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    client.destroy();
  });

  it('is on 127.0.0.1', () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates a table, puts and gets an item, and rejects a failed condition like DynamoDB', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });

    const item = {
      pk: { S: 'urn:dp:orders:created' },
      sk: { S: 'signal#FRESHNESS' },
      state: { S: 'OK' },
      n: { N: '3' },
    };
    await client.send(new PutItemCommand({ TableName: table, Item: item }));
    const got = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        ConsistentRead: true,
      }),
    );
    expect(got.Item).toEqual(item);

    const conditional = client.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...item, state: { S: 'CRITICAL' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await expect(conditional).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});
