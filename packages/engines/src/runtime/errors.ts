import { SignalFactoryError } from '@signal-factory/core';

/** Error codes of the engine runtime, the freshness and volume engines and the engines command. */
export const RUNTIME_ERROR_CODES = {
  /** `createEngineRuntime` (or an engine factory) got invalid options; `details.problems` lists each with its path. */
  OPTIONS_INVALID: 'SF_ERR_ENGINES_OPTIONS_INVALID',
  /** `advanceTo()` needs a clock with `set()` (a test or simulated clock). */
  CLOCK_NOT_SETTABLE: 'SF_ERR_ENGINES_CLOCK_NOT_SETTABLE',
  /** The runtime is closed, or was used before `start()`. */
  NOT_RUNNING: 'SF_ERR_ENGINES_NOT_RUNNING',
  /** A state-store write kept failing after the retry budget; the batch is redelivered. Retriable. */
  STATE_UNAVAILABLE: 'SF_ERR_ENGINES_STATE_UNAVAILABLE',
  /** The engines command got a bad argument, config file or environment variable. */
  CONFIG_INVALID: 'SF_ERR_ENGINES_CONFIG_INVALID',
} as const;

export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[keyof typeof RUNTIME_ERROR_CODES];

/** One invalid option, named by its path. */
export interface OptionProblem {
  path: string;
  message: string;
}

export function optionsError(component: string, problems: OptionProblem[]): SignalFactoryError {
  return new SignalFactoryError(
    RUNTIME_ERROR_CODES.OPTIONS_INVALID,
    `Invalid ${component} options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}

export function checkNumber(
  problems: OptionProblem[],
  path: string,
  value: unknown,
  opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
): void {
  if (value === undefined) return;
  const { min, max, integer, exclusiveMin } = opts;
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer === true && !Number.isInteger(value)) ||
    (min !== undefined && (exclusiveMin === true ? value <= min : value < min)) ||
    (max !== undefined && value > max);
  if (bad) {
    const range = [
      integer === true ? 'an integer' : 'a finite number',
      min !== undefined ? `${exclusiveMin === true ? '>' : '≥'} ${min}` : '',
      max !== undefined ? `≤ ${max}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    problems.push({ path, message: `must be ${range}` });
  }
}
