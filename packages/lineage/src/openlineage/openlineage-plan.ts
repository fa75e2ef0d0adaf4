import type { GraphScalar } from '@signal-factory/core';
import type { GraphPlan } from '../ingest/graph-plan';
import { EDGE_LABELS, VERTEX_LABELS } from '../model/labels';
import { vertexIds } from '../model/vertex-ids';
import type { DatasetResolver } from '../resolver/dataset-resolver';
import {
  resolveOpenLineageDataset,
  type OpenLineageUnresolvedReason,
} from './resolve-openlineage-dataset';
import type {
  OpenLineageDataset,
  OpenLineageEvent,
  OpenLineageEventKind,
  OpenLineageFacets,
  OpenLineageJob,
  OpenLineageRunEvent,
} from './types';

/** An OpenLineage dataset that was left out of the graph, and why. */
export interface UnresolvedDataset {
  namespace: string;
  name: string;
  reason: OpenLineageUnresolvedReason;
  detail: string;
}

/** Run state recorded on the job, applied only when newer than what the job already has. */
export interface RunState {
  jobId: string;
  eventTimeMs: number;
  properties: Record<string, GraphScalar>;
}

export interface OpenLineagePlanResult {
  unresolved: UnresolvedDataset[];
  runState?: RunState;
}

const MAX_TEXT = 4_096;
const MAX_COLUMN_DEPTH = 8;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max = MAX_TEXT): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > max ? value.slice(0, max) : value;
}

/** Every facet as a `facet.<key>` JSON property: unknown facets are kept, not interpreted. */
function facetProperties(
  facets: OpenLineageFacets | undefined,
  prefix = 'facet.',
): Record<string, GraphScalar> {
  const out: Record<string, GraphScalar> = {};
  if (!facets) return out;
  for (const [key, value] of Object.entries(facets)) out[`${prefix}${key}`] = JSON.stringify(value);
  return out;
}

function tierFromTags(facets: OpenLineageFacets | undefined): number | undefined {
  const tags = isObject(facets?.tags) ? facets.tags.tags : undefined;
  if (!Array.isArray(tags)) return undefined;
  for (const tag of tags) {
    if (isObject(tag) && tag.key === 'tier') {
      const tier = Number(tag.value);
      if (tier === 1 || tier === 2 || tier === 3) return tier;
    }
  }
  return undefined;
}

function owners(plan: GraphPlan, facets: OpenLineageFacets | undefined, target: string): void {
  const list = isObject(facets?.ownership) ? facets.ownership.owners : undefined;
  if (!Array.isArray(list)) return;
  for (const owner of list) {
    const name = isObject(owner) ? text(owner.name, 256) : undefined;
    if (name === undefined) continue;
    const ownerId = plan.vertex(vertexIds.owner(name), VERTEX_LABELS.OWNER, {
      name,
      type: isObject(owner) ? text(owner.type, 64) : undefined,
    });
    plan.edge(ownerId, EDGE_LABELS.OWNS, target, { source: 'openlineage' });
  }
}

interface SchemaField {
  name?: unknown;
  type?: unknown;
  description?: unknown;
  fields?: unknown;
}

/** Schema facet fields → Column vertices under the dataset (nested fields as `a.b`). */
function columnsFromSchema(
  plan: GraphPlan,
  datasetUrn: string,
  facets: OpenLineageFacets | undefined,
): void {
  const schema = isObject(facets?.schema) ? facets.schema : undefined;
  if (!schema || !Array.isArray(schema.fields)) return;
  const walk = (fields: unknown[], prefix: string, depth: number): void => {
    if (depth > MAX_COLUMN_DEPTH) return;
    for (const field of fields as SchemaField[]) {
      const name = isObject(field) ? text(field.name, 512) : undefined;
      if (name === undefined) continue;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      column(plan, datasetUrn, path, {
        type: text(field.type, 256),
        description: text(field.description, 1024),
      });
      if (Array.isArray(field.fields)) walk(field.fields, path, depth + 1);
    }
  };
  walk(schema.fields, '', 0);
}

function column(
  plan: GraphPlan,
  datasetUrn: string,
  path: string,
  properties: Record<string, GraphScalar | undefined> = {},
): string {
  const id = plan.vertex(vertexIds.column(datasetUrn, path), VERTEX_LABELS.COLUMN, {
    dataset: datasetUrn,
    path,
    ...properties,
  });
  plan.edge(datasetUrn, EDGE_LABELS.HAS_COLUMN, id);
  return id;
}

/** Maps one validated OpenLineage event onto graph writes. */
export function planOpenLineage(
  plan: GraphPlan,
  kind: OpenLineageEventKind,
  event: OpenLineageEvent,
  resolver: DatasetResolver,
  eventTimeMs: number,
): OpenLineagePlanResult {
  const unresolved: UnresolvedDataset[] = [];
  const resolveDataset = (dataset: OpenLineageDataset): string | undefined => {
    const resolution = resolveOpenLineageDataset(resolver, dataset.namespace, dataset.name);
    if (!resolution.resolved) {
      unresolved.push({
        namespace: dataset.namespace,
        name: dataset.name,
        reason: resolution.reason,
        detail: resolution.detail,
      });
      return undefined;
    }
    return resolution.urn;
  };
  const seen = new Map<string, string | undefined>();
  const resolveRef = (namespace: string, name: string): string | undefined => {
    const key = `${namespace}\u0000${name}`;
    if (!seen.has(key)) seen.set(key, resolveDataset({ namespace, name }));
    return seen.get(key);
  };
  const addDataset = (dataset: OpenLineageDataset): string | undefined => {
    const urn = resolveRef(dataset.namespace, dataset.name);
    if (urn === undefined) return undefined;
    plan.vertex(urn, VERTEX_LABELS.DATASET, {
      urn,
      olNamespace: dataset.namespace,
      olName: dataset.name,
      updatedAt: eventTimeMs,
      tier: tierFromTags(dataset.facets),
      ...facetProperties(dataset.facets),
    });
    columnsFromSchema(plan, urn, dataset.facets);
    owners(plan, dataset.facets, urn);
    return urn;
  };

  if (kind === 'DatasetEvent') {
    addDataset((event as { dataset: OpenLineageDataset }).dataset);
    return { unresolved };
  }

  const { job } = event as { job: OpenLineageJob };
  const jobId = planJob(plan, job, eventTimeMs);
  const edgeProps = { confidence: 'HIGH', source: 'openlineage', lastSeen: eventTimeMs } as const;
  const withEvent = event as { inputs?: OpenLineageDataset[]; outputs?: OpenLineageDataset[] };
  for (const input of withEvent.inputs ?? []) {
    const urn = addDataset(input);
    if (urn !== undefined) plan.edge(jobId, EDGE_LABELS.READS, urn, edgeProps);
  }
  for (const output of withEvent.outputs ?? []) {
    const urn = addDataset(output);
    if (urn === undefined) continue;
    plan.edge(jobId, EDGE_LABELS.WRITES, urn, edgeProps);
    planColumnLineage(plan, jobId, urn, output.facets, resolveRef, edgeProps);
  }

  if (kind !== 'RunEvent') return { unresolved };
  return { unresolved, runState: runState(jobId, event as OpenLineageRunEvent, eventTimeMs) };
}

function planJob(plan: GraphPlan, job: OpenLineageJob, eventTimeMs: number): string {
  const facets = job.facets;
  const jobType = isObject(facets?.jobType) ? facets.jobType : undefined;
  const location = isObject(facets?.sourceCodeLocation) ? facets.sourceCodeLocation : undefined;
  const jobId = plan.vertex(vertexIds.job(job.namespace, job.name), VERTEX_LABELS.JOB, {
    namespace: job.namespace,
    name: job.name,
    updatedAt: eventTimeMs,
    tier: tierFromTags(facets),
    processingType: text(jobType?.processingType, 64),
    integration: text(jobType?.integration, 128),
    jobType: text(jobType?.jobType, 128),
    sourceCodeType: text(location?.type, 64),
    sourceCodeUrl: text(location?.url, 2048),
    repoUrl: text(location?.repoUrl, 2048),
    sourcePath: text(location?.path, 2048),
    sourceVersion: text(location?.version, 256),
    sourceBranch: text(location?.branch, 256),
    ...facetProperties(facets),
  });
  owners(plan, facets, jobId);
  return jobId;
}

function planColumnLineage(
  plan: GraphPlan,
  jobId: string,
  outputUrn: string,
  facets: OpenLineageFacets | undefined,
  resolveRef: (namespace: string, name: string) => string | undefined,
  edgeProps: Record<string, GraphScalar>,
): void {
  const lineage = isObject(facets?.columnLineage) ? facets.columnLineage : undefined;
  if (!lineage) return;
  const readFields = (inputFields: unknown, indirect: boolean): void => {
    if (!Array.isArray(inputFields)) return;
    for (const field of inputFields) {
      if (!isObject(field)) continue;
      const namespace = text(field.namespace, 1024);
      const name = text(field.name, 1024);
      const path = text(field.field, 512);
      if (namespace === undefined || name === undefined || path === undefined) continue;
      const inputUrn = resolveRef(namespace, name);
      if (inputUrn === undefined) continue;
      plan.vertex(inputUrn, VERTEX_LABELS.DATASET, {
        urn: inputUrn,
        olNamespace: namespace,
        olName: name,
      });
      const columnId = column(plan, inputUrn, path);
      plan.edge(
        jobId,
        EDGE_LABELS.READS_COL,
        columnId,
        indirect ? { ...edgeProps, indirect: true } : edgeProps,
      );
    }
  };
  if (isObject(lineage.fields)) {
    for (const [outputField, spec] of Object.entries(lineage.fields)) {
      if (outputField.length === 0 || outputField.length > 512) continue;
      const columnId = column(plan, outputUrn, outputField);
      plan.edge(jobId, EDGE_LABELS.WRITES_COL, columnId, edgeProps);
      if (isObject(spec)) readFields(spec.inputFields, false);
    }
  }
  readFields(lineage.dataset, true);
}

function runState(jobId: string, event: OpenLineageRunEvent, eventTimeMs: number): RunState {
  const facets = event.run.facets;
  const error = isObject(facets?.errorMessage) ? facets.errorMessage : undefined;
  const parent = isObject(facets?.parent) ? facets.parent : undefined;
  const parentJob = isObject(parent?.job) ? parent.job : undefined;
  const parentRun = isObject(parent?.run) ? parent.run : undefined;
  const parentNamespace = text(parentJob?.namespace, 1024);
  const parentName = text(parentJob?.name, 1024);
  const properties: Record<string, GraphScalar> = {
    lastRunId: event.run.runId,
    lastRunState: event.eventType ?? 'OTHER',
    lastEventTime: event.eventTime,
    lastEventTimeMs: eventTimeMs,
    ...facetProperties(facets, 'run.facet.'),
  };
  if (event.eventType === 'FAIL' || error !== undefined) {
    const message = text(error?.message);
    if (message !== undefined) properties.lastErrorMessage = message;
    const language = text(error?.programmingLanguage, 64);
    if (language !== undefined) properties.lastErrorLanguage = language;
  }
  if (parentNamespace !== undefined && parentName !== undefined) {
    properties.parentJob = vertexIds.job(parentNamespace, parentName);
    const parentRunId = text(parentRun?.runId, 128);
    if (parentRunId !== undefined) properties.parentRunId = parentRunId;
  }
  return { jobId, eventTimeMs, properties };
}
