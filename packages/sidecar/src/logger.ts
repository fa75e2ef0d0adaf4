/** A pino-compatible logger subset. The sidecar is silent unless given one. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

/** The default logger: discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** A JSON-lines logger on stderr (used by the binary). */
export function jsonLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(level);
  const at =
    (name: string) =>
    (obj: object, msg?: string): void => {
      if (order.indexOf(name) < min) return;
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
