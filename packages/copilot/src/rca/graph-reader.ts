import type { Edge, EdgeQuery, GraphStore, Vertex } from '@signal-factory/core';
import {
  CONFIDENCE_RANK,
  EDGE_LABELS,
  isConfidence,
  minConfidence,
  vertexIds,
  type Confidence,
  type LineageQueries,
} from '@signal-factory/lineage';
import type { DeploymentInfo } from '../types';
import { iso } from './time';

/** An upstream dataset reached from a dataset against the flow of data. */
export interface UpstreamDataset {
  urn: string;
  /** Dataset → job → dataset hops. */
  depth: number;
  /** Vertex ids from the upstream dataset down to the start dataset. */
  path: string[];
  /** Edge ids along the path, upstream first. */
  edges: string[];
  /** Weakest READS/WRITES edge on the path. */
  confidence: Confidence;
}

/** A deployment vertex with every deploy time it remembers. */
export interface DeploymentRecord {
  info: Omit<DeploymentInfo, 'deployed_at'>;
  /** Epoch ms, ascending. */
  times: number[];
}

/** A service that PRODUCES a dataset. */
export interface ProducerEdge {
  service: string;
  confidence: Confidence;
  edgeId: string;
}

const EDGE_LIMIT = 1_000;

function edgeConfidence(edge: Edge): Confidence {
  const value = edge.properties.confidence;
  return isConfidence(value) ? value : 'HIGH';
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Percent-decodes the characters `vertexIds` encodes (`%`, `|`, `:`, `#`). */
export function decodeIdPart(part: string): string {
  return part.replace(/%(25|7C|3A|23)/g, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

export function deploymentRecord(vertex: Vertex): DeploymentRecord {
  const p = vertex.properties;
  const times =
    typeof p.deployTimes === 'string' && p.deployTimes !== ''
      ? p.deployTimes
          .split(',')
          .map(Number)
          .filter((n) => Number.isFinite(n))
      : typeof p.deployedAt === 'number'
        ? [p.deployedAt]
        : [];
  times.sort((a, b) => a - b);
  const info: DeploymentRecord['info'] = {
    deployment_id: vertex.id,
    service: str(p.service) ?? '',
    version: str(p.version) ?? '',
  };
  const commit = str(p.commit);
  if (commit !== undefined) info.commit = commit;
  const environment = str(p.environment);
  if (environment !== undefined) info.environment = environment;
  return { info, times };
}

export function withDeployedAt(record: DeploymentRecord, at: number | undefined): DeploymentInfo {
  return at === undefined ? { ...record.info } : { ...record.info, deployed_at: iso(at) };
}

/** Batch reads a store may offer (GremlinGraphStore does): one round trip for many vertices. */
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

/** The copilot's reads of the graph beyond `LineageQueries`: upstream walks, history, columns. */
export class GraphReader {
  readonly store: GraphStore;
  readonly queries: LineageQueries;
  readonly #batch: BatchReads | undefined;

  constructor(store: GraphStore, queries: LineageQueries) {
    this.store = store;
    this.queries = queries;
    this.#batch = batchReads(store);
  }

  vertex(id: string): Promise<Vertex | undefined> {
    return this.store.getVertex(id);
  }

  async vertices(ids: string[]): Promise<Map<string, Vertex>> {
    const unique = [...new Set(ids)];
    const found =
      unique.length === 0
        ? []
        : this.#batch !== undefined
          ? await this.#batch.getVertices(unique)
          : await Promise.all(unique.map((id) => this.store.getVertex(id)));
    const map = new Map<string, Vertex>();
    for (const v of found) if (v !== undefined) map.set(v.id, v);
    return map;
  }

  edges(id: string, direction: 'in' | 'out', labels: string[]): Promise<Edge[]> {
    return this.store.edges(id, { direction, labels, limit: EDGE_LIMIT });
  }

  /** Edges of many vertices at once (one round trip on stores with batch reads). */
  async edgesOfMany(
    ids: string[],
    direction: 'in' | 'out',
    labels: string[],
  ): Promise<Map<string, Edge[]>> {
    const unique = [...new Set(ids)].sort();
    if (unique.length === 0) return new Map();
    const query = { direction, labels, limit: EDGE_LIMIT };
    if (this.#batch !== undefined) return this.#batch.edgesOfMany(unique, query);
    const lists = await Promise.all(unique.map((id) => this.store.edges(id, query)));
    return new Map(unique.map((id, i) => [id, lists[i] ?? []]));
  }

  /** Services with a PRODUCES edge into the dataset. */
  async producersOf(datasetUrn: string): Promise<ProducerEdge[]> {
    const edges = await this.edges(datasetUrn, 'in', [EDGE_LABELS.PRODUCES]);
    const out: ProducerEdge[] = [];
    for (const edge of edges.sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (!edge.from.startsWith('service:')) continue;
      out.push({
        service: decodeIdPart(edge.from.slice('service:'.length)),
        confidence: edgeConfidence(edge),
        edgeId: edge.id,
      });
    }
    return out;
  }

  /**
   * Datasets upstream of `datasetUrn`: Dataset ← WRITES ← Job → READS → Dataset, breadth first, up
   * to `maxDepth` hops, each dataset once (nearest, then surest path).
   */
  async upstreamOf(datasetUrn: string, maxDepth: number): Promise<UpstreamDataset[]> {
    const reached = new Map<string, UpstreamDataset>();
    let frontier: UpstreamDataset[] = [
      { urn: datasetUrn, depth: 0, path: [datasetUrn], edges: [], confidence: 'HIGH' },
    ];
    const seen = new Set([datasetUrn]);
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: UpstreamDataset[] = [];
      const writesBy = await this.edgesOfMany(
        frontier.map((n) => n.urn),
        'in',
        [EDGE_LABELS.WRITES],
      );
      const jobIds = [...writesBy.values()].flat().map((e) => e.from);
      const readsBy = await this.edgesOfMany(jobIds, 'out', [EDGE_LABELS.READS]);
      for (const node of frontier) {
        const writes = [...(writesBy.get(node.urn) ?? [])];
        for (const write of writes.sort((a, b) => (a.id < b.id ? -1 : 1))) {
          const reads = [...(readsBy.get(write.from) ?? [])];
          for (const read of reads.sort((a, b) => (a.id < b.id ? -1 : 1))) {
            const urn = read.to;
            if (urn === node.urn) continue;
            const confidence = minConfidence(
              node.confidence,
              minConfidence(edgeConfidence(write), edgeConfidence(read)),
            );
            const candidate: UpstreamDataset = {
              urn,
              depth,
              path: [urn, write.from, ...node.path],
              edges: [read.id, write.id, ...node.edges],
              confidence,
            };
            const known = reached.get(urn);
            if (known === undefined && !seen.has(urn)) {
              reached.set(urn, candidate);
              seen.add(urn);
              next.push(candidate);
            } else if (
              known !== undefined &&
              known.depth === depth &&
              CONFIDENCE_RANK[confidence] > CONFIDENCE_RANK[known.confidence]
            ) {
              reached.set(urn, candidate);
            }
          }
        }
      }
      frontier = next;
    }
    return [...reached.values()].sort(
      (a, b) =>
        a.depth - b.depth ||
        CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence] ||
        (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0),
    );
  }

  /** Every deployment of a service the graph remembers, with its deploy times. */
  async deploymentHistory(service: string): Promise<DeploymentRecord[]> {
    const edges = await this.edges(vertexIds.service(service), 'out', [EDGE_LABELS.DEPLOYED]);
    const vertices = await this.vertices(edges.map((e) => e.to).sort());
    return [...vertices.values()].map(deploymentRecord);
  }

  /** Columns a job reads, per dataset (READS_COL edges). */
  async columnsReadBy(jobId: string): Promise<Map<string, string[]>> {
    return columnsOf(await this.edges(jobId, 'out', [EDGE_LABELS.READS_COL]));
  }

  /** Columns many jobs read, per job and dataset (one batch). */
  async columnsReadByMany(jobIds: string[]): Promise<Map<string, Map<string, string[]>>> {
    const byJob = await this.edgesOfMany(jobIds, 'out', [EDGE_LABELS.READS_COL]);
    const out = new Map<string, Map<string, string[]>>();
    for (const [job, edges] of byJob) out.set(job, columnsOf(edges));
    return out;
  }

  /** Name of the owner of a vertex (first OWNS edge), if any. */
  async ownerOf(id: string): Promise<string | undefined> {
    return (await this.ownersOf([id])).get(id);
  }

  /** Owner names of many vertices (first OWNS edge of each), in one batch. */
  async ownersOf(ids: string[]): Promise<Map<string, string>> {
    const byId = await this.edgesOfMany(ids, 'in', [EDGE_LABELS.OWNS]);
    const out = new Map<string, string>();
    for (const [id, edges] of byId) {
      const first = edges.map((e) => e.from).sort()[0];
      if (first !== undefined && first.startsWith('owner:'))
        out.set(id, decodeIdPart(first.slice('owner:'.length)));
    }
    return out;
  }
}

/** READS_COL edges → dataset URN → column paths (sorted). */
function columnsOf(edges: Edge[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const edge of edges) {
    const hash = edge.to.indexOf('#');
    if (hash < 0) continue;
    const urn = edge.to.slice(0, hash);
    const path = decodeIdPart(edge.to.slice(hash + 1));
    const list = out.get(urn) ?? [];
    list.push(path);
    out.set(urn, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}
