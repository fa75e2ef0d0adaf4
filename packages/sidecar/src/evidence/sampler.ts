import type { EvidenceResult } from '@signal-factory/core';

export interface SampleDecision {
  keep: boolean;
  /** How many records the kept evidence stands for (`1 / rate` for sampled PASS). */
  weight: number;
}

const KEEP_ONE: SampleDecision = { keep: true, weight: 1 };

/**
 * FAIL and WARN evidence is always kept. PASS evidence is kept with probability `passRate`,
 * decided from the (deterministic) evidence id so a replay keeps the same records, with
 * `sample_weight = 1 / passRate` so counts stay unbiased.
 */
export function decideSample(
  result: EvidenceResult,
  passRate: number,
  evidenceId: string,
): SampleDecision {
  if (result !== 'PASS' || passRate >= 1) return KEEP_ONE;
  if (!(passRate > 0)) return { keep: false, weight: 0 };
  const bucket = Number.parseInt(evidenceId.slice(3, 11), 16) / 0x1_0000_0000;
  return bucket < passRate ? { keep: true, weight: 1 / passRate } : { keep: false, weight: 0 };
}
