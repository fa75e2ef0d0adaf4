import type { DatasetContext } from '../runtime/signal-engine';
import type { IncidentDatasetInfo } from './types';

/**
 * Adapts the runtime's dataset catalog (anything with `get(urn) → DatasetContext`) to the incident
 * manager's `datasetInfo` callback: tier, owner as team, producing service.
 */
export function incidentDatasetInfoFrom(catalog: {
  get(urn: string): Promise<DatasetContext>;
}): (urn: string) => Promise<IncidentDatasetInfo> {
  return async (urn) => {
    const context = await catalog.get(urn);
    const info: IncidentDatasetInfo = { tier: context.tier };
    if (context.owner !== undefined && context.owner !== '') info.team = context.owner;
    if (context.producerService !== undefined && context.producerService !== '')
      info.producerService = context.producerService;
    return info;
  };
}
