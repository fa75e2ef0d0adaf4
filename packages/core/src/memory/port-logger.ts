/** The pino-compatible subset the in-memory ports log through. Silent when omitted. */
export interface PortLogger {
  debug?(object: Record<string, unknown>, message: string): void;
  warn?(object: Record<string, unknown>, message: string): void;
  error?(object: Record<string, unknown>, message: string): void;
}

/** Calls a logger method; a logger that throws never breaks the data path. */
export function log(
  logger: PortLogger | undefined,
  level: keyof PortLogger,
  object: Record<string, unknown>,
  message: string,
): void {
  try {
    logger?.[level]?.(object, message);
  } catch {
    // A broken logger must not break delivery.
  }
}
