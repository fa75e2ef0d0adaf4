import { describe, expect, it, vi } from 'vitest';
import { HEADERS } from '@signal-factory/core';
import { createProducer, instrument } from './instrument';
import { InMemoryKafkaProducer } from './testing';
import type { SfMessage } from './types';

const base = { service: { name: 'orders-svc', version: '1.4.2' }, env: {} };

function lastRecords(p: InMemoryKafkaProducer) {
  return p.transport.records;
}

describe('instrument: headers', () => {
  it('adds producer identity and send-time event time to every record', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, base);
    const before = Date.now();
    const meta = await producer.send({
      topic: 't',
      messages: [{ value: 'a' }, { key: 'k', value: 'b' }],
    });
    expect(meta).toEqual([{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '0' }]);
    const recs = lastRecords(raw);
    expect(recs).toHaveLength(2);
    for (const r of recs) {
      expect(r.headers[HEADERS.producerService]).toBe('orders-svc');
      expect(r.headers[HEADERS.producerVersion]).toBe('1.4.2');
      const t = Date.parse(String(r.headers[HEADERS.eventTime]));
      expect(t).toBeGreaterThanOrEqual(before - 1);
      expect(t).toBeLessThanOrEqual(Date.now() + 1);
      expect(r.headers[HEADERS.enforcement]).toBeUndefined();
      expect(r.headers.traceparent).toBeUndefined();
    }
    expect(recs[1]!.key).toBe('k');
  });

  it('takes the event time from the configured payload field (ISO or epoch ms), else send time', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, { ...base, eventTimeField: 'meta.created_at' });
    await producer.send({
      topic: 't',
      messages: [
        { value: JSON.stringify({ meta: { created_at: '2026-11-25T10:00:00+01:00' } }) },
        { value: JSON.stringify({ meta: { created_at: 1764064800000 } }) },
        { value: JSON.stringify({ meta: { created_at: 'yesterday-ish' } }) },
        { value: 'not json' },
      ],
    });
    const times = lastRecords(raw).map((r) => r.headers[HEADERS.eventTime]);
    expect(times[0]).toBe('2026-11-25T09:00:00.000Z');
    expect(times[1]).toBe('2025-11-25T10:00:00.000Z');
    expect(Math.abs(Date.parse(String(times[2])) - Date.now())).toBeLessThan(5_000);
    expect(Math.abs(Date.parse(String(times[3])) - Date.now())).toBeLessThan(5_000);
  });

  it('never overwrites headers the application set, in any case, and never mutates its messages', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, base);
    const message: SfMessage = {
      value: 'x',
      headers: {
        'X-Obs-Producer-Service': 'legacy-name',
        [HEADERS.eventTime]: '2020-01-01T00:00:00Z',
        other: Buffer.from('b'),
      },
    };
    const snapshot = structuredClone({ ...message, headers: { ...message.headers, other: 'b' } });
    await producer.send({ topic: 't', messages: [message] });
    const h = lastRecords(raw)[0]!.headers;
    expect(h['X-Obs-Producer-Service']).toBe('legacy-name');
    expect(h[HEADERS.producerService]).toBeUndefined();
    expect(h[HEADERS.eventTime]).toBe('2020-01-01T00:00:00Z');
    expect(Buffer.isBuffer(h.other)).toBe(true);
    expect(Object.keys(message.headers!)).toEqual(Object.keys(snapshot.headers));
  });

  it('keeps the rest of the producer: other methods pass through, disconnect closes', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, base);
    await producer.connect();
    expect(raw.connected).toBe(true);
    await producer.disconnect();
    expect(raw.connected).toBe(false);
    await expect(producer.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toMatchObject({
      code: 'SF_ERR_SDK_CLOSED',
    });
  });

  it('sendBatch keeps the kafkajs shape and serves several topics', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, base);
    const meta = await producer.sendBatch({
      topicMessages: [
        { topic: 'a', messages: [{ value: '1' }] },
        { topic: 'b', messages: [{ value: '2', partition: 3 }] },
      ],
    });
    expect(meta.map((m) => `${m.topicName}/${m.partition}`).sort()).toEqual(['a/0', 'b/3']);
    expect(raw.calls[0]!.topicMessages).toHaveLength(2);
  });

  it('createProducer passes producerConfig and validates options before creating a producer', () => {
    const factory = vi.fn((_cfg?: { idempotent: boolean }) => new InMemoryKafkaProducer());
    const p = createProducer(
      { producer: factory },
      { ...base, producerConfig: { idempotent: true } },
    );
    expect(factory).toHaveBeenCalledWith({ idempotent: true });
    expect(typeof p.send).toBe('function');
    expect(() =>
      createProducer({ producer: factory }, { env: {}, sidecar: { batchSize: -1 } }),
    ).toThrow(/sidecar\.batchSize/);
    expect(factory).toHaveBeenCalledTimes(1);
  });
});

describe('instrument: bad input', () => {
  it('serialises plain objects and rejects values that cannot be serialised with a typed error', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, base);
    await producer.send({ topic: 't', messages: [{ value: { a: 1 } as unknown as string }] });
    expect(lastRecords(raw)[0]!.value).toBe('{"a":1}');

    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad = [
      { value: circular as unknown as string },
      { value: { n: 10n } as unknown as string },
      { value: 42 as unknown as string },
      { value: undefined as unknown as string },
    ];
    const err = await producer
      .send({ topic: 't', messages: [{ value: 'ok' }, ...bad] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_ERR_SDK_RECORD_NOT_SERIALISABLE' });
    expect((err as { rejected: { index: number }[] }).rejected.map((r) => r.index)).toEqual([
      1, 2, 3, 4,
    ]);
    // nothing of that send was written: partial sends are off by default
    expect(lastRecords(raw)).toHaveLength(1);
    expect(producer.sf.metrics().recordsRejected).toBe(4);
  });

  it('rejects a malformed send argument through the promise, not synchronously', async () => {
    const producer = instrument(new InMemoryKafkaProducer(), base);
    const p = producer.send(null as never);
    await expect(p).rejects.toMatchObject({ code: 'SF_ERR_SDK_RECORD_NOT_SERIALISABLE' });
  });

  it('throws SF_ERR_SDK_INVALID_OPTIONS for something that is not a producer', () => {
    expect(() => instrument({} as never, base)).toThrow(
      expect.objectContaining({ code: 'SF_ERR_SDK_INVALID_OPTIONS' }),
    );
  });

  it('survives a throwing logger and hook', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    const producer = instrument(new InMemoryKafkaProducer(), {
      ...base,
      logger: { debug: boom, info: boom, warn: boom, error: boom },
    });
    await expect(producer.send({ topic: 't', messages: [{ value: 'a' }] })).resolves.toHaveLength(
      1,
    );
  });
});
