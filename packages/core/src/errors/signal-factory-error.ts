/**
 * Every error Signal Factory throws on purpose. Users match on `code`, never on `message`.
 * Codes are stable strings of the form `SF_ERR_<AREA>_<WHAT>`; see the package README.
 */
export interface SignalFactoryErrorOptions {
  /** The underlying error, kept for diagnostics. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed (network blips, throttling, not-ready). */
  retriable?: boolean;
  /** Structured, value-free details (paths, expected kinds) that help a person act. */
  details?: Record<string, unknown>;
}

export class SignalFactoryError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: SignalFactoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SignalFactoryError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True for any error carrying a Signal Factory code (also across duplicated package copies). */
export function isSignalFactoryError(error: unknown): error is SignalFactoryError {
  return (
    error instanceof SignalFactoryError ||
    (typeof error === 'object' &&
      error !== null &&
      typeof (error as { code?: unknown }).code === 'string' &&
      (error as { code: string }).code.startsWith('SF_ERR_'))
  );
}
