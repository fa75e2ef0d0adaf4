// Public surface of @signal-factory/lineage. Explicit re-exports only (no `export *`).

// errors
export { LINEAGE_ERROR_CODES, type LineageErrorCode, type Problem } from './errors';

// graph model
export {
  CONFIDENCE_RANK,
  EDGE_LABELS,
  VERTEX_LABELS,
  isConfidence,
  minConfidence,
  type Confidence,
  type EdgeLabel,
  type VertexLabel,
} from './model/labels';
export { vertexIds, type VertexIds } from './model/vertex-ids';

// dataset resolution (shared with the sidecar's gate G1)
export {
  createDatasetResolver,
  type DatasetPatternRule,
  type DatasetResolution,
  type DatasetResolver,
  type DatasetResolverOptions,
  type UnresolvedReason,
} from './resolver/dataset-resolver';
export {
  resolveOpenLineageDataset,
  type OpenLineageDatasetResolution,
  type OpenLineageUnresolvedReason,
} from './openlineage/resolve-openlineage-dataset';

// OpenLineage
export {
  OpenLineageValidator,
  type FacetContainer,
  type OpenLineageValidation,
  type OpenLineageValidatorOptions,
} from './openlineage/openlineage-validator';
export type {
  OpenLineageDataset,
  OpenLineageDatasetEvent,
  OpenLineageEvent,
  OpenLineageEventKind,
  OpenLineageFacets,
  OpenLineageJob,
  OpenLineageJobEvent,
  OpenLineageRun,
  OpenLineageRunEvent,
  RunEventType,
} from './openlineage/types';
export type { UnresolvedDataset } from './openlineage/openlineage-plan';

// LineageSpec and DeploymentEvent
export {
  LINEAGE_SPEC_V1_SCHEMA,
  checkLineageSpec,
  type LineageSpec,
  type LineageSpecDatasetRef,
  type SpecCheck,
} from './spec/lineage-spec';
export {
  DEPLOYMENT_EVENT_V1_SCHEMA,
  checkDeploymentEvent,
  type DeploymentEvent,
} from './spec/deployment-event';

// ingestion
export {
  LineageIngestor,
  type DatasetRecord,
  type FailureSignatureRecord,
  type IncidentRecord,
  type LineageIngestorOptions,
  type SignalRecord,
} from './ingest/lineage-ingestor';
export type { IngestKind, IngestResult, IngestStats } from './ingest/types';
export type { CardinalityLimits, Drop, DropReason } from './ingest/cardinality-guard';
export {
  DatasetIoIndex,
  type DatasetIoEntry,
  type DatasetIoIndexOptions,
} from './index/dataset-io-index';

// queries
export {
  LineageQueries,
  type BlastRadiusOptions,
  type BlastRadiusTarget,
  type CausalPathOptions,
  type LineageQueriesOptions,
} from './query/lineage-queries';
export type {
  BlastRadiusHit,
  BlastRadiusResult,
  CausalChain,
  CausalPathResult,
  CausalRoot,
  DeploymentAtResult,
  QueryVertex,
} from './query/types';
export { createLineageGraph, type LineageGraph, type LineageGraphOptions } from './lineage-graph';

// Gremlin / Neptune
export { GremlinGraphStore } from './gremlin/gremlin-graph-store';
export type { GremlinGraphStoreOptions, HeadersOption } from './gremlin/options';

// transports
export {
  LineageHttpServer,
  type HttpErrorBody,
  type LineageHttpServerOptions,
} from './http/lineage-http-server';
export {
  startLineageBusConsumer,
  type LineageBusConsumer,
  type LineageBusConsumerOptions,
} from './bus/lineage-bus-consumer';

// logging and diagnostics
export { DIAGNOSTICS, SILENT_LOGGER, type Logger } from './logger';
