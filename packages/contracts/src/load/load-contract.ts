import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { CONTRACT_ERROR_CODES, contractError, type ContractProblem } from '../errors';
import type { OdcsContract } from '../types';
import {
  odcsSchemaValidator,
  SUPPORTED_API_VERSIONS,
  type OdcsSchemaVersion,
} from './odcs-schemas';

export interface LoadOptions {
  /**
   * Which official JSON Schema to lint against. `auto` (default) uses v3.1.0 for every supported
   * apiVersion: it accepts all v3.0.x apiVersions and the v3.1 shapes that upstream v3.0.x
   * examples already use. `v3.0.2` lints v3.0.x documents strictly against the v3.0.2 schema.
   */
  schemaVersion?: 'auto' | OdcsSchemaVersion;
  /** Largest source accepted, in bytes (UTF-16 code units for strings). Default 5 MiB. */
  maxBytes?: number;
}

export interface LintResult {
  valid: boolean;
  problems: ContractProblem[];
  /** The parsed document when it parsed at all (even if invalid). */
  document?: unknown;
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const MAX_PROBLEMS = 200;

function parseSource(
  source: string,
  maxBytes: number,
): { document?: unknown; problems: ContractProblem[] } {
  if (source.length > maxBytes) {
    return {
      problems: [{ path: '', message: `contract source is larger than ${maxBytes} bytes` }],
    };
  }
  const trimmed = source.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return { document: JSON.parse(source) as unknown, problems: [] };
    } catch (error) {
      return { problems: [{ path: '', message: `malformed JSON: ${(error as Error).message}` }] };
    }
  }
  // YAML 1.2 core schema: unquoted dates stay strings, as the ODCS JSON Schema expects.
  const doc = parseDocument(source, {
    schema: 'core',
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: true,
  });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.slice(0, MAX_PROBLEMS).map((e) => ({
        path: '',
        message: `malformed YAML${e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : ''}: ${e.message.split('\n')[0] ?? e.code}`,
      })),
    };
  }
  try {
    return { document: doc.toJS({ maxAliasCount: 100 }) as unknown, problems: [] };
  } catch (error) {
    return { problems: [{ path: '', message: `malformed YAML: ${(error as Error).message}` }] };
  }
}

function describeError(e: ErrorObject): ContractProblem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return {
        path: e.instancePath,
        message: `missing required property '${String(p['missingProperty'])}'`,
      };
    case 'additionalProperties':
      return {
        path: `${e.instancePath}/${String(p['additionalProperty'])}`,
        message: 'property is not allowed here (not in the ODCS schema; use customProperties)',
      };
    case 'unevaluatedProperties':
      return {
        path: `${e.instancePath}/${String(p['unevaluatedProperty'])}`,
        message: 'property is not allowed here (not in the ODCS schema; use customProperties)',
      };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of ${JSON.stringify(p['allowedValues'])}`,
      };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}

function schemaProblems(document: unknown, errors: readonly ErrorObject[]): ContractProblem[] {
  // Combinator noise ("must match then schema") and unevaluatedProperties (a consequence of a
  // failed subschema) only when nothing more specific was reported at or below the same path.
  const noisy = new Set([
    'if',
    'then',
    'else',
    'anyOf',
    'oneOf',
    'allOf',
    'not',
    'unevaluatedProperties',
  ]);
  const specific = errors.filter((e) => !noisy.has(e.keyword));
  const kept = errors.filter(
    (e) =>
      !noisy.has(e.keyword) ||
      !specific.some(
        (s) => s.instancePath === e.instancePath || s.instancePath.startsWith(`${e.instancePath}/`),
      ),
  );
  const seen = new Set<string>();
  const problems: ContractProblem[] = [];
  for (const e of kept) {
    const problem = describeError(e);
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = namedLocation(document, problem.path);
    problems.push(
      where === undefined ? problem : { ...problem, message: `${problem.message} (at ${where})` },
    );
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return problems;
}

/** `/schema/0/properties/2/logicalType` → `orders_created.amount`, from the `name`s in the document. */
function namedLocation(document: unknown, pointer: string): string | undefined {
  const names: string[] = [];
  let current: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null) break;
    current = Array.isArray(current)
      ? current[Number(segment)]
      : (current as Record<string, unknown>)[segment];
    const name = (current as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && name.length > 0) names.push(name);
  }
  return names.length === 0 ? undefined : names.join('.');
}

function lintDocument(document: unknown, options: LoadOptions): ContractProblem[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return [{ path: '', message: 'a contract must be a mapping (object) at the top level' }];
  }
  const apiVersion = (document as Record<string, unknown>)['apiVersion'];
  if (!(SUPPORTED_API_VERSIONS as readonly unknown[]).includes(apiVersion)) {
    return [
      {
        path: '/apiVersion',
        message:
          apiVersion === undefined
            ? `missing apiVersion; supported: ${SUPPORTED_API_VERSIONS.join(', ')}`
            : `unsupported apiVersion ${JSON.stringify(apiVersion)}; supported: ${SUPPORTED_API_VERSIONS.join(', ')}`,
      },
    ];
  }
  const wanted = options.schemaVersion ?? 'auto';
  const schemaVersion: OdcsSchemaVersion =
    wanted === 'v3.0.2' && apiVersion !== 'v3.1.0' ? 'v3.0.2' : 'v3.1.0';
  const validate = odcsSchemaValidator(schemaVersion);
  return validate(document) ? [] : schemaProblems(document, validate.errors ?? []);
}

function isUnsupportedVersion(problems: readonly ContractProblem[]): boolean {
  return problems.length === 1 && problems[0]?.path === '/apiVersion';
}

/** Lints an ODCS document (YAML or JSON text, or an already parsed object) against the official JSON Schema. */
export function lintContract(source: string | object, options: LoadOptions = {}): LintResult {
  try {
    return lintUnguarded(source, options);
  } catch (error) {
    // A pathological document (nesting deep enough to exhaust the stack): a problem, not a crash.
    return {
      valid: false,
      problems: [
        { path: '', message: `contract cannot be processed: ${(error as Error).message}` },
      ],
    };
  }
}

function lintUnguarded(source: string | object, options: LoadOptions): LintResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof source === 'string') {
    const parsed = parseSource(source, maxBytes);
    if (parsed.problems.length > 0) return { valid: false, problems: parsed.problems };
    const problems = lintDocument(parsed.document, options);
    return { valid: problems.length === 0, problems, document: parsed.document };
  }
  const problems = lintDocument(source, options);
  return { valid: problems.length === 0, problems, document: source };
}

/**
 * Parses and lints a contract; throws `SF_ERR_CONTRACT_INVALID` (with `details.problems`) or
 * `SF_ERR_CONTRACT_UNSUPPORTED_VERSION`. Returns the parsed document.
 */
export function loadContract(source: string | object, options: LoadOptions = {}): OdcsContract {
  if (typeof source !== 'string' && (typeof source !== 'object' || source === null)) {
    throw contractError(
      CONTRACT_ERROR_CODES.INVALID,
      'a contract source must be a string or an object',
      {
        problems: [{ path: '', message: `got ${source === null ? 'null' : typeof source}` }],
      },
    );
  }
  const result = lintContract(source, options);
  if (!result.valid) {
    const code = isUnsupportedVersion(result.problems)
      ? CONTRACT_ERROR_CODES.UNSUPPORTED_VERSION
      : CONTRACT_ERROR_CODES.INVALID;
    const first = result.problems[0];
    throw contractError(
      code,
      `invalid ODCS contract: ${result.problems.length} problem(s); first: ${first?.path || '(root)'} ${first?.message ?? ''}`,
      { problems: result.problems },
    );
  }
  return result.document as OdcsContract;
}

/** Reads a `.yaml`/`.yml`/`.json` contract file and loads it. */
export async function loadContractFile(
  path: string,
  options: LoadOptions = {},
): Promise<OdcsContract> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw contractError(
      CONTRACT_ERROR_CODES.IO,
      `cannot read contract file ${path}`,
      { path },
      error,
    );
  }
  return loadContract(text, options);
}
