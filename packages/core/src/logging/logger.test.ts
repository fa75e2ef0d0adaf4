import { afterEach, describe, expect, it, vi } from 'vitest';
import { SILENT_LOGGER, jsonLogger, safeLogger, type Logger } from './logger';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('safeLogger', () => {
  it('is silent when no logger is given', () => {
    expect(safeLogger(undefined)).toBe(SILENT_LOGGER);
  });

  it('forwards to the given logger with its own `this`', () => {
    const seen: string[] = [];
    const logger = {
      prefix: 'p:',
      debug(this: { prefix: string }, _o: object, m?: string) {
        seen.push(`${this.prefix}${m}`);
      },
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    } satisfies Logger & { prefix: string };
    safeLogger(logger).debug({}, 'hello');
    expect(seen).toEqual(['p:hello']);
  });

  it('swallows a throwing logger so the data path survives', () => {
    const boom = (): never => {
      throw new Error('logger down');
    };
    const logger = safeLogger({ debug: boom, info: boom, warn: boom, error: boom });
    expect(() => {
      logger.error({ a: 1 }, 'x');
    }).not.toThrow();
  });
});

describe('jsonLogger', () => {
  it('writes JSON lines at or above its level, with error code and message only', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logger = jsonLogger('warn');
    logger.info({ a: 1 }, 'dropped');
    const err = Object.assign(new Error('broker down'), { code: 'SF_ERR_X' });
    logger.error({ err }, 'failed');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'error',
      msg: 'failed',
      err: { message: 'broker down', code: 'SF_ERR_X' },
    });
  });
});
