import { SignalFactoryError } from '@signal-factory/core';

import { SIDECAR_ERROR_CODES } from './errors';

/** Resolves a setting from an option or an environment variable; both are named in errors. */
export function settingFrom<T>(
  option: T | undefined,
  env: string,
  parse: (text: string) => T | undefined,
  fallback: T,
  problems: Array<{ path: string; message: string }>,
  path: string,
): T {
  if (option !== undefined) return option;
  const raw = process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const parsed = parse(raw);
  if (parsed === undefined) {
    problems.push({
      path: `${path} (env ${env})`,
      message: `cannot parse ${JSON.stringify(raw.slice(0, 100))}`,
    });
    return fallback;
  }
  return parsed;
}

export const parseIntSetting = (text: string): number | undefined => {
  const n = Number(text);
  return Number.isInteger(n) ? n : undefined;
};

export function checkInt(
  value: number,
  path: string,
  min: number,
  max: number,
  problems: Array<{ path: string; message: string }>,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({ path, message: `must be an integer from ${min} to ${max}` });
  }
}

export function throwIfProblems(
  component: string,
  problems: Array<{ path: string; message: string }>,
): void {
  if (problems.length === 0) return;
  throw new SignalFactoryError(
    SIDECAR_ERROR_CODES.OPTIONS_INVALID,
    `Invalid ${component} options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}
