import { describe, expect, it } from 'vitest';
import { backoffDelay, toConsumedMessage } from './group-subscription';

describe('toConsumedMessage', () => {
  it('turns a kafkajs message into strings, last header value winning', () => {
    const consumed = toConsumedMessage('t', 3, {
      key: Buffer.from('urn:dp:orders:created'),
      value: Buffer.from('{"a":1}'),
      timestamp: '1700000000123',
      attributes: 0,
      offset: '42',
      size: 0,
      headers: { a: Buffer.from('ü'), b: ['1', Buffer.from('2')], c: undefined },
    } as never);
    expect(consumed).toEqual({
      topic: 't',
      partition: 3,
      offset: '42',
      key: 'urn:dp:orders:created',
      value: '{"a":1}',
      headers: { a: 'ü', b: '2' },
      timestamp: 1700000000123,
    });
  });

  it('maps null key and value (tombstones) to empty strings', () => {
    const consumed = toConsumedMessage('t', 0, {
      key: null,
      value: null,
      timestamp: '1',
      attributes: 0,
      offset: '0',
      size: 0,
    });
    expect(consumed).toMatchObject({ key: '', value: '', headers: {} });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially within [ceiling/2, ceiling] and stops at the maximum', () => {
    for (let failures = 1; failures <= 12; failures++) {
      const ceiling = Math.min(5_000, 100 * 2 ** (failures - 1));
      for (let i = 0; i < 20; i++) {
        const delay = backoffDelay(failures, 100, 5_000);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});
