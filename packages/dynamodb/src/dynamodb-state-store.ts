import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  SignalFactoryError,
  type PutOptions,
  type QueryOptions,
  type StateItem,
  type StateKey,
  type StateStore,
} from '@signal-factory/core';
import { DYNAMODB_ERROR_CODES, mapDynamoDbError, stateArgumentError } from './errors';
import {
  checkData,
  checkKey,
  fromItem,
  isExpired,
  marshallData,
  toItem,
  toNumber,
  type Item,
} from './item-codec';
import { safeLogger, type Logger } from './logger';
import {
  TABLE_NAME,
  resolveDynamoDbOptions,
  type DynamoDbStateStoreOptions,
  type ResolvedDynamoDbOptions,
} from './options';
import { STATE_TABLES, TTL_ATTRIBUTE, createTableInput } from './table-definitions';
import { withRetry } from './with-retry';

/** What `ensureTables()` did for one table. */
export interface EnsuredTable {
  /** Logical name. */
  table: string;
  /** Physical DynamoDB table name. */
  tableName: string;
  /** True when this call created the table. */
  created: boolean;
  /**
   * TTL on `expiresAt`: `'enabled'`, or `'unsupported'` when the endpoint does not implement
   * UpdateTimeToLive (dynalite); reads hide expired items either way.
   */
  ttl: 'enabled' | 'unsupported';
}

const NAMES = { '#version': 'version', '#exp': TTL_ATTRIBUTE, '#data': 'data' } as const;
const LIVE = 'attribute_not_exists(#exp) OR #exp > :now';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function checkVersion(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw stateArgumentError(`${what}: expectedVersion must be an integer ≥ 0`);
  return value;
}

function checkExpiresAt(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw stateArgumentError(`${what}: expiresAt must be epoch seconds (a number ≥ 0)`);
  return value;
}

/** Whether an endpoint URL points at this machine. */
function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** Whether the SDK's default chain has something to start from in the environment. */
function hasAwsCredentialsInEnv(): boolean {
  const env = process.env;
  return Boolean(
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
}

/**
 * The state store on Amazon DynamoDB: one item per (pk, sk) with the document in `data` (a map),
 * optimistic concurrency on `version`, TTL on `expiresAt`, sort-key range queries, and retries with
 * exponential backoff and jitter on throttling.
 */
export class DynamoDbStateStore implements StateStore {
  readonly #options: ResolvedDynamoDbOptions;
  readonly #logger: Logger;
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #creating = new Map<string, Promise<EnsuredTable>>();
  #closed = false;

  constructor(options: DynamoDbStateStoreOptions = {}) {
    this.#options = resolveDynamoDbOptions(options);
    this.#logger = safeLogger(this.#options.logger);
    if (this.#options.client !== undefined) {
      this.#client = this.#options.client;
      this.#ownsClient = false;
    } else {
      const o = this.#options;
      const config: DynamoDBClientConfig = {
        // The store retries itself (backoff with jitter, typed errors after the budget).
        maxAttempts: 1,
        requestHandler: {
          requestTimeout: o.requestTimeoutMs,
          connectionTimeout: Math.min(o.requestTimeoutMs, 5_000),
        },
      };
      if (o.region !== undefined) config.region = o.region;
      if (o.endpoint !== undefined) config.endpoint = o.endpoint;
      if (o.credentials !== undefined) config.credentials = o.credentials;
      else if (o.endpoint !== undefined && isLoopback(o.endpoint) && !hasAwsCredentialsInEnv())
        // a local emulator (DynamoDB Local, dynalite) takes any key; without one the SDK refuses
        config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      this.#client = new DynamoDBClient(config);
      this.#ownsClient = true;
    }
  }

  /** The physical table name of a logical table (`tables[name]`, else `tablePrefix + name`). */
  tableName(table: string): string {
    if (typeof table !== 'string' || table === '')
      throw stateArgumentError('table must be a non-empty string');
    const physical = this.#options.tables[table] ?? `${this.#options.tablePrefix}${table}`;
    if (!TABLE_NAME.test(physical))
      throw stateArgumentError(
        `table ${JSON.stringify(table)} maps to an invalid DynamoDB table name ${JSON.stringify(physical)}`,
      );
    return physical;
  }

  #nowSeconds(): number {
    return Math.floor(this.#options.clock() / 1000);
  }

  #assertOpen(what: string): void {
    if (this.#closed)
      throw new SignalFactoryError(
        DYNAMODB_ERROR_CODES.CLOSED,
        `${what}: the state store is closed`,
        { retriable: false },
      );
  }

  /** Sends with retries; maps errors; creates a missing table once when `autoCreateTables` is set. */
  async #call<T>(
    table: string,
    operation: string,
    run: () => Promise<T>,
    context: Record<string, unknown> = {},
  ): Promise<T> {
    const attempt = (): Promise<T> =>
      withRetry(
        run,
        {
          maxRetries: this.#options.maxRetries,
          baseMs: this.#options.retryBaseMs,
          maxMs: this.#options.retryMaxMs,
        },
        ({ attempt: n, delayMs, error }) =>
          this.#logger.debug(
            { table, operation, attempt: n, delayMs, err: error },
            'DynamoDB request retried',
          ),
      );
    try {
      return await attempt();
    } catch (error) {
      const mapped = mapDynamoDbError(error, { table, operation, ...context });
      if (mapped.code === DYNAMODB_ERROR_CODES.TABLE_NOT_FOUND && this.#options.autoCreateTables) {
        await this.#ensureTable(table);
        try {
          return await attempt();
        } catch (again) {
          throw mapDynamoDbError(again, { table, operation, ...context });
        }
      }
      throw mapped;
    }
  }

  async get(table: string, key: StateKey): Promise<StateItem | undefined> {
    this.#assertOpen('get');
    const { pk, sk } = checkKey(key, 'get');
    const TableName = this.tableName(table);
    const result = await this.#call(table, 'get', () =>
      this.#client.send(
        new GetItemCommand({
          TableName,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: this.#options.consistentRead,
        }),
      ),
    );
    const item = result.Item as Item | undefined;
    if (item === undefined || isExpired(item, this.#nowSeconds())) return undefined;
    return fromItem(item);
  }

  async put(
    table: string,
    key: StateKey,
    data: StateItem['data'],
    options: PutOptions = {},
  ): Promise<StateItem> {
    this.#assertOpen('put');
    const { pk, sk } = checkKey(key, 'put');
    checkData(data, 'put');
    const expectedVersion = checkVersion(options.expectedVersion, 'put');
    const expiresAt = checkExpiresAt(options.expiresAt, 'put');
    const TableName = this.tableName(table);
    const dataValue = marshallData(data);
    const stored = unmarshall((dataValue.M ?? {}) as Record<string, AttributeValue>, {
      wrapNumbers: toNumber,
    }) as StateItem['data'];
    const result = (version: number): StateItem => ({
      pk,
      sk,
      data: stored,
      version,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    const conditionFailed = (error: unknown): boolean =>
      error instanceof SignalFactoryError && error.code === DYNAMODB_ERROR_CODES.CONDITION_FAILED;

    if (expectedVersion !== undefined) {
      const version = expectedVersion + 1;
      const Item = toItem({ pk, sk }, dataValue, version, expiresAt, table);
      const condition =
        expectedVersion === 0
          ? 'attribute_not_exists(pk) OR #exp <= :now'
          : `#version = :expected AND (${LIVE})`;
      const values: Record<string, AttributeValue> = { ':now': { N: String(this.#nowSeconds()) } };
      if (expectedVersion > 0) values[':expected'] = { N: String(expectedVersion) };
      await this.#call(
        table,
        'put',
        () =>
          this.#client.send(
            new PutItemCommand({
              TableName,
              Item,
              ConditionExpression: condition,
              ExpressionAttributeNames:
                expectedVersion === 0
                  ? { '#exp': NAMES['#exp'] }
                  : { '#exp': NAMES['#exp'], '#version': 'version' },
              ExpressionAttributeValues: values,
            }),
          ),
        { pk, sk, expectedVersion },
      );
      return result(version);
    }

    // Unconditional: increment the live item's version atomically; an absent item starts at 1.
    toItem({ pk, sk }, dataValue, Number.MAX_SAFE_INTEGER, expiresAt, table); // size check
    for (let round = 0; ; round++) {
      const now = String(this.#nowSeconds());
      try {
        const updated = await this.#call(
          table,
          'put',
          () =>
            this.#client.send(
              new UpdateItemCommand({
                TableName,
                Key: { pk: { S: pk }, sk: { S: sk } },
                UpdateExpression:
                  'SET #data = :data, #version = if_not_exists(#version, :zero) + :one' +
                  (expiresAt === undefined ? ' REMOVE #exp' : ', #exp = :exp'),
                ConditionExpression: LIVE,
                ExpressionAttributeNames: { ...NAMES },
                ExpressionAttributeValues: {
                  ':data': dataValue,
                  ':zero': { N: '0' },
                  ':one': { N: '1' },
                  ':now': { N: now },
                  ...(expiresAt === undefined ? {} : { ':exp': { N: String(expiresAt) } }),
                },
                ReturnValues: 'UPDATED_NEW',
              }),
            ),
          { pk, sk },
        );
        return result(Number(updated.Attributes?.version?.N ?? '1'));
      } catch (error) {
        if (!conditionFailed(error) || round >= 3) throw error;
      }
      // The stored item has expired (TTL deletion is lazy): replace it as a new item.
      try {
        await this.#call(
          table,
          'put',
          () =>
            this.#client.send(
              new PutItemCommand({
                TableName,
                Item: toItem({ pk, sk }, dataValue, 1, expiresAt, table),
                ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
                ExpressionAttributeNames: { '#exp': NAMES['#exp'] },
                ExpressionAttributeValues: { ':now': { N: now } },
              }),
            ),
          { pk, sk },
        );
        return result(1);
      } catch (error) {
        if (!conditionFailed(error) || round >= 3) throw error;
      }
    }
  }

  async query(table: string, pk: string, options: QueryOptions = {}): Promise<StateItem[]> {
    this.#assertOpen('query');
    if (typeof pk !== 'string' || pk === '')
      throw stateArgumentError('query: pk must be a non-empty string');
    if (typeof options !== 'object' || options === null)
      throw stateArgumentError('query: options must be an object');
    const { skFrom, skTo, skPrefix, limit, descending } = options;
    for (const [name, value] of Object.entries({ skFrom, skTo, skPrefix }))
      if (value !== undefined && typeof value !== 'string')
        throw stateArgumentError(`query: ${name} must be a string`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
      throw stateArgumentError('query: limit must be an integer ≥ 0');
    if (descending !== undefined && typeof descending !== 'boolean')
      throw stateArgumentError('query: descending must be a boolean');
    if (limit === 0) return [];
    if (skFrom !== undefined && skTo !== undefined && skFrom > skTo) return [];
    const TableName = this.tableName(table);

    const values: Record<string, AttributeValue> = { ':pk': { S: pk } };
    let keyCondition = 'pk = :pk';
    let clientPrefix: string | undefined;
    if (skFrom !== undefined && skTo !== undefined) {
      keyCondition += ' AND sk BETWEEN :from AND :to';
      values[':from'] = { S: skFrom };
      values[':to'] = { S: skTo };
    } else if (skFrom !== undefined) {
      keyCondition += ' AND sk >= :from';
      values[':from'] = { S: skFrom };
    } else if (skTo !== undefined) {
      keyCondition += ' AND sk <= :to';
      values[':to'] = { S: skTo };
    }
    if (skPrefix !== undefined && skPrefix !== '') {
      // DynamoDB allows one sort-key condition; with a range too, the prefix is applied here.
      if (keyCondition === 'pk = :pk') {
        keyCondition += ' AND begins_with(sk, :prefix)';
        values[':prefix'] = { S: skPrefix };
      } else clientPrefix = skPrefix;
    }
    values[':now'] = { N: String(this.#nowSeconds()) };

    const out: StateItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const remaining = limit === undefined ? undefined : limit - out.length;
      const page = await this.#call(
        table,
        'query',
        () =>
          this.#client.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: keyCondition,
              FilterExpression: LIVE,
              ExpressionAttributeNames: { '#exp': NAMES['#exp'] },
              ExpressionAttributeValues: values,
              ScanIndexForward: descending !== true,
              ConsistentRead: this.#options.consistentRead,
              ...(remaining === undefined ? {} : { Limit: Math.min(Math.max(remaining, 1), 1000) }),
              ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
            }),
          ),
        { pk },
      );
      for (const item of (page.Items ?? []) as Item[]) {
        if (clientPrefix !== undefined && !(item.sk?.S ?? '').startsWith(clientPrefix)) continue;
        out.push(fromItem(item));
        if (limit !== undefined && out.length >= limit) return out;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return out;
  }

  async delete(
    table: string,
    key: StateKey,
    options: Pick<PutOptions, 'expectedVersion'> = {},
  ): Promise<void> {
    this.#assertOpen('delete');
    const { pk, sk } = checkKey(key, 'delete');
    const expectedVersion = checkVersion(options.expectedVersion, 'delete');
    const TableName = this.tableName(table);
    const Key = { pk: { S: pk }, sk: { S: sk } };
    const now = { N: String(this.#nowSeconds()) };
    await this.#call(
      table,
      'delete',
      () =>
        this.#client.send(
          expectedVersion === undefined
            ? new DeleteItemCommand({ TableName, Key })
            : expectedVersion === 0
              ? new DeleteItemCommand({
                  TableName,
                  Key,
                  ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
                  ExpressionAttributeNames: { '#exp': NAMES['#exp'] },
                  ExpressionAttributeValues: { ':now': now },
                })
              : new DeleteItemCommand({
                  TableName,
                  Key,
                  ConditionExpression: `#version = :expected AND (${LIVE})`,
                  ExpressionAttributeNames: { '#exp': NAMES['#exp'], '#version': 'version' },
                  ExpressionAttributeValues: {
                    ':now': now,
                    ':expected': { N: String(expectedVersion) },
                  },
                }),
        ),
      { pk, sk, expectedVersion },
    );
  }

  /**
   * Creates the tables that do not exist yet (pk HASH S, sk RANGE S, on-demand) and enables TTL on
   * `expiresAt`. Default: the five Signal Factory tables plus every table named in `tables`.
   */
  async ensureTables(tables?: readonly string[]): Promise<EnsuredTable[]> {
    this.#assertOpen('ensureTables');
    const names = tables ?? [
      ...new Set([...Object.values(STATE_TABLES), ...Object.keys(this.#options.tables)]),
    ];
    if (!Array.isArray(names))
      throw stateArgumentError('ensureTables: tables must be an array of table names');
    return Promise.all(names.map((table) => this.#ensureTable(table)));
  }

  #ensureTable(table: string): Promise<EnsuredTable> {
    let pending = this.#creating.get(table);
    if (pending === undefined) {
      pending = this.#createTable(table).finally(() => this.#creating.delete(table));
      this.#creating.set(table, pending);
    }
    return pending;
  }

  async #createTable(table: string): Promise<EnsuredTable> {
    const TableName = this.tableName(table);
    const send = <T>(operation: string, run: () => Promise<T>): Promise<T> =>
      withRetry(run, {
        maxRetries: this.#options.maxRetries,
        baseMs: this.#options.retryBaseMs,
        maxMs: this.#options.retryMaxMs,
      }).catch((error: unknown) => {
        throw mapDynamoDbError(error, { table, tableName: TableName, operation });
      });
    let created = false;
    let status: string | undefined;
    try {
      const described = await send('describeTable', () =>
        this.#client.send(new DescribeTableCommand({ TableName })),
      );
      status = described.Table?.TableStatus;
    } catch (error) {
      if (
        !(error instanceof SignalFactoryError) ||
        error.code !== DYNAMODB_ERROR_CODES.TABLE_NOT_FOUND
      )
        throw error;
      try {
        await send('createTable', () =>
          this.#client.send(new CreateTableCommand(createTableInput(TableName))),
        );
        created = true;
        this.#logger.info({ table, tableName: TableName }, 'DynamoDB table created');
      } catch (createError) {
        // Someone else created it meanwhile.
        const name = (createError as { cause?: { name?: unknown } }).cause?.name;
        if (name !== 'ResourceInUseException') throw createError;
      }
    }
    const deadline = Date.now() + 120_000;
    while (status !== 'ACTIVE') {
      if (Date.now() > deadline)
        throw new SignalFactoryError(
          DYNAMODB_ERROR_CODES.UNAVAILABLE,
          `DynamoDB table ${TableName} did not become ACTIVE in 120 s`,
          {
            retriable: true,
            details: { table, tableName: TableName, status },
          },
        );
      if (status !== undefined) await sleep(100);
      const described = await send('describeTable', () =>
        this.#client.send(new DescribeTableCommand({ TableName })),
      );
      status = described.Table?.TableStatus;
    }
    return { table, tableName: TableName, created, ttl: await this.#enableTtl(table, TableName) };
  }

  async #enableTtl(table: string, TableName: string): Promise<EnsuredTable['ttl']> {
    try {
      const described = await this.#client.send(new DescribeTimeToLiveCommand({ TableName }));
      const ttl = described.TimeToLiveDescription;
      if (
        (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') &&
        ttl.AttributeName === TTL_ATTRIBUTE
      )
        return 'enabled';
      await this.#client.send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
      return 'enabled';
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === 'UnknownOperationException') {
        this.#logger.warn(
          { table, tableName: TableName },
          'The endpoint does not support TTL; expired items are only hidden on read',
        );
        return 'unsupported';
      }
      if (
        name === 'ValidationException' &&
        /already enabled/i.test(String((error as { message?: unknown }).message))
      )
        return 'enabled';
      throw mapDynamoDbError(error, { table, tableName: TableName, operation: 'updateTimeToLive' });
    }
  }

  /** Stops accepting calls and releases the client's sockets (unless the client was given). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) this.#client.destroy();
  }
}
