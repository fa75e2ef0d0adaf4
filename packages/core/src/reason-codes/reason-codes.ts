import { CORE_ERROR_CODES } from '../errors/codes';
import { describeValue } from '../errors/describe-value';
import { SignalFactoryError } from '../errors/signal-factory-error';

/**
 * The closed list of reason codes with a one-line meaning each. Reason codes are written
 * `CODE[:qualifier][:field_path]` (e.g. `MISSING_FIELD:customer_id`, `PII_DETECTED:ssn:notes`);
 * dashboards, failure signatures and remediation key on them, so never rename one.
 * Field paths use `.` between object keys and `[]` for array items (`items[].sku`).
 */
export const REASON_CODES = {
  // G4 contract (field level)
  MISSING_FIELD: 'A field the contract requires is absent.',
  NULL_VIOLATION: 'A field the contract declares non-nullable is null.',
  TYPE_MISMATCH: 'A field has a different JSON type than the contract declares.',
  INVALID_FORMAT: 'A string does not match its declared format (email, date-time, uuid, …).',
  PATTERN_MISMATCH: 'A string does not match the pattern the contract declares.',
  ENUM_VIOLATION: 'A value is not one of the values the contract allows.',
  OUT_OF_RANGE: 'A number, string length or item count is outside the declared bounds.',
  UNKNOWN_FIELD: 'A field is present that the contract does not declare (closed contracts only).',
  CONSTRAINT_VIOLATION: 'Any other declared constraint failed (const, uniqueness, quality rule).',
  CONTRACT_NOT_FOUND: 'No active contract exists for the dataset, so G4 could not run.',
  CONTRACT_VERSION_INACTIVE:
    'The record names a contract version that is not active for the dataset.',
  // G5 PII
  PII_DETECTED:
    'A value not declared as PII looks like PII; qualifier = PII type, never the value.',
  // G1 resolution
  UNRESOLVED_TOPIC: 'The topic maps to no dataset URN (exact map and patterns both missed).',
  // G2 identity
  IDENTITY_UNVERIFIED: 'The producer was not identified by its header (fallback map or unknown).',
  // G3 schema
  SCHEMA_DRIFT: "The record's shape fingerprint is not among the dataset's expected fingerprints.",
  SCHEMA_UNREGISTERED:
    'The dataset has no expected fingerprint yet; the shape was recorded, not judged.',
  // record level
  UNPARSEABLE_VALUE: 'The record value is not valid JSON (or not the declared encoding).',
  RECORD_TOO_LARGE: 'The record value exceeds the configured size limit and was not inspected.',
  NESTING_TOO_DEEP: 'The record nests deeper than the configured limit and was not inspected.',
  EVENT_TIME_INVALID: 'The event time is missing, unparseable or too far from the processing time.',
  GATE_ERROR:
    'A gate failed internally; the record passed it unjudged (fail-open) and was counted.',
} as const;

/** One of the reason codes in `REASON_CODES`. */
export type ReasonCode = keyof typeof REASON_CODES;

/** Codes that carry a qualifier between the code and the path (`PII_DETECTED:<type>:<path>`). */
export const QUALIFIED_REASON_CODES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'PII_DETECTED',
]);

/** A parsed reason code. */
export interface ParsedReasonCode {
  code: ReasonCode;
  /** Only for qualified codes, e.g. the PII type `ssn`. */
  qualifier?: string;
  /** Field path, e.g. `items[].sku`; absent for record-level findings. */
  path?: string;
}

const QUALIFIER = /^[A-Za-z0-9_.-]{1,64}$/;
// Field paths: no control characters, bounded length. Keys may hold any other character.
// eslint-disable-next-line no-control-regex
const PATH = /^[^\u0000-\u001f\u007f]{1,512}$/;

function fail(what: string): never {
  throw new SignalFactoryError(
    CORE_ERROR_CODES.REASON_CODE_INVALID,
    `Invalid reason code: ${what}`,
    {
      details: { problem: what },
    },
  );
}

/** True when `code` is a reason code of the closed list (the bare code, without path). */
export function isReasonCode(code: unknown): code is ReasonCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(REASON_CODES, code);
}

/**
 * Formats `CODE`, `CODE:path` or, for qualified codes, `CODE:qualifier[:path]`.
 * `formatReasonCode('PII_DETECTED', 'notes', 'ssn')` → `PII_DETECTED:ssn:notes`.
 * @throws SignalFactoryError `SF_ERR_REASON_CODE_INVALID` for an unknown code, a missing or
 * unexpected qualifier, or a malformed path.
 */
export function formatReasonCode(code: ReasonCode, path?: string, qualifier?: string): string {
  if (!isReasonCode(code)) {
    const shown: unknown = code;
    fail(
      `unknown code ${typeof shown === 'string' ? JSON.stringify(shown.slice(0, 64)) : describeValue(shown)}`,
    );
  }
  let out: string = code;
  if (QUALIFIED_REASON_CODES.has(code)) {
    if (typeof qualifier !== 'string' || !QUALIFIER.test(qualifier)) {
      fail(`${code} needs a qualifier of 1–64 characters [A-Za-z0-9_.-]`);
    }
    out += `:${qualifier}`;
  } else if (qualifier !== undefined) {
    fail(`${code} takes no qualifier`);
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || !PATH.test(path))
      fail('the field path must be 1–512 characters without control characters');
    out += `:${path}`;
  }
  return out;
}

/**
 * Parses `CODE[:qualifier][:field_path]`. The path is everything after the code (and qualifier),
 * so paths may contain `:`.
 * @throws SignalFactoryError `SF_ERR_REASON_CODE_INVALID` naming what is wrong.
 */
export function parseReasonCode(input: unknown): ParsedReasonCode {
  if (typeof input !== 'string') fail(`expected a string, got ${describeValue(input)}`);
  const first = input.indexOf(':');
  const code = first === -1 ? input : input.slice(0, first);
  if (!isReasonCode(code)) fail(`unknown code ${JSON.stringify(code.slice(0, 64))}`);
  if (first === -1) {
    if (QUALIFIED_REASON_CODES.has(code)) fail(`${code} needs a qualifier`);
    return { code };
  }
  let rest = input.slice(first + 1);
  const parsed: ParsedReasonCode = { code };
  if (QUALIFIED_REASON_CODES.has(code)) {
    const second = rest.indexOf(':');
    const qualifier = second === -1 ? rest : rest.slice(0, second);
    if (!QUALIFIER.test(qualifier))
      fail(`${code} needs a qualifier of 1–64 characters [A-Za-z0-9_.-]`);
    parsed.qualifier = qualifier;
    if (second === -1) return parsed;
    rest = rest.slice(second + 1);
  }
  if (!PATH.test(rest)) fail('the field path must be 1–512 characters without control characters');
  parsed.path = rest;
  return parsed;
}

/** Non-throwing `parseReasonCode`: `undefined` for malformed or unknown codes. */
export function tryParseReasonCode(input: unknown): ParsedReasonCode | undefined {
  try {
    return parseReasonCode(input);
  } catch {
    return undefined;
  }
}
