/**
 * The knowledge graph: a property graph with deterministic ids and bounded traversals only.
 */

export type GraphScalar = string | number | boolean;

export interface Vertex {
  /** Deterministic id (URN-based) so upserts are idempotent. */
  id: string;
  label: string;
  properties: Record<string, GraphScalar>;
}

export interface Edge {
  /** Deterministic id; defaults to `<from>|<label>|<to>`. */
  id: string;
  label: string;
  from: string;
  to: string;
  properties: Record<string, GraphScalar>;
}

export type Direction = 'out' | 'in' | 'both';

export interface EdgeQuery {
  direction: Direction;
  /** Only these edge labels; all when omitted. */
  labels?: string[];
  /** Result cap. Default 1,000. */
  limit?: number;
}

export interface TraversalOptions {
  /** Start vertex ids. */
  from: string[];
  direction: Exclude<Direction, 'both'>;
  /** Edge labels to follow; all when omitted. */
  edgeLabels?: string[];
  /** Hop bound, at least 1. */
  maxDepth: number;
  /** Cap on returned vertices. Default 1,000. */
  limit?: number;
}

export interface TraversalHit {
  vertex: Vertex;
  /** Hops from the nearest start vertex. */
  depth: number;
  /** Edge ids from a start vertex to this one (one shortest path). */
  path: string[];
}

export interface GraphStore {
  /** Creates or merges a vertex: given properties overwrite, others are kept. */
  upsertVertex(vertex: Vertex): Promise<void>;
  /** Creates or merges an edge; both ends must exist (`SF_ERR_GRAPH_MISSING_VERTEX`). */
  upsertEdge(edge: Omit<Edge, 'id'> & { id?: string }): Promise<void>;
  getVertex(id: string): Promise<Vertex | undefined>;
  /** Vertices with a label whose properties equal every given one, capped by `limit` (default 1,000). */
  findVertices(
    label: string,
    where?: Record<string, GraphScalar>,
    limit?: number,
  ): Promise<Vertex[]>;
  edges(vertexId: string, query: EdgeQuery): Promise<Edge[]>;
  /** Breadth-first, bounded by depth and result cap; each vertex once, cycles safe. */
  traverse(options: TraversalOptions): Promise<TraversalHit[]>;
  /** Removes a vertex and its edges. */
  dropVertex(id: string): Promise<void>;
  close(): Promise<void>;
}

/** The default deterministic edge id. */
export function edgeId(from: string, label: string, to: string): string {
  return `${from}|${label}|${to}`;
}
