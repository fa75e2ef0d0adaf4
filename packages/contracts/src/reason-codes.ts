import type { ReasonCode } from '@signal-factory/core';

/** Reason codes a compiled contract emits (a subset of `REASON_CODES` in `@signal-factory/core`). */
export const CONTRACT_REASON_CODES = [
  'MISSING_FIELD',
  'NULL_VIOLATION',
  'TYPE_MISMATCH',
  'INVALID_FORMAT',
  'PATTERN_MISMATCH',
  'ENUM_VIOLATION',
  'OUT_OF_RANGE',
  'UNKNOWN_FIELD',
  'CONSTRAINT_VIOLATION',
  'NESTING_TOO_DEEP',
  'UNPARSEABLE_VALUE',
] as const satisfies readonly ReasonCode[];

export type ContractReasonCode = (typeof CONTRACT_REASON_CODES)[number];
