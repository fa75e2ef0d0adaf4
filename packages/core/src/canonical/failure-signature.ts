import { CORE_ERROR_CODES } from '../errors/codes';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { canonicalize } from './canonicalize';
import { sha256Hex } from './sha256';

/** What makes two failures "the same failure". */
export interface FailureSignatureInput {
  /** Dataset URN, `null` when unresolved. */
  datasetUrn: string | null;
  /** Gates that failed, e.g. `['G4']`. Order and duplicates do not matter. */
  failedGates: readonly string[];
  /** Reason codes, e.g. `['MISSING_FIELD:customer_id']`. Order and duplicates do not matter. */
  reasonCodes: readonly string[];
}

const sortedUnique = (values: readonly string[]): string[] => [...new Set(values)].sort();

/**
 * `sha256:<hex>` failure signature: dedups millions of failing records into one graph node.
 * @throws SignalFactoryError `SF_ERR_CORE_ARGUMENT_INVALID` when a field has the wrong type.
 */
export function failureSignatureId(input: FailureSignatureInput): `sha256:${string}` {
  const ok =
    typeof input === 'object' &&
    input !== null &&
    (input.datasetUrn === null || typeof input.datasetUrn === 'string') &&
    Array.isArray(input.failedGates) &&
    input.failedGates.every((g) => typeof g === 'string') &&
    Array.isArray(input.reasonCodes) &&
    input.reasonCodes.every((c) => typeof c === 'string');
  if (!ok) {
    throw new SignalFactoryError(
      CORE_ERROR_CODES.ARGUMENT_INVALID,
      'failureSignatureId expects {datasetUrn: string | null, failedGates: string[], reasonCodes: string[]}',
    );
  }
  const tuple = [
    'failure-signature/v1',
    input.datasetUrn,
    sortedUnique(input.failedGates),
    sortedUnique(input.reasonCodes),
  ];
  try {
    return `sha256:${sha256Hex(canonicalize(tuple))}`;
  } catch (cause) {
    throw new SignalFactoryError(
      CORE_ERROR_CODES.ARGUMENT_INVALID,
      'failureSignatureId: a string contains a lone UTF-16 surrogate',
      {
        cause,
      },
    );
  }
}
