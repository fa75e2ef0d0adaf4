import type { Problem } from '../errors';
import type { UnresolvedDataset } from '../openlineage/openlineage-plan';
import type { Drop } from './cardinality-guard';

/** What an input was recognised as. */
export type IngestKind =
  | 'RunEvent'
  | 'JobEvent'
  | 'DatasetEvent'
  | 'LineageSpec'
  | 'DeploymentEvent'
  | 'Dataset'
  | 'FailureSignature'
  | 'Signal'
  | 'Incident';

/** The outcome of one ingested input. Bad input is reported here, never thrown. */
export type IngestResult =
  | {
      ok: true;
      kind: IngestKind;
      /** Vertex upserts sent to the store. */
      vertices: number;
      /** Edge upserts sent to the store (after cardinality drops). */
      edges: number;
      /** Datasets left out because their namespace or topic has no URN. */
      unresolved: UnresolvedDataset[];
      /** Edges not written because a cap was reached. */
      dropped: Drop[];
      /** Deployment vertices removed to keep a service under `maxDeploymentsPerService`. */
      evicted: string[];
      /** A RunEvent older than the job's recorded run state updated lineage but not the run state. */
      stale?: boolean;
    }
  | {
      ok: false;
      kind?: IngestKind;
      /** `SF_ERR_LINEAGE_*` code. */
      code: string;
      problems: Problem[];
    };

/** Running totals since the ingestor was created. */
export interface IngestStats {
  accepted: number;
  rejected: number;
  /** Rejections by error code. */
  rejectedByCode: Record<string, number>;
  /** Dropped edges by reason. */
  droppedByReason: Record<string, number>;
  /** Unresolved datasets by reason. */
  unresolvedByReason: Record<string, number>;
  evictedDeployments: number;
}
