import type { Edge, EdgeQuery, GraphStore, Vertex } from '@signal-factory/core';
import { isDatasetUrn } from '@signal-factory/core';
import { LINEAGE_ERROR_CODES, lineageError } from '../errors';
import { DatasetIoIndex, type DatasetIoEntry } from '../index/dataset-io-index';
import {
  CONFIDENCE_RANK,
  EDGE_LABELS,
  isConfidence,
  minConfidence,
  VERTEX_LABELS,
  type Confidence,
} from '../model/labels';
import { vertexIds } from '../model/vertex-ids';
import { parseTime } from '../spec/ajv';
import type {
  BlastRadiusHit,
  BlastRadiusResult,
  CausalChain,
  CausalPathResult,
  CausalRoot,
  DeploymentAtResult,
  QueryVertex,
} from './types';

export interface LineageQueriesOptions {
  store: GraphStore;
  /** The writers/readers index (share the ingestor's to see its writes at once). Default: a new one. */
  index?: DatasetIoIndex;
  /** Most edges read per vertex and hop (the ingestion cap makes more impossible). Default 1,000. */
  edgeLimitPerNode?: number;
  /** Most store calls in flight during one query. Default 16. */
  concurrency?: number;
}

export interface CausalPathOptions {
  /** Hops back from the incident, 1..5. Default 5 (Incident ← Signal ← FailureSignature ← Deployment ← Service ← Owner). */
  maxDepth?: number;
  /** Most chains returned. Default 100. */
  limit?: number;
  /** Most vertices visited. Default 1,000. */
  vertexLimit?: number;
}

export interface BlastRadiusOptions {
  /** Hops downstream (dataset → job → dataset is one hop), 1..3. Default 3. */
  maxDepth?: number;
  /** Most hits returned. Default 500. */
  limit?: number;
  /** Most vertices visited before the walk stops. Default 5,000. */
  vertexLimit?: number;
}

/** Optional batch reads a store may offer (GremlinGraphStore does): fewer round trips, same answers. */
interface BatchReads {
  edgesOfMany(vertexIds: string[], query: EdgeQuery): Promise<Map<string, Edge[]>>;
  getVertices(ids: string[]): Promise<Vertex[]>;
}

function batchReads(store: GraphStore): BatchReads | undefined {
  const candidate = store as Partial<BatchReads>;
  return typeof candidate.edgesOfMany === 'function' && typeof candidate.getVertices === 'function'
    ? (store as unknown as BatchReads)
    : undefined;
}

/** What to compute the blast radius of: a dataset, or one of its columns. */
export type BlastRadiusTarget = { dataset: string; column?: string };

// The causal chain, walked backwards from the incident: one edge label per hop.
const CAUSAL_STEPS = [
  EDGE_LABELS.TRIGGERED,
  EDGE_LABELS.CAUSED,
  EDGE_LABELS.INTRODUCED,
  EDGE_LABELS.DEPLOYED,
  EDGE_LABELS.OWNS,
] as const;

const byId = (a: { id: string }, b: { id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function edgeConfidence(edge: Edge): Confidence {
  const value = edge.properties.confidence;
  return isConfidence(value) ? value : 'HIGH';
}

function intOption(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw lineageError(
      LINEAGE_ERROR_CODES.QUERY_INVALID,
      `${name} must be an integer from ${min} to ${max}`,
      {
        details: {
          problems: [{ path: name, message: `must be an integer from ${min} to ${max}` }],
        },
      },
    );
  }
  return resolved;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Reached {
  depth: number;
  /** Parents on the previous level, with the edge that led here. */
  parents: { id: string; edge: Edge }[];
  confidence: Confidence;
}

/**
 * The graph's questions, each bounded by depth and by a result cap, written against the
 * `GraphStore` port only, so the embedded graph and Gremlin/Neptune give identical answers.
 */
export class LineageQueries {
  readonly #store: GraphStore;
  readonly #index: DatasetIoIndex;
  readonly #edgeLimit: number;
  readonly #concurrency: number;
  readonly #batch: BatchReads | undefined;

  constructor(options: LineageQueriesOptions) {
    this.#store = options.store;
    this.#batch = batchReads(options.store);
    this.#index = options.index ?? new DatasetIoIndex(options.store);
    this.#edgeLimit = intOption(options.edgeLimitPerNode, 1_000, 1, 100_000, 'edgeLimitPerNode');
    this.#concurrency = intOption(options.concurrency, 16, 1, 1_024, 'concurrency');
  }

  /**
   * Incident ← TRIGGERED ← Signal ← CAUSED ← FailureSignature ← INTRODUCED ← Deployment ← DEPLOYED ←
   * Service (← OWNS ← Owner): at most 5 hops, breadth-first, each vertex once (cycles are safe).
   */
  async causalPath(incidentId: string, options: CausalPathOptions = {}): Promise<CausalPathResult> {
    const maxDepth = intOption(options.maxDepth, 5, 1, 5, 'maxDepth');
    const limit = intOption(options.limit, 100, 1, 10_000, 'limit');
    const vertexLimit = intOption(options.vertexLimit, 1_000, 1, 100_000, 'vertexLimit');
    const startId = vertexIds.incident(incidentId);
    const start = await this.#store.getVertex(startId);
    if (start === undefined) {
      return { incidentId, found: false, vertices: [], chains: [], roots: [], truncated: false };
    }
    const reached = new Map<string, Reached>([
      [startId, { depth: 0, parents: [], confidence: 'HIGH' }],
    ]);
    let frontier = [startId];
    let truncated = false;
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const label = CAUSAL_STEPS[depth - 1] as string;
      const expanded = await this.#expand(frontier, 'in', [label]);
      const next: string[] = [];
      for (const { from, edge, to } of expanded) {
        const known = reached.get(to);
        const confidence = minConfidence(
          reached.get(from)?.confidence ?? 'HIGH',
          edgeConfidence(edge),
        );
        if (known === undefined) {
          if (reached.size > vertexLimit) {
            truncated = true;
            continue;
          }
          reached.set(to, { depth, parents: [{ id: from, edge }], confidence });
          next.push(to);
        } else if (known.depth === depth) {
          known.parents.push({ id: from, edge });
          if (CONFIDENCE_RANK[confidence] > CONFIDENCE_RANK[known.confidence])
            known.confidence = confidence;
        }
      }
      frontier = next;
    }
    const ids = [...reached.keys()].filter((id) => id !== startId);
    const vertices = await this.#vertices(ids);
    const hasChild = new Set<string>();
    for (const node of reached.values()) for (const parent of node.parents) hasChild.add(parent.id);
    const chains: CausalChain[] = [];
    const leaves = ids.filter((id) => !hasChild.has(id)).sort(compare);
    const walkBack = (
      id: string,
      vertexTrail: string[],
      edgeTrail: string[],
      confidence: Confidence,
    ): void => {
      if (chains.length >= limit) {
        truncated = true;
        return;
      }
      const node = reached.get(id);
      if (node === undefined || node.parents.length === 0) {
        chains.push({
          vertices: [...vertexTrail].reverse(),
          edges: [...edgeTrail].reverse(),
          confidence,
        });
        return;
      }
      const parents = [...node.parents].sort((a, b) => compare(a.edge.id, b.edge.id));
      for (const parent of parents) {
        walkBack(
          parent.id,
          [...vertexTrail, parent.id],
          [...edgeTrail, parent.edge.id],
          minConfidence(confidence, edgeConfidence(parent.edge)),
        );
      }
    };
    for (const leaf of leaves) walkBack(leaf, [leaf], [], 'HIGH');
    chains.sort(
      (a, b) =>
        b.vertices.length - a.vertices.length ||
        CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence] ||
        compare(a.vertices.join('\n'), b.vertices.join('\n')),
    );
    const roots = new Map<string, CausalRoot>();
    for (const chain of chains) {
      for (const id of chain.vertices) {
        const vertex = vertices.get(id);
        if (vertex?.label !== VERTEX_LABELS.DEPLOYMENT) continue;
        const previous = roots.get(id);
        if (
          previous !== undefined &&
          CONFIDENCE_RANK[previous.confidence] >= CONFIDENCE_RANK[chain.confidence]
        )
          continue;
        const p = vertex.properties;
        roots.set(id, {
          deploymentId: id,
          service: typeof p.service === 'string' ? p.service : undefined,
          version: typeof p.version === 'string' ? p.version : undefined,
          commit: typeof p.commit === 'string' ? p.commit : undefined,
          environment:
            typeof p.environment === 'string' && p.environment !== '' ? p.environment : undefined,
          deployedAt: typeof p.deployedAt === 'number' ? p.deployedAt : undefined,
          confidence: chain.confidence,
        });
      }
    }
    return {
      incidentId,
      found: true,
      vertices: ids
        .map((id) => ({
          ...(vertices.get(id) ?? { id, label: '', properties: {} }),
          depth: reached.get(id)?.depth ?? 0,
        }))
        .sort((a, b) => a.depth - b.depth || byId(a, b)),
      chains,
      roots: [...roots.values()].sort(
        (a, b) =>
          CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence] ||
          (b.deployedAt ?? 0) - (a.deployedAt ?? 0) ||
          compare(a.deploymentId, b.deploymentId),
      ),
      truncated,
    };
  }

  /**
   * Who is hurt when a dataset (or one column) breaks: Dataset ← READS ← Job → WRITES → Dataset,
   * repeated up to 3 hops (columns: Column ← READS_COL ← Job → WRITES_COL → Column, with each
   * column's dataset reported too). Ranked by depth, consumer tier and edge confidence.
   */
  async blastRadius(
    target: BlastRadiusTarget,
    options: BlastRadiusOptions = {},
  ): Promise<BlastRadiusResult> {
    const maxDepth = intOption(options.maxDepth, 3, 1, 3, 'maxDepth');
    const limit = intOption(options.limit, 500, 1, 100_000, 'limit');
    const vertexLimit = intOption(options.vertexLimit, 5_000, 1, 1_000_000, 'vertexLimit');
    if (typeof target !== 'object' || target === null || !isDatasetUrn(target.dataset)) {
      throw lineageError(
        LINEAGE_ERROR_CODES.QUERY_INVALID,
        'blastRadius needs { dataset: <dataset URN>, column? }',
      );
    }
    const columnMode = typeof target.column === 'string' && target.column !== '';
    const startId = columnMode
      ? vertexIds.column(target.dataset, target.column as string)
      : target.dataset;
    const start = await this.#store.getVertex(startId);
    if (start === undefined) return { start: startId, found: false, hits: [], truncated: false };
    const [readLabel, writeLabel] = columnMode
      ? [EDGE_LABELS.READS_COL, EDGE_LABELS.WRITES_COL]
      : [EDGE_LABELS.READS, EDGE_LABELS.WRITES];

    const reached = new Map<string, Reached & { label: string; via: string }>();
    reached.set(startId, {
      depth: 0,
      parents: [],
      confidence: 'HIGH',
      label: start.label,
      via: '',
    });
    let truncated = false;
    const visit = (from: string, edge: Edge, to: string, depth: number, label: string): boolean => {
      const confidence = minConfidence(
        reached.get(from)?.confidence ?? 'HIGH',
        edgeConfidence(edge),
      );
      const known = reached.get(to);
      if (known === undefined) {
        if (reached.size > vertexLimit) {
          truncated = true;
          return false;
        }
        reached.set(to, { depth, parents: [{ id: from, edge }], confidence, label, via: from });
        return true;
      }
      if (
        known.depth === depth &&
        CONFIDENCE_RANK[confidence] > CONFIDENCE_RANK[known.confidence]
      ) {
        known.confidence = confidence;
        known.via = from;
      }
      return false;
    };
    let frontier = [startId];
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const jobs: string[] = [];
      for (const { from, edge, to } of await this.#expand(frontier, 'in', [readLabel])) {
        if (visit(from, edge, to, depth, VERTEX_LABELS.JOB)) jobs.push(to);
      }
      const next: string[] = [];
      for (const { from, edge, to } of await this.#expand(jobs, 'out', [writeLabel])) {
        if (visit(from, edge, to, depth, columnMode ? VERTEX_LABELS.COLUMN : VERTEX_LABELS.DATASET))
          next.push(to);
      }
      frontier = next;
      // Hits rank by depth first: once a level fills the cap, deeper levels cannot make the cut.
      if (reached.size - 1 >= limit && frontier.length > 0 && depth < maxDepth) {
        truncated = true;
        break;
      }
    }
    if (columnMode) {
      // Each reached column's dataset is hurt too, at the column's depth.
      for (const [id, node] of [...reached]) {
        if (node.label !== VERTEX_LABELS.COLUMN || id === startId) continue;
        const dataset = id.slice(0, id.indexOf('#'));
        const known = reached.get(dataset);
        if (dataset === target.dataset) continue;
        if (known === undefined) {
          reached.set(dataset, {
            depth: node.depth,
            parents: [],
            confidence: node.confidence,
            label: VERTEX_LABELS.DATASET,
            via: id,
          });
        } else if (
          known.depth === node.depth &&
          CONFIDENCE_RANK[node.confidence] > CONFIDENCE_RANK[known.confidence]
        ) {
          known.confidence = node.confidence;
          known.via = id;
        }
      }
    }
    // Read vertices (for tiers) only for the depths that can make the cut.
    const byDepth = [...reached.keys()]
      .filter((id) => id !== startId)
      .sort((a, b) => (reached.get(a)?.depth ?? 0) - (reached.get(b)?.depth ?? 0));
    let cut = byDepth.length;
    if (byDepth.length > limit) {
      const lastDepth = reached.get(byDepth[limit - 1] as string)?.depth ?? 0;
      cut = byDepth.findIndex((id) => (reached.get(id)?.depth ?? 0) > lastDepth);
      if (cut === -1) cut = byDepth.length;
      truncated = true;
    }
    const ids = byDepth.slice(0, cut);
    const vertices = await this.#vertices(ids);
    const tierRank = (tier: number | undefined): number => tier ?? 4;
    const hits: BlastRadiusHit[] = ids.map((id) => {
      const node = reached.get(id) as Reached & { label: string; via: string };
      const vertex = vertices.get(id);
      const tier = vertex?.properties.tier;
      const hit: BlastRadiusHit = {
        id,
        label: vertex?.label ?? node.label,
        depth: node.depth,
        confidence: node.confidence,
        via: node.via,
        properties: vertex?.properties ?? {},
      };
      if (tier === 1 || tier === 2 || tier === 3) hit.tier = tier;
      return hit;
    });
    hits.sort(
      (a, b) =>
        a.depth - b.depth ||
        tierRank(a.tier) - tierRank(b.tier) ||
        CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence] ||
        byId(a, b),
    );
    if (hits.length > limit) truncated = true;
    return { start: startId, found: true, hits: hits.slice(0, limit), truncated };
  }

  /** Jobs that WRITE the dataset and services that PRODUCE it (O(1) index lookup once loaded). */
  writersOf(datasetUrn: string): Promise<DatasetIoEntry[]> {
    this.#checkUrn(datasetUrn);
    return this.#index.writersOf(datasetUrn);
  }

  /** Jobs that READ the dataset (O(1) index lookup once loaded). */
  readersOf(datasetUrn: string): Promise<DatasetIoEntry[]> {
    this.#checkUrn(datasetUrn);
    return this.#index.readersOf(datasetUrn);
  }

  /**
   * Which version of a service ran at a time ("what version of orders-svc ran at 10:05?"): the
   * deployment with the latest deploy time at or before `at`, optionally in one environment.
   */
  async deploymentAt(
    service: string,
    at: number | string | Date,
    options: { environment?: string } = {},
  ): Promise<DeploymentAtResult | undefined> {
    const time = at instanceof Date ? at.getTime() : typeof at === 'string' ? parseTime(at) : at;
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw lineageError(
        LINEAGE_ERROR_CODES.QUERY_INVALID,
        'deploymentAt needs a time (epoch ms, Date or RFC 3339)',
      );
    }
    const serviceId = vertexIds.service(service);
    const edges = await this.#store.edges(serviceId, {
      direction: 'out',
      labels: [EDGE_LABELS.DEPLOYED],
      limit: this.#edgeLimit,
    });
    const deployments = await this.#vertices(edges.map((e) => e.to).sort(compare));
    let best: DeploymentAtResult | undefined;
    for (const vertex of deployments.values()) {
      const p = vertex.properties;
      const environment =
        typeof p.environment === 'string' && p.environment !== '' ? p.environment : undefined;
      if (options.environment !== undefined && environment !== options.environment) continue;
      const times = typeof p.deployTimes === 'string' ? p.deployTimes.split(',').map(Number) : [];
      let latest = Number.NEGATIVE_INFINITY;
      for (const t of times) if (Number.isFinite(t) && t <= time && t > latest) latest = t;
      if (latest === Number.NEGATIVE_INFINITY) continue;
      if (
        best !== undefined &&
        (latest < best.deployedAt || (latest === best.deployedAt && vertex.id > best.deploymentId))
      ) {
        continue;
      }
      best = {
        deploymentId: vertex.id,
        service: typeof p.service === 'string' ? p.service : service,
        version: typeof p.version === 'string' ? p.version : '',
        deployedAt: latest,
        ...(typeof p.commit === 'string' ? { commit: p.commit } : {}),
        ...(environment !== undefined ? { environment } : {}),
      };
    }
    return best;
  }

  #checkUrn(urn: string): void {
    if (!isDatasetUrn(urn))
      throw lineageError(LINEAGE_ERROR_CODES.QUERY_INVALID, 'expected a dataset URN');
  }

  /** One hop from every frontier vertex, sorted so both stores give the same order. */
  async #expand(
    frontier: string[],
    direction: 'in' | 'out',
    labels: string[],
  ): Promise<{ from: string; edge: Edge; to: string }[]> {
    const sorted = [...frontier].sort(compare);
    const query = { direction, labels, limit: this.#edgeLimit };
    let lists: Edge[][];
    if (this.#batch !== undefined) {
      const byVertex =
        sorted.length === 0
          ? new Map<string, Edge[]>()
          : await this.#batch.edgesOfMany(sorted, query);
      lists = sorted.map((id) => byVertex.get(id) ?? []);
    } else {
      lists = await mapLimit(sorted, this.#concurrency, (id) => this.#store.edges(id, query));
    }
    const out: { from: string; edge: Edge; to: string }[] = [];
    sorted.forEach((from, i) => {
      const edges = [...(lists[i] ?? [])].sort(byId);
      for (const edge of edges) {
        const to = direction === 'out' ? edge.to : edge.from;
        if (to === from) continue; // self-loops lead nowhere new
        out.push({ from, edge, to });
      }
    });
    return out;
  }

  async #vertices(ids: string[]): Promise<Map<string, QueryVertex>> {
    const found =
      this.#batch !== undefined
        ? ids.length === 0
          ? []
          : await this.#batch.getVertices(ids)
        : await mapLimit(ids, this.#concurrency, (id) => this.#store.getVertex(id));
    const map = new Map<string, QueryVertex>();
    for (const vertex of found) if (vertex !== undefined) map.set(vertex.id, vertex);
    return map;
  }
}
