import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR_CODES } from './errors';
import { KafkaEvidenceBus } from './kafka-evidence-bus';

// Nothing listens on port 1: every check below must happen before any connection is attempted.
const options = { brokers: ['127.0.0.1:1'], connectionTimeoutMs: 100, retry: { retries: 0 } };

describe('KafkaEvidenceBus (no broker needed)', () => {
  it('validates options in the constructor and does not connect', () => {
    expect(() => new KafkaEvidenceBus({ brokers: [] })).toThrow(
      expect.objectContaining({ code: KAFKA_ERROR_CODES.OPTIONS_INVALID }),
    );
    expect(() => new KafkaEvidenceBus(options)).not.toThrow();
  });

  it('rejects malformed topics and messages with SF_ERR_BUS_ARGUMENT_INVALID', async () => {
    const bus = new KafkaEvidenceBus(options);
    const invalid = { code: KAFKA_ERROR_CODES.ARGUMENT_INVALID, retriable: false };
    await expect(bus.publish('bad topic!', [{ key: 'k', value: 'v' }])).rejects.toMatchObject(
      invalid,
    );
    await expect(bus.publish('t', [{ key: 1, value: 'v' } as never])).rejects.toMatchObject(
      invalid,
    );
    await expect(
      bus.publish('t', [{ key: 'k', value: 'v', headers: { h: 1 } } as never]),
    ).rejects.toMatchObject({
      ...invalid,
      details: { problems: ['messages[0].headers.h must be a string'] },
    });
    await expect(bus.publish('t', [{ key: 'k', value: 'v', timestamp: -5 }])).rejects.toMatchObject(
      invalid,
    );
    await expect(bus.publish('t', 'nope' as never)).rejects.toMatchObject(invalid);
    await expect(bus.ensureTopic('..')).rejects.toMatchObject(invalid);
    await expect(bus.ensureTopic('t', { partitions: 0 })).rejects.toMatchObject(invalid);
    await expect(
      bus.subscribe({ groupId: '', topics: ['t'] }, async () => undefined),
    ).rejects.toMatchObject(invalid);
    await expect(
      bus.subscribe({ groupId: 'g', topics: [] }, async () => undefined),
    ).rejects.toMatchObject(invalid);
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['t'], maxBatchSize: 0 }, async () => undefined),
    ).rejects.toMatchObject(invalid);
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['t'] }, 'x' as never),
    ).rejects.toMatchObject(invalid);
    await bus.close();
  });

  it('closes idempotently without ever connecting, then refuses work', async () => {
    const bus = new KafkaEvidenceBus(options);
    await Promise.all([bus.close(), bus.close()]);
    await bus.flush();
    const closed = { code: KAFKA_ERROR_CODES.CLOSED };
    await expect(bus.publish('t', [{ key: 'k', value: 'v' }])).rejects.toMatchObject(closed);
    await expect(bus.ensureTopic('t')).rejects.toMatchObject(closed);
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['t'] }, async () => undefined),
    ).rejects.toMatchObject(closed);
  });
});
