import type { DqRuleLike } from './gates/dq-facts';
import type { GateResult, IdentityConfidence, IdentityMethod } from '@signal-factory/core';

/** A PII type the G5 scanner detects. Lowercase, as in `PII_DETECTED:<type>:<path>`. */
export type PiiType = 'ssn' | 'email' | 'phone' | 'credit_card' | 'iban';

/** A PII finding: a type and a field path, never the value. */
export interface PiiFinding {
  type: PiiType;
  /** Field path (`customer.notes`, `lines[].memo`), `$` for a top-level string. */
  path: string;
}

/** Per-dataset enforcement policy. */
export type EnforcementPolicy = 'observe' | 'enforce';

/** A gate's own outcome, before it is written into evidence. */
export interface GateOutcome {
  result: GateResult;
  /** `CODE[:qualifier][:path]` strings; empty on PASS/SKIP. */
  reasonCodes: string[];
}

/** Who produced a record, according to G2. */
export interface Identity {
  service: string;
  version?: string;
  confidence: IdentityConfidence;
  method: IdentityMethod;
}

/** The structural, contract-level view of a compiled contract the sidecar needs (see `@signal-factory/contracts`). */
export interface ContractValidator {
  id: string;
  version: string;
  /** Field paths the contract declares as PII; G5 does not flag them. */
  piiFields: readonly string[];
  validate(record: unknown): { valid: boolean; reasonCodes: readonly string[] };
  /** Rules judged over windows of records (the DQ engine); G4 records which ones a record counts against. */
  aggregateRules?: readonly DqRuleLike[];
}
