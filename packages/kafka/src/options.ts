import { SignalFactoryError } from '@signal-factory/core';
import { KAFKA_ERROR_CODES } from './errors';
import type { Logger } from './logger';

/** TLS settings passed to `tls.connect` (a subset of Node's `tls.ConnectionOptions`). */
export interface KafkaTlsOptions {
  /** Trusted CA certificates (PEM). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain (PEM), for mutual TLS. */
  cert?: string | Buffer | Array<string | Buffer>;
  /** Client private key (PEM), for mutual TLS. */
  key?: string | Buffer | Array<string | Buffer>;
  /** Passphrase of `key`. */
  passphrase?: string;
  /** Verify the broker's certificate. Default `true`. */
  rejectUnauthorized?: boolean;
  /** SNI server name. */
  servername?: string;
}

/** SASL authentication, passed through to the Kafka client. */
export type KafkaSaslOptions =
  | {
      mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      username: string;
      password: string;
    }
  | {
      mechanism: 'oauthbearer';
      /** Returns a fresh token; called at every (re)authentication. */
      oauthBearerProvider: () => Promise<{ value: string }>;
    }
  | {
      mechanism: 'aws';
      authorizationIdentity: string;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
    };

/** Producer batching. kafkajs does not batch by itself; the bus does. */
export interface KafkaProducerOptions {
  /** How long the first record of a batch waits for more before sending, in ms. Default 5. */
  lingerMs?: number;
  /** Most records in one produce request. Default 1,000. */
  maxBatchRecords?: number;
  /** Most key + value + header bytes in one produce request. Default 900,000 (below the broker's 1 MiB `message.max.bytes`). */
  maxBatchBytes?: number;
  /** Broker-side time allowed for a produce request to be acknowledged by all in-sync replicas, in ms. Default 30,000. */
  ackTimeoutMs?: number;
  /** Compression of produce requests. Default `'none'`. */
  compression?: 'none' | 'gzip';
  /**
   * Kafka client that produces: `'platformatic'` (default; `@platformatic/kafka`, encodes into
   * reused buffers: about half of kafkajs's CPU per record) or `'kafkajs'`. With `ssl` or `sasl`
   * set the bus produces with kafkajs, whose security options it passes through.
   */
  client?: 'platformatic' | 'kafkajs';
}

/** Consumer-group member settings. */
export interface KafkaConsumerOptions {
  /** Group session timeout in ms. Default 30,000. */
  sessionTimeoutMs?: number;
  /** Group rebalance timeout in ms. Default 60,000. */
  rebalanceTimeoutMs?: number;
  /** Heartbeat interval in ms; below a third of the session timeout. Default 3,000. */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for data, in ms. Default 500. */
  maxWaitTimeMs?: number;
  /** Most bytes fetched per partition per request. Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Partitions whose batches are handled at the same time, per member. Default 1. */
  partitionsConsumedConcurrently?: number;
  /** First pause before a failed batch is delivered again, in ms; doubled per failure, with jitter. Default 100. */
  retryBackoffMs?: number;
  /** Longest pause before a failed batch is delivered again, in ms. Default 10,000. */
  maxRetryBackoffMs?: number;
}

/** Retries of the Kafka client for broker requests. */
export interface KafkaRetryOptions {
  /** Retries of a failed request (the idempotent producer always retries without limit). Default 5. */
  retries?: number;
  /** First retry delay in ms. Default 300. */
  initialRetryTimeMs?: number;
  /** Longest retry delay in ms. Default 30,000. */
  maxRetryTimeMs?: number;
}

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaEvidenceBusOptions {
  /** Bootstrap brokers as `host:port`. Required, at least one. */
  brokers: string[];
  /** Client id reported to the brokers. Default `'signal-factory'`. */
  clientId?: string;
  /** Partition count of topics created by `ensureTopic` without an explicit count. Default 64. */
  defaultPartitions?: number;
  /** Replication factor of created topics; `-1` uses the broker's `default.replication.factor`. Default -1. */
  replicationFactor?: number;
  /** Topic configuration of created topics, e.g. `{ 'retention.ms': '604800000' }`. Default none. */
  topicConfig?: Record<string, string>;
  /** TLS: `true` for the system CAs, or explicit settings. Default off. */
  ssl?: boolean | KafkaTlsOptions;
  /** SASL authentication. Default none. */
  sasl?: KafkaSaslOptions;
  /** TCP connect timeout in ms. Default 3,000. */
  connectionTimeoutMs?: number;
  /** Request timeout in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Client retries. */
  retry?: KafkaRetryOptions;
  /** Producer batching. */
  producer?: KafkaProducerOptions;
  /** Consumer-group members. */
  consumer?: KafkaConsumerOptions;
  /** Longest `close()` (and `Subscription.close()`) waits for flushing and committing, in ms. Default 30,000. */
  closeTimeoutMs?: number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
  /** Level of the Kafka client's own messages forwarded to `logger`. Default `'warn'`. */
  logLevel?: KafkaLogLevel;
  /**
   * Escape hatch: extra settings merged into the Kafka client's configuration (kafkajs `KafkaConfig`),
   * e.g. `metadataMaxAge` or `socketFactory`, for what these options do not cover. Settings these
   * options cover (brokers, client id, timeouts, retry, TLS, SASL, logging) take precedence.
   */
  clientConfig?: Readonly<Record<string, unknown>>;
}

/** Options after validation, with every default applied. */
export interface ResolvedKafkaOptions {
  brokers: string[];
  clientId: string;
  defaultPartitions: number;
  replicationFactor: number;
  topicConfig: Record<string, string>;
  ssl: boolean | KafkaTlsOptions | undefined;
  sasl: KafkaSaslOptions | undefined;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retry: Required<KafkaRetryOptions>;
  producer: Required<KafkaProducerOptions>;
  consumer: Required<KafkaConsumerOptions>;
  closeTimeoutMs: number;
  logger: Logger | undefined;
  logLevel: KafkaLogLevel;
  clientConfig: Readonly<Record<string, unknown>>;
}

export interface OptionProblem {
  path: string;
  message: string;
}

const TOP_LEVEL_KEYS = new Set([
  'brokers',
  'clientId',
  'defaultPartitions',
  'replicationFactor',
  'topicConfig',
  'ssl',
  'sasl',
  'connectionTimeoutMs',
  'requestTimeoutMs',
  'retry',
  'producer',
  'consumer',
  'closeTimeoutMs',
  'logger',
  'logLevel',
  'clientConfig',
]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Collects every option problem with its path; `throwIfAny` raises them as one typed error. */
export class Checker {
  readonly problems: OptionProblem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  int(
    source: Record<string, unknown>,
    key: string,
    path: string,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number {
    const value = source[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  object(
    source: Record<string, unknown>,
    key: string,
    path: string,
    allowed: readonly string[],
  ): Record<string, unknown> {
    const value = source[key];
    if (value === undefined) return {};
    if (!isPlainObject(value)) {
      this.add(path, 'must be an object');
      return {};
    }
    for (const k of Object.keys(value)) {
      if (!allowed.includes(k)) this.add(`${path}.${k}`, 'is not a known option');
    }
    return value;
  }

  /** `brokers`: a non-empty array of `host:port`. */
  brokers(value: unknown): string[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.add('brokers', "is required: a non-empty array of 'host:port' strings");
      return [];
    }
    value.forEach((broker: unknown, index) => {
      if (!isHostPort(broker)) this.add(`brokers[${index}]`, "must be 'host:port'");
    });
    return [...(value as string[])];
  }

  /** Throws one `SF_ERR_BUS_OPTIONS_INVALID` listing every problem (`details.problems`). */
  throwIfAny(what: string): void {
    if (this.problems.length === 0) return;
    const list = this.problems.map(
      (problem) => `${problem.path || '(options)'} ${problem.message}`,
    );
    throw new SignalFactoryError(
      KAFKA_ERROR_CODES.OPTIONS_INVALID,
      `Invalid ${what} options: ${list.join('; ')}`,
      { retriable: false, details: { problems: this.problems } },
    );
  }
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** `host:port` (or `[ipv6]:port`) with a port in 1-65535. */
export function isHostPort(broker: unknown): boolean {
  const match = typeof broker === 'string' ? HOST_PORT.exec(broker) : null;
  const port = match ? Number(match[2]) : 0;
  return match !== null && port >= 1 && port <= 65535;
}

function checkSasl(check: Checker, value: unknown): KafkaSaslOptions | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    check.add('sasl', 'must be an object with a mechanism');
    return undefined;
  }
  const str = (key: string): void => {
    if (typeof value[key] !== 'string' || value[key] === '')
      check.add(`sasl.${key}`, 'must be a non-empty string');
  };
  switch (value.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      str('username');
      str('password');
      break;
    case 'oauthbearer':
      if (typeof value.oauthBearerProvider !== 'function')
        check.add(
          'sasl.oauthBearerProvider',
          'must be a function returning a promise of { value }',
        );
      break;
    case 'aws':
      str('authorizationIdentity');
      str('accessKeyId');
      str('secretAccessKey');
      if (value.sessionToken !== undefined && typeof value.sessionToken !== 'string')
        check.add('sasl.sessionToken', 'must be a string');
      break;
    default:
      check.add(
        'sasl.mechanism',
        "must be one of 'plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', 'aws'",
      );
  }
  return value as unknown as KafkaSaslOptions;
}

function checkSsl(check: Checker, value: unknown): boolean | KafkaTlsOptions | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (!isPlainObject(value)) {
    check.add('ssl', 'must be a boolean or an object of TLS settings');
    return undefined;
  }
  const allowed = ['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername'];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) check.add(`ssl.${key}`, 'is not a known option');
  }
  if (value.rejectUnauthorized !== undefined && typeof value.rejectUnauthorized !== 'boolean')
    check.add('ssl.rejectUnauthorized', 'must be a boolean');
  for (const key of ['passphrase', 'servername']) {
    if (value[key] !== undefined && typeof value[key] !== 'string')
      check.add(`ssl.${key}`, 'must be a string');
  }
  return value as KafkaTlsOptions;
}

/**
 * Validates bus options and applies defaults. Throws one `SF_ERR_BUS_OPTIONS_INVALID` listing every
 * problem with its path (`details.problems`).
 */
export function resolveKafkaOptions(options: unknown): ResolvedKafkaOptions {
  const check = new Checker();
  if (!isPlainObject(options)) {
    throw new SignalFactoryError(
      KAFKA_ERROR_CODES.OPTIONS_INVALID,
      'Kafka bus options must be an object',
      {
        details: { problems: [{ path: '', message: 'must be an object' }] },
      },
    );
  }
  for (const key of Object.keys(options)) {
    if (!TOP_LEVEL_KEYS.has(key)) check.add(key, 'is not a known option');
  }

  const brokers = check.brokers(options.brokers);

  let clientId = 'signal-factory';
  if (options.clientId !== undefined) {
    if (typeof options.clientId !== 'string' || !/^[A-Za-z0-9._-]{1,255}$/.test(options.clientId))
      check.add('clientId', 'must be 1-255 characters of letters, digits, ".", "_" or "-"');
    else clientId = options.clientId;
  }

  const defaultPartitions = check.int(
    options,
    'defaultPartitions',
    'defaultPartitions',
    64,
    1,
    100_000,
  );
  let replicationFactor = -1;
  if (options.replicationFactor !== undefined) {
    const value = options.replicationFactor;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      (value !== -1 && (value < 1 || value > 32767))
    )
      check.add('replicationFactor', 'must be -1 (broker default) or an integer from 1 to 32767');
    else replicationFactor = value;
  }

  const topicConfig: Record<string, string> = {};
  if (options.topicConfig !== undefined) {
    if (!isPlainObject(options.topicConfig))
      check.add('topicConfig', 'must be an object of string values');
    else
      for (const [key, value] of Object.entries(options.topicConfig)) {
        if (typeof value !== 'string') check.add(`topicConfig.${key}`, 'must be a string');
        else topicConfig[key] = value;
      }
  }

  const ssl = checkSsl(check, options.ssl);
  const sasl = checkSasl(check, options.sasl);
  const connectionTimeoutMs = check.int(
    options,
    'connectionTimeoutMs',
    'connectionTimeoutMs',
    3_000,
    1,
    600_000,
  );
  const requestTimeoutMs = check.int(
    options,
    'requestTimeoutMs',
    'requestTimeoutMs',
    30_000,
    1,
    600_000,
  );
  const closeTimeoutMs = check.int(
    options,
    'closeTimeoutMs',
    'closeTimeoutMs',
    30_000,
    1,
    3_600_000,
  );

  const r = check.object(options, 'retry', 'retry', [
    'retries',
    'initialRetryTimeMs',
    'maxRetryTimeMs',
  ]);
  const retry = {
    retries: check.int(r, 'retries', 'retry.retries', 5, 0, 1_000),
    initialRetryTimeMs: check.int(
      r,
      'initialRetryTimeMs',
      'retry.initialRetryTimeMs',
      300,
      1,
      600_000,
    ),
    maxRetryTimeMs: check.int(r, 'maxRetryTimeMs', 'retry.maxRetryTimeMs', 30_000, 1, 3_600_000),
  };

  const p = check.object(options, 'producer', 'producer', [
    'lingerMs',
    'maxBatchRecords',
    'maxBatchBytes',
    'ackTimeoutMs',
    'compression',
    'client',
  ]);
  let compression: 'none' | 'gzip' = 'none';
  if (p.compression !== undefined) {
    if (p.compression !== 'none' && p.compression !== 'gzip')
      check.add('producer.compression', "must be 'none' or 'gzip'");
    else compression = p.compression;
  }
  let client: 'platformatic' | 'kafkajs' = 'platformatic';
  if (p.client !== undefined) {
    if (p.client !== 'platformatic' && p.client !== 'kafkajs')
      check.add('producer.client', "must be 'platformatic' or 'kafkajs'");
    else client = p.client;
  }
  const producer = {
    lingerMs: check.int(p, 'lingerMs', 'producer.lingerMs', 5, 0, 60_000),
    maxBatchRecords: check.int(
      p,
      'maxBatchRecords',
      'producer.maxBatchRecords',
      1_000,
      1,
      1_000_000,
    ),
    maxBatchBytes: check.int(
      p,
      'maxBatchBytes',
      'producer.maxBatchBytes',
      900_000,
      1,
      1_073_741_824,
    ),
    ackTimeoutMs: check.int(p, 'ackTimeoutMs', 'producer.ackTimeoutMs', 30_000, 1, 600_000),
    compression,
    client,
  };

  const c = check.object(options, 'consumer', 'consumer', [
    'sessionTimeoutMs',
    'rebalanceTimeoutMs',
    'heartbeatIntervalMs',
    'maxWaitTimeMs',
    'maxBytesPerPartition',
    'partitionsConsumedConcurrently',
    'retryBackoffMs',
    'maxRetryBackoffMs',
  ]);
  const consumer = {
    sessionTimeoutMs: check.int(
      c,
      'sessionTimeoutMs',
      'consumer.sessionTimeoutMs',
      30_000,
      1_000,
      3_600_000,
    ),
    rebalanceTimeoutMs: check.int(
      c,
      'rebalanceTimeoutMs',
      'consumer.rebalanceTimeoutMs',
      60_000,
      1_000,
      3_600_000,
    ),
    heartbeatIntervalMs: check.int(
      c,
      'heartbeatIntervalMs',
      'consumer.heartbeatIntervalMs',
      3_000,
      1,
      3_600_000,
    ),
    maxWaitTimeMs: check.int(c, 'maxWaitTimeMs', 'consumer.maxWaitTimeMs', 500, 0, 60_000),
    maxBytesPerPartition: check.int(
      c,
      'maxBytesPerPartition',
      'consumer.maxBytesPerPartition',
      1_048_576,
      1,
      1_073_741_824,
    ),
    partitionsConsumedConcurrently: check.int(
      c,
      'partitionsConsumedConcurrently',
      'consumer.partitionsConsumedConcurrently',
      1,
      1,
      10_000,
    ),
    retryBackoffMs: check.int(c, 'retryBackoffMs', 'consumer.retryBackoffMs', 100, 0, 600_000),
    maxRetryBackoffMs: check.int(
      c,
      'maxRetryBackoffMs',
      'consumer.maxRetryBackoffMs',
      10_000,
      0,
      3_600_000,
    ),
  };
  if (consumer.heartbeatIntervalMs * 3 > consumer.sessionTimeoutMs)
    check.add(
      'consumer.heartbeatIntervalMs',
      'must be at most a third of consumer.sessionTimeoutMs',
    );
  if (consumer.maxRetryBackoffMs < consumer.retryBackoffMs)
    check.add('consumer.maxRetryBackoffMs', 'must be at least consumer.retryBackoffMs');
  if (retry.maxRetryTimeMs < retry.initialRetryTimeMs)
    check.add('retry.maxRetryTimeMs', 'must be at least retry.initialRetryTimeMs');

  let logger: Logger | undefined;
  if (options.logger !== undefined) {
    const candidate = options.logger;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      ['debug', 'info', 'warn', 'error'].some(
        (level) => typeof (candidate as Record<string, unknown>)[level] !== 'function',
      )
    )
      check.add('logger', 'must have debug, info, warn and error functions (pino-compatible)');
    else logger = options.logger as Logger;
  }
  let logLevel: KafkaLogLevel = 'warn';
  if (options.logLevel !== undefined) {
    if (!['error', 'warn', 'info', 'debug'].includes(options.logLevel as string))
      check.add('logLevel', "must be 'error', 'warn', 'info' or 'debug'");
    else logLevel = options.logLevel as KafkaLogLevel;
  }
  let clientConfig: Readonly<Record<string, unknown>> = {};
  if (options.clientConfig !== undefined) {
    if (!isPlainObject(options.clientConfig)) check.add('clientConfig', 'must be an object');
    else clientConfig = options.clientConfig;
  }

  check.throwIfAny('Kafka bus');

  return {
    brokers,
    clientId,
    defaultPartitions,
    replicationFactor,
    topicConfig,
    ssl,
    sasl,
    connectionTimeoutMs,
    requestTimeoutMs,
    retry,
    producer,
    consumer,
    closeTimeoutMs,
    logger,
    logLevel,
    clientConfig,
  };
}
