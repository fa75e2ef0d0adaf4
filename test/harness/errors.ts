/** A failure of the test harness itself: a missing tool, a server that would not start. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
