import type { RcaReport } from '@signal-factory/copilot';
import type { Incident, Signal } from '@signal-factory/core';

import type { Scenario } from '../scenario';
import { playScenario, type PlayOptions, type PlayResult } from './play-scenario';
import { checkScenario, type ExpectationCheck } from './checks';

/** The document `signal-factory simulate --json` prints. */
export interface SimulationReport {
  scenario: string;
  passed: boolean;
  checks: ExpectationCheck[];
  signals: Signal[];
  incidents: Incident[];
  rca: RcaReport[];
  seed: number;
  stats: PlayResult['stats'];
}

/** Plays a scenario and checks its expectations. */
export async function simulate(
  scenario: Scenario,
  options: PlayOptions = {},
): Promise<SimulationReport & { platform?: PlayResult['platform'] }> {
  const result = await playScenario(scenario, options);
  const checks = checkScenario(scenario, result);
  return {
    scenario: scenario.name,
    passed: checks.every((c) => c.passed),
    checks,
    signals: result.signals,
    incidents: result.incidents,
    rca: result.rca,
    seed: result.seed,
    stats: result.stats,
    ...(result.platform === undefined ? {} : { platform: result.platform }),
  };
}
