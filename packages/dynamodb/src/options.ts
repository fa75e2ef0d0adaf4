import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignalFactoryError } from '@signal-factory/core';
import { DYNAMODB_ERROR_CODES } from './errors';
import type { Logger } from './logger';

export interface DynamoDbCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface DynamoDbStateStoreOptions {
  /** A client you configured yourself; the store then ignores `region`, `endpoint`, `credentials` and `requestTimeoutMs`, and does not destroy it on `close()`. */
  client?: DynamoDBClient;
  /** AWS region. Default: the SDK's resolution (AWS_REGION…), or `'us-east-1'` when `endpoint` is set. */
  region?: string;
  /** Endpoint URL, e.g. `http://127.0.0.1:8000` for DynamoDB Local or dynalite. Default: AWS. */
  endpoint?: string;
  /**
   * Static credentials. Default: the SDK's default provider chain — except for a loopback
   * `endpoint` (DynamoDB Local, dynalite) with no AWS credentials in the environment, where
   * placeholder keys are used (emulators accept any).
   */
  credentials?: DynamoDbCredentials;
  /** Prefix of physical table names: logical `SignalState` → `<prefix>SignalState`. Default `''`. */
  tablePrefix?: string;
  /** Physical table name per logical table, overriding the prefix rule. Default none. */
  tables?: Record<string, string>;
  /** Create a missing table on first use (for development and tests). Default `false`. */
  autoCreateTables?: boolean;
  /** Strongly consistent reads for `get` and `query`. Default `true`. */
  consistentRead?: boolean;
  /** Retries of a throttled, 5xx or network-failed request. Default 8. */
  maxRetries?: number;
  /** Ceiling of the first retry delay in ms (full jitter, doubled per retry). Default 50. */
  retryBaseMs?: number;
  /** Largest retry delay ceiling in ms. Default 5,000. */
  retryMaxMs?: number;
  /** Time allowed for one HTTP request in ms. Default 10,000. */
  requestTimeoutMs?: number;
  /** Clock in epoch ms, used to hide expired items. Default `Date.now`. */
  clock?: () => number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

export interface ResolvedDynamoDbOptions {
  client: DynamoDBClient | undefined;
  region: string | undefined;
  endpoint: string | undefined;
  credentials: DynamoDbCredentials | undefined;
  tablePrefix: string;
  tables: Record<string, string>;
  autoCreateTables: boolean;
  consistentRead: boolean;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  clock: () => number;
  logger: Logger | undefined;
}

export interface OptionProblem {
  path: string;
  message: string;
}

const KNOWN = new Set([
  'client',
  'region',
  'endpoint',
  'credentials',
  'tablePrefix',
  'tables',
  'autoCreateTables',
  'consistentRead',
  'maxRetries',
  'retryBaseMs',
  'retryMaxMs',
  'requestTimeoutMs',
  'clock',
  'logger',
]);

/** DynamoDB's legal table names. */
export const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates store options and applies defaults. Throws one `SF_ERR_STATE_OPTIONS_INVALID` listing
 * every problem with its path (`details.problems`).
 */
export function resolveDynamoDbOptions(options: unknown = {}): ResolvedDynamoDbOptions {
  const problems: OptionProblem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!isPlainObject(options)) {
    throw new SignalFactoryError(
      DYNAMODB_ERROR_CODES.OPTIONS_INVALID,
      'DynamoDB store options must be an object',
      {
        details: { problems: [{ path: '', message: 'must be an object' }] },
      },
    );
  }
  const o = options;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) add(key, 'is not a known option');

  const int = (key: string, fallback: number, min: number, max: number): number => {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      add(key, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const str = (key: string): string | undefined => {
    const value = o[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      add(key, 'must be a non-empty string');
      return undefined;
    }
    return value;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      add(key, 'must be a boolean');
      return fallback;
    }
    return value;
  };

  let client: DynamoDBClient | undefined;
  if (o.client !== undefined) {
    if (
      typeof o.client !== 'object' ||
      o.client === null ||
      typeof (o.client as { send?: unknown }).send !== 'function'
    )
      add('client', 'must be a DynamoDBClient');
    else client = o.client as DynamoDBClient;
  }
  const region = str('region');
  const endpoint = str('endpoint');
  if (endpoint !== undefined) {
    let ok = false;
    try {
      const url = new URL(endpoint);
      ok = url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) add('endpoint', 'must be an http(s) URL');
  }
  let credentials: DynamoDbCredentials | undefined;
  if (o.credentials !== undefined) {
    const c = o.credentials;
    if (!isPlainObject(c))
      add('credentials', 'must be an object { accessKeyId, secretAccessKey, sessionToken? }');
    else {
      if (typeof c.accessKeyId !== 'string' || c.accessKeyId === '')
        add('credentials.accessKeyId', 'must be a non-empty string');
      if (typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '')
        add('credentials.secretAccessKey', 'must be a non-empty string');
      if (c.sessionToken !== undefined && typeof c.sessionToken !== 'string')
        add('credentials.sessionToken', 'must be a string');
      credentials = c as unknown as DynamoDbCredentials;
    }
  }
  let tablePrefix = '';
  if (o.tablePrefix !== undefined) {
    if (typeof o.tablePrefix !== 'string' || !/^[A-Za-z0-9_.-]{0,200}$/.test(o.tablePrefix))
      add('tablePrefix', 'must be up to 200 characters of letters, digits, "_", "." or "-"');
    else tablePrefix = o.tablePrefix;
  }
  const tables: Record<string, string> = {};
  if (o.tables !== undefined) {
    if (!isPlainObject(o.tables))
      add('tables', 'must be an object mapping logical to physical table names');
    else
      for (const [logical, physical] of Object.entries(o.tables)) {
        if (typeof physical !== 'string' || !TABLE_NAME.test(physical))
          add(
            `tables.${logical}`,
            'must be a table name of 3-255 letters, digits, "_", "." or "-"',
          );
        else tables[logical] = physical;
      }
  }
  const autoCreateTables = bool('autoCreateTables', false);
  const consistentRead = bool('consistentRead', true);
  const maxRetries = int('maxRetries', 8, 0, 100);
  const retryBaseMs = int('retryBaseMs', 50, 1, 60_000);
  const retryMaxMs = int('retryMaxMs', 5_000, 1, 600_000);
  if (retryMaxMs < retryBaseMs) add('retryMaxMs', 'must be at least retryBaseMs');
  const requestTimeoutMs = int('requestTimeoutMs', 10_000, 1, 600_000);
  let clock: () => number = Date.now;
  if (o.clock !== undefined) {
    if (typeof o.clock !== 'function')
      add('clock', 'must be a function returning epoch milliseconds');
    else clock = o.clock as () => number;
  }
  let logger: Logger | undefined;
  if (o.logger !== undefined) {
    const candidate = o.logger;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      ['debug', 'info', 'warn', 'error'].some(
        (level) => typeof (candidate as Record<string, unknown>)[level] !== 'function',
      )
    )
      add('logger', 'must have debug, info, warn and error functions (pino-compatible)');
    else logger = candidate as Logger;
  }

  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path} ${p.message}`);
    throw new SignalFactoryError(
      DYNAMODB_ERROR_CODES.OPTIONS_INVALID,
      `Invalid DynamoDB store options: ${list.join('; ')}`,
      {
        retriable: false,
        details: { problems },
      },
    );
  }
  return {
    client,
    region: region ?? (endpoint !== undefined && client === undefined ? 'us-east-1' : undefined),
    endpoint,
    credentials,
    tablePrefix,
    tables,
    autoCreateTables,
    consistentRead,
    maxRetries,
    retryBaseMs,
    retryMaxMs,
    requestTimeoutMs,
    clock,
    logger,
  };
}
