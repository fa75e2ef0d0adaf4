export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number;
  /** Pause between checks in milliseconds. Default 25. */
  intervalMs?: number;
  /** Text for the timeout error, or a function producing it (called once, on timeout). */
  message?: string | (() => string);
}

/**
 * Polls `predicate` until it returns (or resolves to) `true`; rejects with an `Error` naming
 * `message` after `timeoutMs`. A predicate that throws is treated as "not yet" and its last
 * error is kept as the timeout error's `cause`.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const text =
        typeof options.message === 'function'
          ? options.message()
          : (options.message ?? 'condition not met');
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${text}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
