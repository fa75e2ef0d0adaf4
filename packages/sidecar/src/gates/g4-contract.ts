import { HEADERS, formatReasonCode } from '@signal-factory/core';

import type { ContractValidator, GateOutcome } from '../types';
import { dqFacts, type RepeatCheck } from './dq-facts';

export interface ContractOutcome extends GateOutcome {
  /** The contract version the record was judged against. */
  contract: { id: string; version: string } | undefined;
  /** Aggregate quality rules of that contract the record counts against (`nullValues:email`). */
  dq: string[];
}

const SKIPPED: ContractOutcome = { result: 'SKIP', reasonCodes: [], contract: undefined, dq: [] };
const INACTIVE = formatReasonCode('CONTRACT_VERSION_INACTIVE');

/**
 * Gate G4: validate against every active contract version of the dataset (newest first).
 * Valid against any active version → PASS (the version that accepted it is recorded); otherwise
 * FAIL with the newest version's reason codes. A record that pins an inactive version via
 * `x-obs-contract-version` gets `CONTRACT_VERSION_INACTIVE` added. No contract → SKIP.
 */
export class ContractGate {
  evaluate(
    active: readonly ContractValidator[] | undefined,
    value: unknown,
    headers: Readonly<Record<string, string>>,
    repeated?: RepeatCheck,
  ): ContractOutcome {
    if (active === undefined || active.length === 0) return SKIPPED;
    const pinned = headers[HEADERS.contractVersion];
    let first: { contract: ContractValidator; reasonCodes: readonly string[] } | undefined;
    for (const contract of active) {
      const result = contract.validate(value);
      if (result.valid) {
        return {
          result: 'PASS',
          reasonCodes: [],
          contract: { id: contract.id, version: contract.version },
          dq: dqFacts(contract.aggregateRules, value, repeated),
        };
      }
      first ??= { contract, reasonCodes: result.reasonCodes };
    }
    const newest = first as { contract: ContractValidator; reasonCodes: readonly string[] };
    const reasonCodes = [...newest.reasonCodes];
    if (pinned !== undefined && !active.some((c) => c.version === pinned))
      reasonCodes.push(INACTIVE);
    return {
      result: 'FAIL',
      reasonCodes,
      contract: { id: newest.contract.id, version: newest.contract.version },
      dq: dqFacts(newest.contract.aggregateRules, value, repeated),
    };
  }
}
