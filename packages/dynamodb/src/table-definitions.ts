import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The logical tables of Signal Factory's state. Every table has the same key schema. */
export const STATE_TABLES = {
  /** Datasets: pk = dataset URN, sk = `meta` (owner, policy, expected fingerprints…). */
  DatasetRegistry: 'DatasetRegistry',
  /** Topic → dataset URN: pk = `topic#<name>` or `pattern#<regex>`, sk = `map`. */
  DatasetResolutionMap: 'DatasetResolutionMap',
  /** Engine state per dataset and window: pk = dataset URN, sk = `<signal type>#<window start ISO>`. */
  SignalState: 'SignalState',
  /** Incidents: pk = incident id or dataset URN, sk = `incident#<opened ISO>#<id>`. */
  IncidentIndex: 'IncidentIndex',
  /** Contract versions: pk = dataset URN, sk = `v#<zero-padded version>`. */
  ContractVersions: 'ContractVersions',
} as const;

export type StateTableName = (typeof STATE_TABLES)[keyof typeof STATE_TABLES];

/** Partition key attribute (string). */
export const PARTITION_KEY = 'pk';
/** Sort key attribute (string). */
export const SORT_KEY = 'sk';
/** TTL attribute: expiry in epoch seconds. DynamoDB deletes expired items lazily (within about 48 h). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** CreateTable input for one physical table: pk HASH (S), sk RANGE (S), on-demand billing. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
