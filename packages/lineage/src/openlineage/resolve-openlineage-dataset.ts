import { isDatasetUrn } from '@signal-factory/core';
import type { DatasetResolver } from '../resolver/dataset-resolver';

/** Why an OpenLineage dataset has no URN. */
export type OpenLineageUnresolvedReason =
  'UNRESOLVED_TOPIC' | 'UNRESOLVED_NAMESPACE' | 'INVALID_URN' | 'INVALID_TOPIC';

export type OpenLineageDatasetResolution =
  | { resolved: true; urn: string }
  | { resolved: false; reason: OpenLineageUnresolvedReason; detail: string };

/**
 * OpenLineage dataset (namespace, name) → dataset URN:
 * 1. a name that already is a dataset URN is taken as is;
 * 2. Kafka (`kafka://<bootstrap>` namespace, topic as name): the topic goes through the resolver
 *    (exact map, then patterns), exactly as gate G1 resolves it;
 * 3. any other namespace: the resolver is asked for `<namespace>/<name>` (so exact entries and
 *    patterns can map tables and paths too); otherwise the dataset is unresolved.
 */
export function resolveOpenLineageDataset(
  resolver: DatasetResolver,
  namespace: string,
  name: string,
): OpenLineageDatasetResolution {
  if (isDatasetUrn(name)) return { resolved: true, urn: name };
  const kafka = namespace.startsWith('kafka://');
  const resolution = resolver.resolve(kafka ? name : `${namespace}/${name}`);
  if (resolution.resolved) return { resolved: true, urn: resolution.urn };
  if (resolution.reason === 'UNRESOLVED_TOPIC') {
    return kafka
      ? {
          resolved: false,
          reason: 'UNRESOLVED_TOPIC',
          detail: `Kafka topic ${JSON.stringify(name)} is not in the resolution map`,
        }
      : {
          resolved: false,
          reason: 'UNRESOLVED_NAMESPACE',
          detail: `${JSON.stringify(`${namespace}/${name}`)} is not in the resolution map`,
        };
  }
  return { resolved: false, reason: resolution.reason, detail: resolution.detail };
}
