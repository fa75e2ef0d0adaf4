import { classifyAwsError } from './errors';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Ceiling of the first delay in ms; doubled per retry. */
  baseMs: number;
  /** Largest delay ceiling in ms. */
  maxMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: unknown;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before retry number `attempt` (0-based): "full jitter" exponential backoff. */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `operation`, retrying throttling (ProvisionedThroughputExceeded, Throttling, RequestLimitExceeded),
 * 5xx and network errors with exponential backoff and full jitter. Other errors, and the last
 * retriable one once the budget is spent, are thrown as they are (the caller maps them).
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (classifyAwsError(error) === 'other' || attempt >= policy.maxRetries) throw error;
      const delayMs = retryDelay(attempt, policy, random);
      onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
}
