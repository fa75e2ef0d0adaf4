import { SignalFactoryError } from '../errors/signal-factory-error';
import {
  edgeId,
  type Edge,
  type EdgeQuery,
  type GraphScalar,
  type GraphStore,
  type TraversalHit,
  type TraversalOptions,
  type Vertex,
} from '../ports/graph-store';
import { PORT_ERROR_CODES } from '../ports/port-error-codes';
import type { OptionProblem } from './options-problems';

const DEFAULT_LIMIT = 1_000;

interface StoredVertex {
  label: string;
  properties: Record<string, GraphScalar>;
  out: Set<string>;
  in: Set<string>;
}

function argumentError(operation: string, problems: OptionProblem[]): SignalFactoryError {
  return new SignalFactoryError(
    PORT_ERROR_CODES.GRAPH_ARGUMENT_INVALID,
    `Invalid ${operation} call: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}

function nonEmpty(problems: OptionProblem[], path: string, value: unknown): void {
  if (typeof value !== 'string' || value === '')
    problems.push({ path, message: 'must be a non-empty string' });
}

function checkProperties(problems: OptionProblem[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path, message: 'must be an object of strings, numbers and booleans' });
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const ok =
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v));
    if (!ok)
      problems.push({
        path: `${path}.${k}`,
        message: 'must be a string, finite number or boolean',
      });
  }
}

function checkLimit(problems: OptionProblem[], path: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
    problems.push({ path, message: 'must be an integer ≥ 0' });
  }
}

function checkLabels(problems: OptionProblem[], path: string, value: unknown): void {
  if (
    value !== undefined &&
    (!Array.isArray(value) || !value.every((l) => typeof l === 'string'))
  ) {
    problems.push({ path, message: 'must be an array of strings' });
  }
}

/** Copies properties as own data properties (a `__proto__` key included). */
function merge(
  target: Record<string, GraphScalar>,
  source: Record<string, GraphScalar> = {},
): void {
  for (const [key, value] of Object.entries(source)) {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The embedded knowledge graph: a property graph with label and adjacency indexes.
 * Results are deterministic so the Gremlin adapter can give identical answers: `findVertices` and
 * `edges` sort by id before applying `limit`; `traverse` is a breadth-first search whose frontier
 * keeps discovery order and which expands each vertex's edges in edge-id order; the first
 * discovery fixes a vertex's depth and path; start vertices are never hits.
 */
export class InMemoryGraphStore implements GraphStore {
  readonly #vertices = new Map<string, StoredVertex>();
  readonly #byLabel = new Map<string, Set<string>>();
  readonly #edges = new Map<string, Edge>();
  #closed = false;

  async upsertVertex(vertex: Vertex): Promise<void> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof vertex !== 'object' || vertex === null) {
      problems.push({ path: 'vertex', message: 'must be an object' });
    } else {
      nonEmpty(problems, 'vertex.id', vertex.id);
      nonEmpty(problems, 'vertex.label', vertex.label);
      checkProperties(problems, 'vertex.properties', vertex.properties);
    }
    if (problems.length > 0) throw argumentError('upsertVertex', problems);
    const existing = this.#vertices.get(vertex.id);
    if (existing !== undefined) {
      // Like Gremlin, a vertex keeps its first label.
      merge(existing.properties, vertex.properties);
      return;
    }
    this.#vertices.set(vertex.id, {
      label: vertex.label,
      properties: { ...vertex.properties },
      out: new Set(),
      in: new Set(),
    });
    let ids = this.#byLabel.get(vertex.label);
    if (ids === undefined) {
      ids = new Set();
      this.#byLabel.set(vertex.label, ids);
    }
    ids.add(vertex.id);
  }

  async upsertEdge(edge: Omit<Edge, 'id'> & { id?: string }): Promise<void> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof edge !== 'object' || edge === null) {
      problems.push({ path: 'edge', message: 'must be an object' });
    } else {
      if (edge.id !== undefined) nonEmpty(problems, 'edge.id', edge.id);
      nonEmpty(problems, 'edge.label', edge.label);
      nonEmpty(problems, 'edge.from', edge.from);
      nonEmpty(problems, 'edge.to', edge.to);
      checkProperties(problems, 'edge.properties', edge.properties);
    }
    if (problems.length > 0) throw argumentError('upsertEdge', problems);
    const id = edge.id ?? edgeId(edge.from, edge.label, edge.to);
    const existing = this.#edges.get(id);
    if (existing !== undefined) {
      // Like Gremlin, an existing edge keeps its ends and label; properties merge.
      merge(existing.properties, edge.properties);
      return;
    }
    const from = this.#vertices.get(edge.from);
    const to = this.#vertices.get(edge.to);
    if (from === undefined || to === undefined) {
      const missing = [edge.from, edge.to].filter((v) => !this.#vertices.has(v));
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_MISSING_VERTEX,
        `Edge ${id} names a missing vertex: ${[...new Set(missing)].join(', ')}`,
        { details: { edgeId: id, missing: [...new Set(missing)] } },
      );
    }
    this.#edges.set(id, {
      id,
      label: edge.label,
      from: edge.from,
      to: edge.to,
      properties: { ...edge.properties },
    });
    from.out.add(id);
    to.in.add(id);
  }

  async getVertex(id: string): Promise<Vertex | undefined> {
    this.#assertOpen();
    return this.#vertex(id);
  }

  async findVertices(
    label: string,
    where: Record<string, GraphScalar> = {},
    limit = DEFAULT_LIMIT,
  ): Promise<Vertex[]> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof label !== 'string') problems.push({ path: 'label', message: 'must be a string' });
    checkProperties(problems, 'where', where);
    checkLimit(problems, 'limit', limit);
    if (problems.length > 0) throw argumentError('findVertices', problems);
    const conditions = Object.entries(where ?? {});
    const ids = [...(this.#byLabel.get(label) ?? [])]
      .filter((id) => {
        const properties = this.#vertices.get(id)!.properties;
        return conditions.every(([k, v]) => Object.hasOwn(properties, k) && properties[k] === v);
      })
      .sort(byString)
      .slice(0, limit);
    return ids.map((id) => this.#vertex(id)!);
  }

  async edges(vertexId: string, query: EdgeQuery): Promise<Edge[]> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof vertexId !== 'string')
      problems.push({ path: 'vertexId', message: 'must be a string' });
    if (typeof query !== 'object' || query === null) {
      problems.push({ path: 'query', message: 'must be an object' });
    } else {
      if (!['out', 'in', 'both'].includes(query.direction)) {
        problems.push({ path: 'query.direction', message: "must be 'out', 'in' or 'both'" });
      }
      checkLabels(problems, 'query.labels', query.labels);
      checkLimit(problems, 'query.limit', query.limit);
    }
    if (problems.length > 0) throw argumentError('edges', problems);
    const vertex = this.#vertices.get(vertexId);
    if (vertex === undefined) return [];
    const ids = new Set<string>();
    if (query.direction !== 'in') for (const id of vertex.out) ids.add(id);
    if (query.direction !== 'out') for (const id of vertex.in) ids.add(id);
    const labels = query.labels === undefined ? undefined : new Set(query.labels);
    return [...ids]
      .filter((id) => labels === undefined || labels.has(this.#edges.get(id)!.label))
      .sort(byString)
      .slice(0, query.limit ?? DEFAULT_LIMIT)
      .map((id) => this.#edge(id));
  }

  async traverse(options: TraversalOptions): Promise<TraversalHit[]> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof options !== 'object' || options === null) {
      problems.push({ path: 'options', message: 'must be an object' });
    } else {
      if (!Array.isArray(options.from) || !options.from.every((id) => typeof id === 'string')) {
        problems.push({ path: 'options.from', message: 'must be an array of vertex ids' });
      }
      if (options.direction !== 'out' && options.direction !== 'in') {
        problems.push({ path: 'options.direction', message: "must be 'out' or 'in'" });
      }
      if (!Number.isInteger(options.maxDepth) || options.maxDepth < 1) {
        problems.push({ path: 'options.maxDepth', message: 'must be an integer ≥ 1' });
      }
      checkLabels(problems, 'options.edgeLabels', options.edgeLabels);
      checkLimit(problems, 'options.limit', options.limit);
    }
    if (problems.length > 0) throw argumentError('traverse', problems);

    const limit = options.limit ?? DEFAULT_LIMIT;
    const labels = options.edgeLabels === undefined ? undefined : new Set(options.edgeLabels);
    const outward = options.direction === 'out';
    const reached = new Map<string, { depth: number; path: string[] }>();
    let frontier: string[] = [];
    for (const id of options.from) {
      if (this.#vertices.has(id) && !reached.has(id)) {
        reached.set(id, { depth: 0, path: [] });
        frontier.push(id);
      }
    }
    const hits: TraversalHit[] = [];
    for (
      let depth = 1;
      depth <= options.maxDepth && frontier.length > 0 && hits.length < limit;
      depth++
    ) {
      const next: string[] = [];
      for (const from of frontier) {
        const vertex = this.#vertices.get(from)!;
        const parent = reached.get(from)!;
        const edgeIds = [...(outward ? vertex.out : vertex.in)].sort(byString);
        for (const eid of edgeIds) {
          const edge = this.#edges.get(eid)!;
          if (labels !== undefined && !labels.has(edge.label)) continue;
          const to = outward ? edge.to : edge.from;
          if (reached.has(to)) continue;
          const hit = { depth, path: [...parent.path, eid] };
          reached.set(to, hit);
          next.push(to);
          hits.push({ vertex: this.#vertex(to)!, ...hit });
          if (hits.length >= limit) return hits;
        }
      }
      frontier = next;
    }
    return hits;
  }

  async dropVertex(id: string): Promise<void> {
    this.#assertOpen();
    const vertex = this.#vertices.get(id);
    if (vertex === undefined) return;
    for (const eid of [...vertex.out, ...vertex.in]) {
      const edge = this.#edges.get(eid);
      if (edge === undefined) continue;
      this.#edges.delete(eid);
      this.#vertices.get(edge.from)?.out.delete(eid);
      this.#vertices.get(edge.to)?.in.delete(eid);
    }
    this.#vertices.delete(id);
    const ids = this.#byLabel.get(vertex.label);
    ids?.delete(id);
    if (ids?.size === 0) this.#byLabel.delete(vertex.label);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Vertex and edge counts, for tests and tools. */
  size(): { vertices: number; edges: number } {
    return { vertices: this.#vertices.size, edges: this.#edges.size };
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new SignalFactoryError(PORT_ERROR_CODES.GRAPH_CLOSED, 'The graph store is closed');
    }
  }

  #vertex(id: string): Vertex | undefined {
    const stored = this.#vertices.get(id);
    return stored === undefined
      ? undefined
      : { id, label: stored.label, properties: { ...stored.properties } };
  }

  #edge(id: string): Edge {
    const edge = this.#edges.get(id)!;
    return { ...edge, properties: { ...edge.properties } };
  }
}
