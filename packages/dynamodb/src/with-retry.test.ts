import { describe, expect, it } from 'vitest';
import { retryDelay, withRetry } from './with-retry';

const throttle = () =>
  Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });

describe('withRetry', () => {
  it('retries throttling with exponential, jittered delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls <= 3) throw throttle();
        return 'ok';
      },
      {
        maxRetries: 5,
        baseMs: 100,
        maxMs: 10_000,
        sleep: async (ms) => void delays.push(ms),
        random: () => 0.999,
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(delays).toEqual([99, 199, 399]);
  });

  it('gives up after the budget with the last error', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw throttle();
      },
      { maxRetries: 2, baseMs: 1, maxMs: 1, sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
  });

  it('does not retry errors that will not change', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
        },
        { maxRetries: 5, baseMs: 1, maxMs: 1, sleep: async () => undefined },
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('caps the delay ceiling at maxMs', () => {
    const policy = { maxRetries: 50, baseMs: 50, maxMs: 5_000 };
    expect(retryDelay(40, policy, () => 0.999999)).toBeLessThan(5_000);
    expect(retryDelay(0, policy, () => 0)).toBe(0);
  });
});
