import { randomBytes } from 'node:crypto';
import { murmur2 as platformaticMurmur2 } from '@platformatic/kafka';
import { murmur2 } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR_CODES, mapKafkaError } from './errors';
import { PlatformaticProducer, toProduceError } from './platformatic-producer';

describe('PlatformaticProducer', () => {
  it("places keys as @platformatic/kafka's (BigInt) murmur2 would, for every tail length", () => {
    // the producer hashes with core's 32-bit murmur2; it must agree with the client's own port
    for (let n = 0; n < 2_000; n++) {
      const key = randomBytes(n % 67);
      expect(murmur2(key)).toBe(platformaticMurmur2(key));
    }
  });

  it('fails in bounded time with a retriable connection error when no broker answers', async () => {
    const producer = new PlatformaticProducer({
      brokers: ['127.0.0.1:1'],
      connectionTimeoutMs: 200,
      retries: 1,
      retryDelayMs: 10,
    });
    const started = Date.now();
    await expect(producer.connect()).rejects.toMatchObject({
      name: 'KafkaClientConnectionError',
      retriable: true,
    });
    const error = await producer
      .produce([{ topic: 't', messages: [{ key: 'k', value: 'v' }] }])
      .catch((e: unknown) => e);
    expect(mapKafkaError(error, 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.CONNECTION,
      retriable: true,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    await producer.disconnect();
    await expect(producer.send({ topic: 't', messages: [{ value: 'v' }] })).rejects.toBeInstanceOf(
      Error,
    );
  });

  it('reports every invalid option at construction, with its path', () => {
    let error: unknown;
    try {
      new PlatformaticProducer({
        brokers: ['localhost', 42 as unknown as string],
        acks: 2 as unknown as -1,
        retries: -1,
        requestTimeoutMs: 1.5,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: KAFKA_ERROR_CODES.OPTIONS_INVALID, retriable: false });
    const problems = (error as { details: { problems: Array<{ path: string }> } }).details.problems;
    expect(problems.map((p) => p.path)).toEqual([
      'brokers[0]',
      'brokers[1]',
      'acks',
      'requestTimeoutMs',
      'retries',
    ]);
    expect(() => new PlatformaticProducer({ brokers: [] })).toThrow(/brokers/);
  });

  it('maps broker answers to their Kafka error names and retriability', () => {
    const tooLarge = toProduceError(
      Object.assign(
        new AggregateError([
          Object.assign(new Error('too large'), { apiId: 'MESSAGE_TOO_LARGE', canRetry: false }),
        ]),
        { code: 'PLT_KFK_RESPONSE' },
      ),
    );
    expect(tooLarge).toMatchObject({ type: 'MESSAGE_TOO_LARGE', retriable: false });
    expect(mapKafkaError(tooLarge, 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.MESSAGE_TOO_LARGE,
      retriable: false,
    });
    const notLeader = toProduceError(
      Object.assign(new Error('x'), { apiId: 'NOT_LEADER_OR_FOLLOWER', canRetry: true }),
    );
    expect(mapKafkaError(notLeader, 'publish')).toMatchObject({
      code: KAFKA_ERROR_CODES.PUBLISH_FAILED,
      retriable: true,
    });
  });
});
