// Public surface of @signal-factory/dynamodb. Explicit re-exports only (no `export *`).
export { DynamoDbStateStore, type EnsuredTable } from './dynamodb-state-store';
export { DYNAMODB_ERROR_CODES, mapDynamoDbError, type DynamoDbErrorCode } from './errors';
export { MAX_ITEM_BYTES } from './item-codec';
export type { Logger } from './logger';
export {
  resolveDynamoDbOptions,
  type DynamoDbCredentials,
  type DynamoDbStateStoreOptions,
  type OptionProblem,
  type ResolvedDynamoDbOptions,
} from './options';
export {
  PARTITION_KEY,
  SORT_KEY,
  STATE_TABLES,
  TTL_ATTRIBUTE,
  createTableInput,
  type StateTableName,
} from './table-definitions';
