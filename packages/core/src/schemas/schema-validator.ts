import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { dateTimeFormat } from './rfc3339-date-time';

/** One reason a document does not match its schema. Never contains the offending value. */
export interface SchemaProblem {
  /** JSONPath-style location, e.g. `$.gates[0].result` (`$` is the document). */
  path: string;
  /** The same location as an RFC 6901 JSON Pointer, e.g. `/gates/0/result`. */
  pointer: string;
  /** The JSON Schema keyword that failed, e.g. `required`, `enum`, `format`. */
  keyword: string;
  /** What is wrong, e.g. `must have required property 'topic'`. */
  message: string;
}

/** Result of a non-throwing check. */
export type CheckResult<T> =
  { valid: true; value: T; problems: [] } | { valid: false; problems: SchemaProblem[] };

let ajv: InstanceType<typeof Ajv2020> | undefined;

function sharedAjv(): InstanceType<typeof Ajv2020> {
  if (ajv === undefined) {
    ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, logger: false });
    (addFormats as unknown as (instance: unknown, formats: string[]) => void)(ajv, ['date-time']);
    ajv.addFormat('date-time', dateTimeFormat);
  }
  return ajv;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function pointerToPath(pointer: string): string {
  let path = '$';
  if (pointer === '') return path;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function toProblem(error: ErrorObject): SchemaProblem {
  let pointer = error.instancePath;
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    pointer += `/${escapePointer(params.missingProperty)}`;
  } else if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    pointer += `/${escapePointer(params.additionalProperty)}`;
  }
  const message =
    error.keyword === 'additionalProperties'
      ? 'is not allowed (unknown property)'
      : error.keyword === 'required'
        ? 'is required'
        : (error.message ?? 'is invalid');
  return { path: pointerToPath(pointer), pointer, keyword: error.keyword, message };
}

/** Validates one document kind against its JSON Schema; compiles the schema once, on first use. */
export class SchemaValidator<T> {
  readonly #schema: Record<string, unknown>;
  readonly #errorCode: string;
  readonly #label: string;
  #validate: ValidateFunction | undefined;

  constructor(schema: Record<string, unknown>, errorCode: string, label: string) {
    this.#schema = schema;
    this.#errorCode = errorCode;
    this.#label = label;
  }

  #compiled(): ValidateFunction {
    this.#validate ??= sharedAjv().compile(this.#schema);
    return this.#validate;
  }

  /** Every problem of `value`, empty when it is valid. */
  problems(value: unknown): SchemaProblem[] {
    const validate = this.#compiled();
    if (validate(value)) return [];
    // `if` only reports that `then` failed; the `then` error itself is listed separately.
    return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(toProblem);
  }

  is(value: unknown): value is T {
    return this.#compiled()(value);
  }

  check(value: unknown): CheckResult<T> {
    const problems = this.problems(value);
    return problems.length === 0
      ? { valid: true, value: value as T, problems: [] }
      : { valid: false, problems };
  }

  validate(value: unknown): T {
    const problems = this.problems(value);
    if (problems.length > 0) throw this.error(problems);
    return value as T;
  }

  parse(text: unknown): T {
    let value: unknown;
    try {
      value =
        typeof text === 'string'
          ? JSON.parse(text)
          : text instanceof Uint8Array
            ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text))
            : undefined;
    } catch (cause) {
      throw this.error(
        [{ path: '$', pointer: '', keyword: 'json', message: 'is not valid UTF-8 JSON' }],
        cause,
      );
    }
    if (value === undefined) {
      throw this.error([
        { path: '$', pointer: '', keyword: 'json', message: 'must be a JSON string or bytes' },
      ]);
    }
    return this.validate(value);
  }

  error(problems: SchemaProblem[], cause?: unknown): SignalFactoryError {
    const shown = problems.slice(0, 20).map((p) => `${p.path} ${p.message}`);
    if (problems.length > 20) shown.push(`… and ${problems.length - 20} more`);
    return new SignalFactoryError(
      this.#errorCode,
      `Invalid ${this.#label} (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${shown.join('; ')}`,
      { cause, details: { problems } },
    );
  }
}
