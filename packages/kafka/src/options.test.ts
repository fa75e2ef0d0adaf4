import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR_CODES } from './errors';
import { resolveKafkaOptions } from './options';

function problemsOf(options: unknown): { path: string; message: string }[] {
  try {
    resolveKafkaOptions(options);
  } catch (error) {
    expect(error).toMatchObject({ code: KAFKA_ERROR_CODES.OPTIONS_INVALID, retriable: false });
    return (error as { details: { problems: { path: string; message: string }[] } }).details
      .problems;
  }
  return [];
}

describe('resolveKafkaOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveKafkaOptions({ brokers: ['127.0.0.1:9092'] });
    expect(resolved).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      clientId: 'signal-factory',
      defaultPartitions: 64,
      replicationFactor: -1,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      closeTimeoutMs: 30_000,
      logLevel: 'warn',
      producer: {
        lingerMs: 5,
        maxBatchRecords: 1_000,
        maxBatchBytes: 900_000,
        ackTimeoutMs: 30_000,
        compression: 'none',
        client: 'platformatic',
      },
      consumer: {
        sessionTimeoutMs: 30_000,
        heartbeatIntervalMs: 3_000,
        partitionsConsumedConcurrently: 1,
        retryBackoffMs: 100,
        maxRetryBackoffMs: 10_000,
      },
      retry: { retries: 5, initialRetryTimeMs: 300, maxRetryTimeMs: 30_000 },
    });
    expect(resolved.logger).toBeUndefined();
  });

  it('accepts a full configuration with TLS and SASL', () => {
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const resolved = resolveKafkaOptions({
      brokers: ['b-1.example.com:9096', '[::1]:9092'],
      clientId: 'sidecar-7',
      defaultPartitions: 256,
      replicationFactor: 3,
      topicConfig: { 'retention.ms': '604800000' },
      ssl: { rejectUnauthorized: true, servername: 'b-1.example.com' },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      producer: { lingerMs: 0, compression: 'gzip' },
      consumer: { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000 },
      logger,
      logLevel: 'info',
      clientConfig: { metadataMaxAge: 60_000 },
    });
    expect(resolved.defaultPartitions).toBe(256);
    expect(resolved.producer.compression).toBe('gzip');
    expect(resolved.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(resolved.logger).toBe(logger);
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf({
      brokers: ['localhost', 42],
      clientId: 'has space',
      defaultPartitions: 0,
      replicationFactor: 0,
      producer: { lingerMs: -1, compression: 'snappy', client: 'librdkafka', typo: 1 },
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 5_000 },
      sasl: { mechanism: 'plain', username: '' },
      ssl: 'yes',
      logger: console.log,
      logLevel: 'trace',
      unknownOption: true,
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'brokers[0]',
        'brokers[1]',
        'clientId',
        'defaultPartitions',
        'replicationFactor',
        'producer.lingerMs',
        'producer.compression',
        'producer.client',
        'producer.typo',
        'consumer.heartbeatIntervalMs',
        'sasl.username',
        'sasl.password',
        'ssl',
        'logger',
        'logLevel',
        'unknownOption',
      ].sort(),
    );
  });

  it('requires brokers', () => {
    expect(problemsOf({}).map((p) => p.path)).toEqual(['brokers']);
    expect(problemsOf({ brokers: [] }).map((p) => p.path)).toEqual(['brokers']);
    expect(problemsOf(undefined).map((p) => p.path)).toEqual(['']);
  });

  it('checks each SASL mechanism', () => {
    expect(
      problemsOf({ brokers: ['h:1'], sasl: { mechanism: 'kerberos' } }).map((p) => p.path),
    ).toEqual(['sasl.mechanism']);
    expect(
      problemsOf({ brokers: ['h:1'], sasl: { mechanism: 'oauthbearer' } }).map((p) => p.path),
    ).toEqual(['sasl.oauthBearerProvider']);
    expect(
      problemsOf({
        brokers: ['h:1'],
        sasl: { mechanism: 'aws', authorizationIdentity: 'a', accessKeyId: 'b' },
      }).map((p) => p.path),
    ).toEqual(['sasl.secretAccessKey']);
  });

  it('never throws anything but a typed error, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (options) => {
        try {
          resolveKafkaOptions(options);
        } catch (error) {
          expect(error).toMatchObject({ code: KAFKA_ERROR_CODES.OPTIONS_INVALID });
        }
      }),
      { numRuns: 300 },
    );
  });
});
