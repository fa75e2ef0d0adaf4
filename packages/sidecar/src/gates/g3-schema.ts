import {
  createShapeFingerprinter,
  formatReasonCode,
  type ShapeFingerprinter,
} from '@signal-factory/core';

import type { GateOutcome } from '../types';

export interface SchemaOutcome extends GateOutcome {
  fingerprint: string | undefined;
}

export interface SchemaGateOptions {
  /** Distinct shapes cached by the fingerprinter. Default 10,000. */
  cacheSize?: number;
  /** Distinct fingerprints remembered per dataset without an expected list. Default 64. */
  maxLearnedPerDataset?: number;
}

const DRIFT = formatReasonCode('SCHEMA_DRIFT');
const MAX_DATASETS = 10_000;
const UNREGISTERED = formatReasonCode('SCHEMA_UNREGISTERED');

/**
 * Gate G3: structural fingerprint (core `shapeFingerprint` semantics, cached by shape). With
 * expected fingerprints, an unknown one is WARN `SCHEMA_DRIFT`. Without, the first shape of a
 * dataset is recorded (PASS `SCHEMA_UNREGISTERED` is not a failure) and the first record of each
 * later new shape is WARN `SCHEMA_DRIFT`: drift is evidence, not a failure by itself.
 */
export class SchemaGate {
  readonly #fingerprinter: ShapeFingerprinter;
  readonly #learned = new Map<string, Set<string>>();
  readonly #maxLearned: number;

  constructor(options: SchemaGateOptions = {}) {
    this.#fingerprinter = createShapeFingerprinter({ cacheSize: options.cacheSize ?? 10_000 });
    this.#maxLearned = options.maxLearnedPerDataset ?? 64;
  }

  /** Just the fingerprint of a parsed value. */
  fingerprint(value: unknown): string {
    return this.#fingerprinter.fingerprint(value);
  }

  evaluate(
    datasetUrn: string | null,
    value: unknown,
    expected: ReadonlySet<string> | undefined,
  ): SchemaOutcome {
    const fingerprint = this.#fingerprinter.fingerprint(value);
    if (expected !== undefined && expected.size > 0) {
      return expected.has(fingerprint)
        ? { result: 'PASS', reasonCodes: [], fingerprint }
        : { result: 'WARN', reasonCodes: [DRIFT], fingerprint };
    }
    if (datasetUrn === null) return { result: 'PASS', reasonCodes: [], fingerprint };
    let learned = this.#learned.get(datasetUrn);
    if (learned === undefined) {
      // Pattern resolution can mint many URNs: keep the memory bounded.
      if (this.#learned.size >= MAX_DATASETS) this.#learned.clear();
      learned = new Set([fingerprint]);
      this.#learned.set(datasetUrn, learned);
      return { result: 'PASS', reasonCodes: [UNREGISTERED], fingerprint };
    }
    if (learned.has(fingerprint)) return { result: 'PASS', reasonCodes: [], fingerprint };
    if (learned.size < this.#maxLearned) learned.add(fingerprint);
    return { result: 'WARN', reasonCodes: [DRIFT], fingerprint };
  }
}
