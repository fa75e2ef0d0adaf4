import type { Platform } from '../platform/create-platform';
import type { PlatformDataset } from '../platform/types';
import type { Scenario } from '../scenario';

/** How far before the first simulated traffic the services' starting versions were deployed. */
export const INITIAL_DEPLOY_LEAD_MS = 24 * 3_600_000;

/** Where a LineageSpec job lives in the graph (`job:<namespace>:<name>`). */
export const SCENARIO_JOB_NAMESPACE = 'scenario';

/**
 * Registers everything the scenario describes before traffic starts: datasets (sidecar registry
 * with contract, policy, identity fallback; engine SLOs; registry table; graph), lineage jobs
 * (LineageSpec), and each service's starting version as a DeploymentEvent a day before the first
 * traffic (history included).
 */
export async function registerScenario(platform: Platform, scenario: Scenario): Promise<void> {
  const owners = new Map(scenario.services.map((s) => [s.name, s.owner]));
  for (const d of scenario.datasets) {
    const dataset: PlatformDataset = {
      urn: d.urn,
      topic: d.topic,
      identity: d.identity,
      tier: d.tier,
      policy: d.policy,
    };
    if (d.producer !== undefined) dataset.producer = d.producer;
    const owner = d.producer === undefined ? undefined : owners.get(d.producer);
    if (owner !== undefined) dataset.owner = owner;
    if (d.contract !== undefined)
      dataset.contract = d.contract.document as unknown as Record<string, unknown>;
    if (d.slo !== undefined) {
      dataset.slo = {};
      if (d.slo.freshnessMaxDelay !== undefined)
        dataset.slo.freshnessMaxDelayMs = d.slo.freshnessMaxDelay;
      if (d.slo.volumeMinPerHour !== undefined)
        dataset.slo.volumeMinPerHour = d.slo.volumeMinPerHour;
      if (d.slo.complianceMin !== undefined) dataset.slo.complianceMin = d.slo.complianceMin;
    }
    await platform.registerDataset(dataset);
  }
  for (const job of scenario.lineage) {
    await platform.registerLineage({
      kind: 'LineageSpec',
      version: 1,
      producer: { job: { namespace: SCENARIO_JOB_NAMESPACE, name: job.job } },
      ...(job.owner === undefined ? {} : { owner: job.owner }),
      ...(job.tier === undefined ? {} : { tier: job.tier }),
      inputs: job.reads.map((urn) => {
        const columns = job.readsColumns[urn];
        return columns === undefined || columns.length === 0
          ? { dataset: urn }
          : { dataset: urn, columns };
      }),
      outputs: job.writes.map((urn) => ({ dataset: urn })),
      confidence: 'HIGH',
      source: { tool: 'signal-factory simulate' },
    });
  }
  const firstTraffic = scenario.start - scenario.history;
  for (const service of scenario.services) {
    if (service.version === undefined) continue;
    await platform.recordDeployment({
      kind: 'DeploymentEvent',
      service: service.name,
      version: service.version,
      time: new Date(firstTraffic - INITIAL_DEPLOY_LEAD_MS).toISOString(),
      ...(service.owner === undefined ? {} : { owner: service.owner }),
    });
  }
}

/** The version each service runs at the scenario's start. */
export function startingVersions(scenario: Scenario): Map<string, string | undefined> {
  return new Map(scenario.services.map((s) => [s.name, s.version]));
}
