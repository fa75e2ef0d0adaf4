/* eslint-disable @typescript-eslint/no-explicit-any -- `gremlin` ships no types; its fluent traversal
   API is used untyped inside this file only, and none of it appears in the public declarations. */
import gremlinModule from 'gremlin';
import type {
  Edge,
  EdgeQuery,
  GraphScalar,
  GraphStore,
  TraversalHit,
  TraversalOptions,
  Vertex,
} from '@signal-factory/core';
import {
  edgeId as defaultEdgeId,
  PORT_ERROR_CODES,
  SignalFactoryError,
} from '@signal-factory/core';
import { LINEAGE_ERROR_CODES, lineageError, type Problem } from '../errors';
import { safeLogger, type Logger } from '../logger';
import type { GremlinGraphStoreOptions } from './options';

type Traversal = any;

const gremlin = ((gremlinModule as any)?.default ?? gremlinModule) as any;
const { t: T, cardinality } = gremlin.process;
const __ = gremlin.process.statics;

const DEFAULT_LIMIT = 1_000;

function problemsOf(options: GremlinGraphStoreOptions): Problem[] {
  const problems: Problem[] = [];
  if (typeof options !== 'object' || options === null)
    return [{ path: 'options', message: 'must be an object' }];
  if (typeof options.url !== 'string' || !/^wss?:\/\/[^\s]+$/.test(options.url)) {
    problems.push({ path: 'url', message: 'must be a ws:// or wss:// URL' });
  }
  const ints: [keyof GremlinGraphStoreOptions, number][] = [
    ['requestTimeoutMs', 1],
    ['maxRetries', 0],
    ['retryBaseMs', 0],
    ['maxConnectionAgeMs', 0],
    ['maxIdsPerStep', 1],
  ];
  for (const [key, min] of ints) {
    const value = options[key];
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    ) {
      problems.push({ path: key, message: `must be an integer ≥ ${min}` });
    }
  }
  if (
    options.headers !== undefined &&
    typeof options.headers !== 'function' &&
    typeof options.headers !== 'object'
  ) {
    problems.push({ path: 'headers', message: 'must be an object or a function returning one' });
  }
  if (
    options.traversalSource !== undefined &&
    !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.traversalSource)
  ) {
    problems.push({ path: 'traversalSource', message: 'must be an identifier' });
  }
  return problems;
}

function toScalar(value: unknown): GraphScalar | undefined {
  if (Array.isArray(value)) return toScalar(value[value.length - 1]);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

function propertiesOf(raw: unknown): Record<string, GraphScalar> {
  const out: Record<string, GraphScalar> = {};
  const entries: Iterable<[unknown, unknown]> =
    raw instanceof Map
      ? raw.entries()
      : typeof raw === 'object' && raw !== null
        ? Object.entries(raw)
        : [];
  for (const [key, value] of entries) {
    if (typeof key !== 'string') continue;
    const scalar = toScalar(value);
    if (scalar !== undefined) out[key] = scalar;
  }
  return out;
}

function field(row: unknown, key: string): unknown {
  return row instanceof Map ? row.get(key) : (row as Record<string, unknown> | undefined)?.[key];
}

const byId = (a: { id: string }, b: { id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isRetriable(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  const status = (error as { statusCode?: number })?.statusCode;
  if (status === 597 || status === 598 || status === 500 || status === 596) {
    return /ConcurrentModification|already exists|timed? ?out|Throttl|ReadOnlyViolation/i.test(
      message,
    );
  }
  return (
    status === undefined &&
    /closed|ECONNREFUSED|ECONNRESET|EPIPE|socket|timed out|not open|WebSocket|ENOTFOUND|EAI_AGAIN/i.test(
      message,
    )
  );
}

/**
 * `GraphStore` on a Gremlin Server or Amazon Neptune, through the `gremlin` client's bytecode
 * traversals: every value travels as a bytecode argument (no script strings), vertices and edges
 * carry string ids given with `T.id`, upserts use `fold().coalesce(unfold(), add…)` with single
 * cardinality, and every read is bounded by `limit()`. Breadth-first traversal runs one bounded
 * traversal per level so depths are exact on every provider.
 */
export class GremlinGraphStore implements GraphStore {
  readonly #options: Required<
    Pick<
      GremlinGraphStoreOptions,
      'requestTimeoutMs' | 'maxRetries' | 'retryBaseMs' | 'maxConnectionAgeMs' | 'maxIdsPerStep'
    >
  > &
    GremlinGraphStoreOptions;
  readonly #logger: Logger;
  #connection: any;
  #g: any;
  #connectedAt = 0;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(options: GremlinGraphStoreOptions) {
    const problems = problemsOf(options);
    if (problems.length > 0) {
      throw lineageError(
        LINEAGE_ERROR_CODES.OPTIONS_INVALID,
        `Invalid Gremlin graph store options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        { details: { problems } },
      );
    }
    this.#options = {
      requestTimeoutMs: 30_000,
      maxRetries: 3,
      retryBaseMs: 50,
      maxConnectionAgeMs: 0,
      maxIdsPerStep: 500,
      ...options,
    };
    this.#logger = safeLogger(options.logger);
  }

  async upsertVertex(vertex: Vertex): Promise<void> {
    this.#checkVertex(vertex);
    await this.#run('upsertVertex', (g) => {
      let traversal: Traversal = g
        .V(vertex.id)
        .fold()
        .coalesce(__.unfold(), __.addV(vertex.label).property(T.id, vertex.id));
      for (const [key, value] of Object.entries(vertex.properties ?? {})) {
        traversal = traversal.property(cardinality.single, key, value);
      }
      return traversal.id().toList();
    });
  }

  async upsertEdge(edge: Omit<Edge, 'id'> & { id?: string }): Promise<void> {
    if (
      typeof edge?.from !== 'string' ||
      typeof edge.to !== 'string' ||
      typeof edge.label !== 'string' ||
      edge.label === ''
    ) {
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_ARGUMENT_INVALID,
        'An edge needs string from, to and label',
      );
    }
    const id = edge.id ?? defaultEdgeId(edge.from, edge.label, edge.to);
    const written = await this.#run('upsertEdge', (g) => {
      // V(to) first, then V(from): the add branch yields nothing when either end is missing.
      let traversal: Traversal = g
        .E(id)
        .fold()
        .coalesce(
          __.unfold(),
          __.V(edge.to).as('to').V(edge.from).addE(edge.label).to('to').property(T.id, id),
        );
      for (const [key, value] of Object.entries(edge.properties ?? {}))
        traversal = traversal.property(key, value);
      return traversal.id().toList();
    });
    if ((written as unknown[]).length === 0) {
      const present = (await this.#run('upsertEdge', (g) =>
        g.V(edge.from, edge.to).id().toList(),
      )) as unknown[];
      const missing = [edge.from, edge.to].filter((v) => !present.includes(v));
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_MISSING_VERTEX,
        `Edge ${id} names a missing vertex: ${missing.join(', ')}`,
        {
          details: { edgeId: id, missing },
        },
      );
    }
  }

  async getVertex(id: string): Promise<Vertex | undefined> {
    const [vertex] = await this.#vertices([id]);
    return vertex;
  }

  async findVertices(
    label: string,
    where: Record<string, GraphScalar> = {},
    limit = DEFAULT_LIMIT,
  ): Promise<Vertex[]> {
    const cap = this.#limit(limit);
    if (cap === 0) return [];
    const rows = (await this.#run('findVertices', (g) => {
      let traversal: Traversal = g.V().hasLabel(label);
      for (const [key, value] of Object.entries(where)) traversal = traversal.has(key, value);
      return this.#projectVertex(traversal.order().by(T.id).limit(cap)).toList();
    })) as unknown[];
    return rows.map((row) => this.#toVertex(row)).sort(byId);
  }

  async edges(vertexId: string, query: EdgeQuery): Promise<Edge[]> {
    const cap = this.#limit(query.limit ?? DEFAULT_LIMIT);
    if (cap === 0) return [];
    const labels = query.labels ?? [];
    if (query.labels !== undefined && labels.length === 0) return [];
    const rows = (await this.#run('edges', (g) => {
      const start = g.V(vertexId);
      const step =
        query.direction === 'out'
          ? start.outE(...labels)
          : query.direction === 'in'
            ? start.inE(...labels)
            : start.bothE(...labels);
      return this.#projectEdge(step.dedup().order().by(T.id).limit(cap)).toList();
    })) as unknown[];
    return rows.map((row) => this.#toEdge(row)).sort(byId);
  }

  /**
   * `edges()` for many vertices in one round trip per `maxIdsPerStep` ids (same filters, order and
   * per-vertex cap). Lineage queries use it when a store offers it.
   */
  async edgesOfMany(vertexIds: string[], query: EdgeQuery): Promise<Map<string, Edge[]>> {
    const cap = this.#limit(query.limit ?? DEFAULT_LIMIT);
    const out = new Map<string, Edge[]>(vertexIds.map((id) => [id, []]));
    const labels = query.labels ?? [];
    if (cap === 0 || vertexIds.length === 0 || (query.labels !== undefined && labels.length === 0))
      return out;
    for (const part of chunks([...new Set(vertexIds)], this.#options.maxIdsPerStep)) {
      const rows = (await this.#run('edgesOfMany', (g) => {
        const step =
          query.direction === 'out'
            ? __.outE(...labels)
            : query.direction === 'in'
              ? __.inE(...labels)
              : __.bothE(...labels);
        const edges = this.#projectEdge(step.dedup().order().by(T.id).limit(cap)).fold();
        return g
          .V(...part)
          .project('v', 'edges')
          .by(T.id)
          .by(edges)
          .toList();
      })) as unknown[];
      for (const row of rows) {
        const list = field(row, 'edges');
        out.set(
          String(field(row, 'v')),
          (Array.isArray(list) ? list : []).map((e) => this.#toEdge(e)),
        );
      }
    }
    return out;
  }

  /** `getVertex()` for many ids in one round trip per `maxIdsPerStep` ids; missing ids are left out. */
  getVertices(ids: string[]): Promise<Vertex[]> {
    return this.#vertices([...new Set(ids)]);
  }

  async traverse(options: TraversalOptions): Promise<TraversalHit[]> {
    if (!Number.isInteger(options.maxDepth) || options.maxDepth < 1) {
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_ARGUMENT_INVALID,
        'maxDepth must be an integer ≥ 1',
      );
    }
    const limit = this.#limit(options.limit ?? DEFAULT_LIMIT);
    const labels = options.edgeLabels ?? [];
    if (limit === 0 || (options.edgeLabels !== undefined && labels.length === 0)) return [];
    const starts = [...new Set(options.from)];
    const paths = new Map<string, { depth: number; path: string[] }>();
    const existing = new Set(await this.#existing(starts));
    for (const id of starts) if (existing.has(id)) paths.set(id, { depth: 0, path: [] });
    const order: string[] = [];
    let frontier = starts.filter((id) => existing.has(id));
    // Each level is one bounded traversal: exact breadth-first depths on any provider.
    const perLevelCap = Math.max(limit, DEFAULT_LIMIT) * 4;
    for (
      let depth = 1;
      depth <= options.maxDepth && frontier.length > 0 && order.length < limit;
      depth++
    ) {
      const rows: unknown[] = [];
      for (const ids of chunks(frontier, this.#options.maxIdsPerStep)) {
        const part = (await this.#run('traverse', (g) => {
          const start = g.V(...ids);
          const step = options.direction === 'out' ? start.outE(...labels) : start.inE(...labels);
          const other = options.direction === 'out' ? __.inV().id() : __.outV().id();
          const self = options.direction === 'out' ? __.outV().id() : __.inV().id();
          return step
            .limit(perLevelCap)
            .project('id', 'from', 'to')
            .by(T.id)
            .by(self)
            .by(other)
            .toList();
        })) as unknown[];
        rows.push(...part);
      }
      const position = new Map(frontier.map((id, i) => [id, i]));
      const hops = rows
        .map((row) => ({
          id: String(field(row, 'id')),
          from: String(field(row, 'from')),
          to: String(field(row, 'to')),
        }))
        .sort((a, b) => (position.get(a.from) ?? 0) - (position.get(b.from) ?? 0) || byId(a, b));
      const next: string[] = [];
      for (const hop of hops) {
        if (paths.has(hop.to)) continue;
        const parent = paths.get(hop.from);
        paths.set(hop.to, { depth, path: [...(parent?.path ?? []), hop.id] });
        order.push(hop.to);
        next.push(hop.to);
        if (order.length >= limit) break;
      }
      frontier = next;
    }
    const vertices = new Map((await this.#vertices(order)).map((v) => [v.id, v]));
    const hits: TraversalHit[] = [];
    for (const id of order) {
      const vertex = vertices.get(id);
      const reached = paths.get(id);
      if (vertex !== undefined && reached !== undefined)
        hits.push({ vertex, depth: reached.depth, path: reached.path });
    }
    return hits;
  }

  async dropVertex(id: string): Promise<void> {
    await this.#run('dropVertex', (g) => g.V(id).drop().toList());
  }

  /** Drops every vertex and edge. For tests and benchmarks on a scratch graph only. */
  async clear(): Promise<void> {
    await this.#run('clear', (g) => g.V().drop().toList());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    this.#g = undefined;
    await connection?.close().catch(() => undefined);
  }

  #limit(value: number): number {
    if (!Number.isInteger(value) || value < 0) {
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_ARGUMENT_INVALID,
        'limit must be a non-negative integer',
      );
    }
    return value;
  }

  #checkVertex(vertex: Vertex): void {
    if (
      typeof vertex?.id !== 'string' ||
      vertex.id === '' ||
      typeof vertex.label !== 'string' ||
      vertex.label === ''
    ) {
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_ARGUMENT_INVALID,
        'A vertex needs a non-empty string id and label',
      );
    }
  }

  #projectVertex(traversal: Traversal): Traversal {
    return traversal.project('id', 'label', 'props').by(T.id).by(T.label).by(__.valueMap());
  }

  #projectEdge(traversal: Traversal): Traversal {
    return traversal
      .project('id', 'label', 'from', 'to', 'props')
      .by(T.id)
      .by(T.label)
      .by(__.outV().id())
      .by(__.inV().id())
      .by(__.valueMap());
  }

  #toVertex(row: unknown): Vertex {
    return {
      id: String(field(row, 'id')),
      label: String(field(row, 'label')),
      properties: propertiesOf(field(row, 'props')),
    };
  }

  #toEdge(row: unknown): Edge {
    return {
      id: String(field(row, 'id')),
      label: String(field(row, 'label')),
      from: String(field(row, 'from')),
      to: String(field(row, 'to')),
      properties: propertiesOf(field(row, 'props')),
    };
  }

  async #existing(ids: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const part of chunks(ids, this.#options.maxIdsPerStep)) {
      const found = (await this.#run('exists', (g) =>
        g
          .V(...part)
          .id()
          .toList(),
      )) as unknown[];
      out.push(...found.map(String));
    }
    return out;
  }

  async #vertices(ids: string[]): Promise<Vertex[]> {
    const out: Vertex[] = [];
    for (const part of chunks(ids, this.#options.maxIdsPerStep)) {
      const rows = (await this.#run('vertices', (g) =>
        this.#projectVertex(g.V(...part)).toList(),
      )) as unknown[];
      out.push(...rows.map((row) => this.#toVertex(row)));
    }
    return out;
  }

  async #connect(): Promise<any> {
    if (this.#closed)
      throw new SignalFactoryError(
        PORT_ERROR_CODES.GRAPH_CLOSED,
        'The Gremlin graph store is closed',
      );
    const age = this.#options.maxConnectionAgeMs;
    const stale =
      this.#connection !== undefined &&
      ((age > 0 && Date.now() - this.#connectedAt > age) ||
        (this.#connectedAt > 0 &&
          this.#connection.isOpen === false &&
          typeof this.#options.headers === 'function'));
    if (stale) {
      const old = this.#connection;
      this.#connection = undefined;
      this.#g = undefined;
      void old.close().catch(() => undefined);
    }
    if (this.#g !== undefined) return this.#g;
    this.#connecting ??= (async () => {
      const { url, headers } = this.#options;
      const resolved = typeof headers === 'function' ? await headers(url) : headers;
      const options: Record<string, unknown> = {
        traversalSource: this.#options.traversalSource ?? 'g',
        // A copy: the client adds its user-agent header to the object it is given.
        headers: resolved === undefined ? undefined : { ...resolved },
      };
      if (this.#options.mimeType !== undefined) options.mimeType = this.#options.mimeType;
      if (this.#options.authenticator !== undefined)
        options.authenticator = this.#options.authenticator;
      if (this.#options.rejectUnauthorized !== undefined)
        options.rejectUnauthorized = this.#options.rejectUnauthorized;
      if (this.#options.ca !== undefined) options.ca = this.#options.ca;
      const connection = new gremlin.driver.DriverRemoteConnection(url, options);
      connection.addListener?.('socketError', (error: unknown) => {
        this.#logger.warn({ err: String(error) }, 'gremlin socket error');
      });
      this.#connection = connection;
      this.#g = gremlin.process.AnonymousTraversalSource.traversal().withRemote(connection);
      this.#connectedAt = Date.now();
    })().finally(() => {
      this.#connecting = undefined;
    });
    await this.#connecting;
    return this.#g;
  }

  #drop(connection: any): void {
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    this.#g = undefined;
    void connection?.close().catch(() => undefined);
  }

  async #run(operation: string, build: (g: any) => Promise<unknown>): Promise<unknown> {
    let attempt = 0;
    for (;;) {
      const g = await this.#connect();
      const connection = this.#connection;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `Gremlin ${operation} timed out after ${this.#options.requestTimeoutMs} ms`,
                ),
              ),
            this.#options.requestTimeoutMs,
          );
        });
        return await Promise.race([build(g), timeout]);
      } catch (error) {
        if (error instanceof SignalFactoryError) throw error;
        const retriable = isRetriable(error);
        const status = (error as { statusCode?: number }).statusCode;
        if (status === undefined) this.#drop(connection); // the socket is suspect: reconnect next time
        if (retriable && attempt < this.#options.maxRetries && !this.#closed) {
          attempt += 1;
          const delay = this.#options.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
          this.#logger.debug(
            { operation, attempt, err: String((error as Error).message) },
            'gremlin retry',
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw lineageError(
          status === undefined
            ? LINEAGE_ERROR_CODES.GREMLIN_UNAVAILABLE
            : LINEAGE_ERROR_CODES.GREMLIN_FAILED,
          `Gremlin ${operation} failed: ${String((error as Error).message ?? error).slice(0, 500)}`,
          {
            cause: error,
            retriable: retriable || status === undefined,
            details: { operation, statusCode: status },
          },
        );
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
