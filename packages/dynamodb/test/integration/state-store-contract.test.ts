import { randomUUID } from 'node:crypto';
import { describeStateStoreContract } from '@signal-factory/core/testing';
import { inject } from 'vitest';
import { DynamoDbStateStore } from '../../src/index';

describeStateStoreContract('DynamoDbStateStore', async () => {
  const store = new DynamoDbStateStore({
    endpoint: inject('dynamoEndpoint'),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    tablePrefix: `sf-contract-${randomUUID().slice(0, 8)}-`,
  });
  const ensured = await store.ensureTables(['contract-a', 'contract-b']);
  if (!ensured.every((table) => table.created)) throw new Error('contract tables were not created');
  return { store, tables: ['contract-a', 'contract-b'] };
});
