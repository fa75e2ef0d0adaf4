import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * Strict argument parsing for one subcommand: unknown flags and missing values are usage errors
 * (exit 2) with a message naming the flag, never a stack trace.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: Options,
  positionals: { min: number; max: number; names: string },
): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(
      `${command}: ${(error as Error).message.replace(/\. To specify.*$/s, '')}`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return { positionals: parsed.positionals, values };
  if (parsed.positionals.length < positionals.min) {
    throw new UsageError(`${command}: missing ${positionals.names}`);
  }
  if (parsed.positionals.length > positionals.max) {
    throw new UsageError(
      `${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`,
    );
  }
  return { positionals: parsed.positionals, values };
}

/** A non-negative integer flag (`--seed 7`, `--port 0`). */
export function intFlag(
  command: string,
  name: string,
  value: string | boolean | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${command}: --${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

export function stringFlag(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
