import { SignalFactoryError } from '@signal-factory/core';

/** Error codes of `@signal-factory/cli`. Stable strings: users match on them. */
export const CLI_ERROR_CODES = {
  /** The command line is wrong: unknown command or flag, missing argument. Exit status 2. */
  USAGE: 'SF_ERR_CLI_USAGE',
  /** The `--config` file cannot be read or parsed. */
  CONFIG_UNREADABLE: 'SF_ERR_CLI_CONFIG_UNREADABLE',
  /** The `--config` file is readable but invalid; `details.problems` lists every problem with its path. */
  CONFIG_INVALID: 'SF_ERR_CLI_CONFIG_INVALID',
  /** `createPlatform` options are invalid; `details.problems` lists them. */
  PLATFORM_OPTIONS_INVALID: 'SF_ERR_CLI_PLATFORM_OPTIONS_INVALID',
  /** A component the platform needs did not start (a backend is unreachable…). */
  PLATFORM_START_FAILED: 'SF_ERR_CLI_PLATFORM_START_FAILED',
  /** The scenario cannot be played (registration failed, the platform stopped…). */
  SIMULATION_FAILED: 'SF_ERR_CLI_SIMULATION_FAILED',
  /** Waiting for the platform to process what was sent took longer than allowed. */
  DRAIN_TIMEOUT: 'SF_ERR_CLI_DRAIN_TIMEOUT',
} as const;

export type CliErrorCode = (typeof CLI_ERROR_CODES)[keyof typeof CLI_ERROR_CODES];

/** A problem with its path (config key, option, argument). */
export interface Problem {
  path: string;
  message: string;
  /** 1-based line in the source file, when known. */
  line?: number;
}

/** Thrown for a wrong command line; the dispatcher prints the message and the usage, exit 2. */
export class UsageError extends SignalFactoryError {
  constructor(message: string) {
    super(CLI_ERROR_CODES.USAGE, message);
    this.name = 'UsageError';
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map(
      (p) =>
        `  ${p.line === undefined ? '' : `line ${p.line}: `}${p.path || '(root)'}: ${p.message}`,
    )
    .join('\n');
}
