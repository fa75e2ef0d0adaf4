/** OpenLineage 2-0-2 event shapes (only the fields this package reads; everything else is kept). */

export type OpenLineageFacets = Record<string, unknown>;

export interface OpenLineageJob {
  namespace: string;
  name: string;
  facets?: OpenLineageFacets;
}

export interface OpenLineageRun {
  runId: string;
  facets?: OpenLineageFacets;
}

export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: OpenLineageFacets;
  inputFacets?: OpenLineageFacets;
  outputFacets?: OpenLineageFacets;
}

export type RunEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

interface BaseEvent {
  eventTime: string;
  producer: string;
  schemaURL: string;
}

export interface OpenLineageRunEvent extends BaseEvent {
  eventType?: RunEventType;
  run: OpenLineageRun;
  job: OpenLineageJob;
  inputs?: OpenLineageDataset[];
  outputs?: OpenLineageDataset[];
}

export interface OpenLineageJobEvent extends BaseEvent {
  job: OpenLineageJob;
  inputs?: OpenLineageDataset[];
  outputs?: OpenLineageDataset[];
}

export interface OpenLineageDatasetEvent extends BaseEvent {
  dataset: OpenLineageDataset;
}

export type OpenLineageEventKind = 'RunEvent' | 'JobEvent' | 'DatasetEvent';

export type OpenLineageEvent = OpenLineageRunEvent | OpenLineageJobEvent | OpenLineageDatasetEvent;
