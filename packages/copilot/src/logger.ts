import { channel } from 'node:diagnostics_channel';

/** A pino-compatible logger subset. The package is silent unless one is given. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

/** The default logger: drops everything. */
export const SILENT_LOGGER: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Wraps a user logger so a throwing logger can never break the copilot. */
export function safeLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return SILENT_LOGGER;
  const wrap =
    (fn: ((obj: object, msg?: string) => void) | undefined) =>
    (obj: object, msg?: string): void => {
      try {
        fn?.call(logger, obj, msg);
      } catch {
        // A logger must not break RCA.
      }
    };
  return {
    debug: wrap(logger.debug),
    info: wrap(logger.info),
    warn: wrap(logger.warn),
    error: wrap(logger.error),
  };
}

/** `node:diagnostics_channel` channels published by this package. */
export const COPILOT_DIAGNOSTICS = {
  /** A report was computed: `{ incidentId, rootCause, confidence, durationMs, cached }`. */
  rca: channel('signal-factory:copilot:rca'),
  /** The LLM summary fell back to the template: `{ incidentId, reason, detail }`. */
  llmFallback: channel('signal-factory:copilot:llm-fallback'),
} as const;
