/** Resolves when `signal` aborts, or on SIGINT/SIGTERM when no signal is given. */
export function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  if (signal !== undefined) {
    if (signal.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) =>
      signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    );
  }
  return new Promise((resolve) => {
    const stop = (name: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(name);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
