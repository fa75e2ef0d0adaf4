import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import type { Problem } from '../errors';

type AjvConstructor = new (options: Record<string, unknown>) => {
  compile(schema: object): ValidateFunction;
};
// ajv is CJS; its default export is on `.default` under some loaders.
const Ajv = ((Ajv2020 as unknown as { default?: AjvConstructor }).default ??
  Ajv2020) as unknown as AjvConstructor;

/** Compiles one draft 2020-12 schema (formats are annotations; callers check what they rely on). */
export function compileSchema(schema: object): ValidateFunction {
  return new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
}

export function ajvProblems(errors: ErrorObject[] | null | undefined, max = 20): Problem[] {
  return (errors ?? []).slice(0, max).map((e) => {
    const params = e.params as { missingProperty?: string; additionalProperty?: string };
    const extra = params.missingProperty ?? params.additionalProperty;
    return {
      path: e.instancePath || '/',
      message: `${e.message ?? e.keyword}${extra === undefined ? '' : ` (${extra})`}`,
    };
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an RFC 3339 / ISO-8601 time; a time without zone is read as UTC. NaN when invalid. */
export function parseTime(value: string): number {
  if (typeof value !== 'string' || !RFC3339.test(value)) return Number.NaN;
  const zoned = /([Zz]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  return Date.parse(zoned);
}
