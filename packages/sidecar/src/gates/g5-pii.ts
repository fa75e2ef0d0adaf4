import { formatReasonCode } from '@signal-factory/core';

import { PiiScanner, type PiiScannerOptions } from '../pii/pii-scanner';
import type { GateOutcome, PiiFinding } from '../types';

export interface PiiOutcome extends GateOutcome {
  findings: PiiFinding[];
}

/** What a PII finding does to the record's verdict. */
export type PiiAction = 'fail' | 'warn';

const CLEAN: PiiOutcome = { result: 'PASS', reasonCodes: [], findings: [] };
const NO_SKIP: ReadonlySet<string> = new Set();

/**
 * Gate G5: RE2 PII detection on string values not declared PII by the contract. One `RE2.Set`
 * pass over the raw bytes skips clean records; only then are fields walked. Findings carry type
 * and path only.
 */
export class PiiGate {
  readonly #scanner: PiiScanner;

  constructor(options: PiiScannerOptions = {}) {
    this.#scanner = new PiiScanner(options);
  }

  /**
   * @param raw the record value bytes (the JSON as received).
   * @param value the parsed value, or the value's text when it is not JSON (then every string is scanned).
   * @param parsed false when `value` is the raw text of a non-JSON value.
   */
  evaluate(
    raw: Buffer,
    value: unknown,
    declared: ReadonlySet<string> = NO_SKIP,
    action: PiiAction = 'fail',
    parsed = true,
  ): PiiOutcome {
    const findings = parsed
      ? this.#scanner.scanRecord(raw, value, declared)
      : this.#scanner.scanValue(value, declared);
    if (findings.length === 0) return CLEAN;
    return {
      result: action === 'fail' ? 'FAIL' : 'WARN',
      reasonCodes: findings.map((f) =>
        formatReasonCode('PII_DETECTED', f.path === '$' ? undefined : f.path, f.type),
      ),
      findings,
    };
  }
}
