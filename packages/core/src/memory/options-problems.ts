import { SignalFactoryError } from '../errors/signal-factory-error';
import { PORT_ERROR_CODES } from '../ports/port-error-codes';

/** One invalid option, named by its path (`retention.maxRecordsPerPartition`). */
export interface OptionProblem {
  path: string;
  message: string;
}

export function checkInteger(
  problems: OptionProblem[],
  path: string,
  value: unknown,
  min: number,
): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push({ path, message: `must be an integer ≥ ${min}` });
  }
}

export function checkFunction(problems: OptionProblem[], path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    problems.push({ path, message: 'must be a function' });
  }
}

/** Throws `SF_ERR_PORT_OPTIONS_INVALID` listing every problem, or returns. */
export function throwOnProblems(component: string, problems: OptionProblem[]): void {
  if (problems.length === 0) return;
  throw new SignalFactoryError(
    PORT_ERROR_CODES.PORT_OPTIONS_INVALID,
    `Invalid ${component} options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}

export function optionsObject(problems: OptionProblem[], value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path: 'options', message: 'must be an object' });
    return {};
  }
  return value as Record<string, unknown>;
}
