import type { RcaReport } from '@signal-factory/copilot';

import {
  checkExpectations,
  type ExpectationResult,
  type ObservedRca,
  type ObservedRootCause,
  type Scenario,
} from '../scenario';
import type { PlayResult } from './play-scenario';

/** One expectation of the scenario and what happened (the `checks[]` of `simulate --json`). */
export interface ExpectationCheck {
  expectation: string;
  passed: boolean;
  actual: string;
}

/** The view of a copilot report that scenario expectations are checked against. */
export function observedRca(report: RcaReport): ObservedRca {
  const cause = report.root_cause;
  let rootCause: ObservedRootCause | undefined;
  switch (cause.kind) {
    case 'deployment':
      rootCause = {
        kind: 'deployment',
        service: cause.deployment.service,
        version: cause.deployment.version,
        ...(cause.deployment.commit === undefined ? {} : { commit: cause.deployment.commit }),
        dataset: cause.dataset_urn,
      };
      break;
    case 'stall':
      rootCause = {
        kind: 'stall',
        dataset: cause.dataset_urn,
        ...(cause.producer_service === undefined ? {} : { service: cause.producer_service }),
      };
      break;
    case 'upstream_dataset':
      rootCause = { kind: 'upstream_dataset', dataset: cause.upstream_dataset_urn };
      break;
    case 'unexplained':
      rootCause = undefined;
      break;
  }
  const blast = new Set<string>();
  for (const e of report.blast_radius.entries) {
    blast.add(e.name);
    blast.add(e.id);
  }
  const codes = new Set<string>();
  for (const r of report.reason_codes) codes.add(r.code);
  for (const s of report.failure_signatures) for (const c of s.reason_codes) codes.add(c);
  return {
    incidentId: report.incident_id,
    ...(rootCause === undefined ? {} : { rootCause }),
    confidence: report.confidence.level,
    ...(report.first_bad === undefined ? {} : { firstBad: report.first_bad.time }),
    blastRadius: [...blast],
    reasonCodes: [...codes],
  };
}

/** Checks every expectation of the scenario against what the platform concluded. */
export function checkScenario(scenario: Scenario, result: PlayResult): ExpectationCheck[] {
  const results: ExpectationResult[] = checkExpectations(scenario, {
    signals: result.signals,
    incidents: result.incidents,
    rca: result.rca.map(observedRca),
  });
  return results.map((r) => ({ expectation: r.expectation, passed: r.passed, actual: r.actual }));
}
