import Ajv, { type ValidateFunction } from 'ajv';
import { isDatasetUrn } from '@signal-factory/core';
import addFormats from 'ajv-formats';
import { CONTRACT_ERROR_CODES, contractError } from '../errors';
import type { CompiledContract, OdcsContract, OdcsSchemaObject, ValidationResult } from '../types';
import {
  buildJsonSchema,
  DEFAULT_PII_CLASSIFICATIONS,
  isStrictByContract,
  STRING_FORMATS,
  type BuildResult,
  type JsonSchema,
} from './build-json-schema';
import { ErrorMapper, kindOf } from './map-errors';
import { contractRegExp } from './regex-engine';
import { temporalMillis } from './temporal-format';

export interface CompileOptions {
  /** Name of the schema object to compile. Default: the one whose `physicalType` is `topic`, else the only one. */
  schemaName?: string;
  /**
   * Report fields the contract does not declare as `UNKNOWN_FIELD`. Default: what the contract
   * asks for through the customProperty `signalFactory.strict: true` (schema object or contract root), else false.
   */
  strict?: boolean;
  /** Classifications (case-insensitive) that declare a field PII. Default: pii, personal, sensitive, restricted, confidential, highly-confidential, secret. */
  piiClassifications?: readonly string[];
  /** Most violations reported for one record. Default 100. */
  maxViolations?: number;
}

const VALID: ValidationResult = Object.freeze({
  valid: true,
  reasonCodes: Object.freeze([]) as unknown as string[],
  violations: Object.freeze([]) as unknown as ValidationResult['violations'],
});

function pickSchemaObject(
  contract: OdcsContract,
  name: string | undefined,
): { object: OdcsSchemaObject; index: number } {
  const list = Array.isArray(contract.schema) ? contract.schema : [];
  if (name !== undefined) {
    const index = list.findIndex((s) => s?.name === name);
    if (index < 0) {
      throw contractError(
        CONTRACT_ERROR_CODES.COMPILE,
        `contract ${contract.id} has no schema object named ${JSON.stringify(name)}`,
        {
          problems: [
            {
              path: '/schema',
              message: `no schema object named ${JSON.stringify(name)}; have ${list.map((s) => s?.name).join(', ')}`,
            },
          ],
        },
      );
    }
    return { object: list[index] as OdcsSchemaObject, index };
  }
  const topics = list.flatMap((s, index) =>
    s?.physicalType === 'topic' ? [{ object: s, index }] : [],
  );
  if (topics.length === 1) return topics[0] as { object: OdcsSchemaObject; index: number };
  if (topics.length === 0 && list.length === 1)
    return { object: list[0] as OdcsSchemaObject, index: 0 };
  throw contractError(
    CONTRACT_ERROR_CODES.COMPILE,
    `contract ${contract.id} has ${topics.length > 1 ? 'several topic' : list.length === 0 ? 'no' : 'several'} schema objects; pass schemaName`,
    {
      problems: [{ path: '/schema', message: 'choose a schema object with the schemaName option' }],
    },
  );
}

function newAjv(allErrors: boolean, built: BuildResult): Ajv {
  const ajv = new Ajv({
    allErrors,
    verbose: allErrors,
    strict: false,
    logger: false,
    code: { regExp: contractRegExp },
  });
  addFormats(ajv as never, [...STRING_FORMATS]);
  for (const [name, regex] of built.formats) ajv.addFormat(name, regex);
  ajv.addKeyword({ keyword: 'x-sf-type', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-sf-notnull', schemaType: 'boolean' });
  ajv.addKeyword({
    keyword: 'sfTemporalRange',
    schemaType: 'object',
    errors: true,
    validate: function temporalRange(
      this: unknown,
      bounds: Record<string, unknown>,
      data: unknown,
    ): boolean {
      if (typeof data !== 'string' && typeof data !== 'number') return true;
      const lt = String(bounds['logicalType']);
      const t = temporalMillis(data, lt);
      if (Number.isNaN(t)) return true; // the format keyword reports it
      const fail = (expected: string): boolean => {
        (temporalRange as unknown as { errors: unknown[] }).errors = [
          { keyword: 'sfTemporalRange', params: { expected } },
        ];
        return false;
      };
      const check = (key: string, ok: (b: number) => boolean, sign: string): boolean => {
        const raw = bounds[key];
        if (raw === undefined) return true;
        const b = temporalMillis(raw, lt);
        return Number.isNaN(b) || ok(b) || fail(`${sign} ${String(raw)}`);
      };
      return (
        check('minimum', (b) => t >= b, '>=') &&
        check('exclusiveMinimum', (b) => t > b, '>') &&
        check('maximum', (b) => t <= b, '<=') &&
        check('exclusiveMaximum', (b) => t < b, '<')
      );
    },
  });
  return ajv;
}

function datasetUrnOf(contract: OdcsContract): string | undefined {
  const custom = Array.isArray(contract.customProperties) ? contract.customProperties : [];
  const named = custom.find((c) => c?.property === 'signalFactory.datasetUrn')?.value;
  if (typeof named === 'string') return named;
  return isDatasetUrn(contract.id) ? contract.id : undefined;
}

/**
 * Compiles one schema object of a loaded contract into a record validator. Throws
 * `SF_ERR_CONTRACT_COMPILE` with `details.problems` (every problem, with its path) for unknown
 * logical types, invalid regular expressions and bad options; never throws while validating.
 */
export function compileContract(
  contract: OdcsContract,
  options: CompileOptions = {},
): CompiledContract {
  if (typeof contract !== 'object' || contract === null) {
    throw contractError(
      CONTRACT_ERROR_CODES.COMPILE,
      'compileContract needs a loaded contract object',
    );
  }
  const maxViolations = options.maxViolations ?? 100;
  if (!Number.isInteger(maxViolations) || maxViolations < 1) {
    throw contractError(CONTRACT_ERROR_CODES.OPTIONS, 'maxViolations must be a positive integer', {
      problems: [{ path: 'maxViolations', message: 'must be a positive integer' }],
    });
  }
  const { object, index } = pickSchemaObject(contract, options.schemaName);
  const strict = options.strict ?? isStrictByContract(object, contract.customProperties);
  const built = buildJsonSchema(object, index, {
    strict,
    piiClassifications: options.piiClassifications ?? DEFAULT_PII_CLASSIFICATIONS,
  });
  if (built.problems.length > 0) {
    throw contractError(
      CONTRACT_ERROR_CODES.COMPILE,
      `cannot compile schema object ${object.name} of contract ${contract.id}: ${built.problems.length} problem(s); first: ${built.problems[0]?.path} ${built.problems[0]?.message}`,
      { problems: built.problems },
    );
  }
  let fast: ValidateFunction;
  let full: ValidateFunction;
  try {
    fast = newAjv(false, built).compile(built.schema);
    full = newAjv(true, built).compile(structuredClone(built.schema) as JsonSchema);
  } catch (error) {
    throw contractError(
      CONTRACT_ERROR_CODES.COMPILE,
      `cannot compile schema object ${object.name}: ${(error as Error).message}`,
      { problems: [{ path: `/schema/${index}`, message: (error as Error).message }] },
      error,
    );
  }
  const mapper = new ErrorMapper({
    formatNames: built.formatNames,
    nullRequired: built.nullRequired,
    maxViolations,
  });

  const validate = (record: unknown): ValidationResult => {
    try {
      if (fast(record)) return VALID;
      full(record);
      const { violations, reasonCodes } = mapper.map(record, full.errors ?? []);
      full.errors = null; // verbose errors hold references into the record: do not keep it alive
      if (violations.length === 0) {
        return {
          valid: false,
          reasonCodes: ['CONSTRAINT_VIOLATION'],
          violations: [{ code: 'CONSTRAINT_VIOLATION', path: '' }],
        };
      }
      return { valid: false, reasonCodes, violations };
    } catch (error) {
      // A record ajv cannot walk (a throwing getter, a stack-exhausting structure): reported, never thrown.
      const code = error instanceof RangeError ? 'NESTING_TOO_DEEP' : 'UNPARSEABLE_VALUE';
      return {
        valid: false,
        reasonCodes: [code],
        violations: [{ code, path: '', expected: 'a JSON object', actual: kindOf(record) }],
      };
    }
  };

  const datasetUrn = datasetUrnOf(contract);
  return Object.freeze({
    id: contract.id,
    version: contract.version,
    ...(datasetUrn === undefined ? {} : { datasetUrn }),
    schemaName: object.name,
    strict,
    piiFields: frozen(built.piiFields),
    classifications: Object.freeze({ ...built.classifications }),
    aggregateRules: frozen(built.aggregateRules),
    warnings: frozen(built.warnings),
    validate,
  });
}

/** A frozen copy typed as a plain array (the public types promise arrays; mutation throws). */
function frozen<T>(list: readonly T[]): T[] {
  return Object.freeze([...list]) as unknown as T[];
}
