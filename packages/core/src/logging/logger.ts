/**
 * The logger every package accepts: a pino-compatible subset, so a pino or bunyan instance can be
 * passed as is. Libraries are silent unless given one.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type LogLevel = keyof Logger;

const noop = (): void => undefined;

/** The default logger: drops everything. */
export const SILENT_LOGGER: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Wraps a user logger so a throwing logger can never break the data path. */
export function safeLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return SILENT_LOGGER;
  const wrap =
    (fn: (obj: object, msg?: string) => void) =>
    (obj: object, msg?: string): void => {
      try {
        fn.call(logger, obj, msg);
      } catch {
        // Logging is best effort; the record being processed matters more.
      }
    };
  return {
    debug: wrap(logger.debug),
    info: wrap(logger.info),
    warn: wrap(logger.warn),
    error: wrap(logger.error),
  };
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** JSON lines on stderr, for binaries (libraries take a logger, they never create one). */
export function jsonLogger(level: LogLevel = 'info'): Logger {
  const min = LEVELS.indexOf(level);
  const at =
    (name: LogLevel) =>
    (obj: object, msg?: string): void => {
      if (LEVELS.indexOf(name) < min) return;
      const entry: Record<string, unknown> = {
        level: name,
        time: new Date().toISOString(),
        msg,
        ...obj,
      };
      const err = (obj as { err?: unknown }).err;
      if (err instanceof Error)
        entry.err = { message: err.message, code: (err as { code?: unknown }).code };
      process.stderr.write(`${JSON.stringify(entry)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
