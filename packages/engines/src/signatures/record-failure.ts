import { gatesOf, reasonCodesOf } from '../contract/evidence-fields';
import type { SignatureCache } from './signature-cache';

/** What failed on one FAIL evidence: its gates, its codes, and their failure signature id. */
export interface RecordFailure {
  failedGates: string[];
  codes: readonly string[];
  /** `undefined` when the input cannot be hashed. */
  signature: string | undefined;
}

function sortedUnique(values: readonly string[]): string[] {
  if (values.length <= 1) return [...values];
  return [...new Set(values)].sort();
}

/**
 * The failure signature of one FAIL evidence, computed the same way wherever an engine needs it,
 * so the contract engine's signature and a drift signal's reference to it are the same id:
 * (dataset URN, sorted failed gates, sorted reason codes of those gates).
 */
export function recordFailure(
  raw: Record<string, unknown>,
  fallbackUrn: string | undefined,
  signatures: SignatureCache,
): RecordFailure {
  const failed = gatesOf(raw).filter((g) => g.result === 'FAIL');
  const failedGates = sortedUnique(failed.map((g) => g.gate));
  const all =
    failed.length === 0
      ? reasonCodesOf(raw)
      : failed.length === 1
        ? (failed[0] as { codes: readonly string[] }).codes
        : failed.flatMap((g) => g.codes);
  const codes = all.length > 1 ? sortedUnique(all) : all;
  const urn =
    typeof raw.dataset_urn === 'string' || raw.dataset_urn === null
      ? raw.dataset_urn
      : (fallbackUrn ?? null);
  return { failedGates, codes, signature: signatures.idOf(urn, failedGates, codes) };
}
