import { SignalFactoryError } from '@signal-factory/core';
import { KAFKA_ERROR_CODES } from './errors';

/** Resolves like `promise`, or rejects with `SF_ERR_BUS_CLOSE_TIMEOUT` after `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new SignalFactoryError(
          KAFKA_ERROR_CODES.CLOSE_TIMEOUT,
          `Closing the ${what} took longer than ${ms} ms`,
          { retriable: false, details: { timeoutMs: ms } },
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
