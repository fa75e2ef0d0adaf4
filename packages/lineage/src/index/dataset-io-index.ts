import type { Edge, GraphStore } from '@signal-factory/core';
import { EDGE_LABELS, isConfidence, type Confidence } from '../model/labels';

/** One writer or reader of a dataset. */
export interface DatasetIoEntry {
  /** Vertex id of the job (or, for writers, the service that PRODUCES the dataset). */
  id: string;
  label: 'Job' | 'Service';
  /** Confidence of the READS / WRITES / PRODUCES edge. */
  confidence: Confidence;
}

export interface DatasetIoIndexOptions {
  /**
   * How long a loaded entry is trusted without re-reading the graph, in ms. Entries are also kept
   * current by the ingestor sharing this index, so the default (`Infinity`) suits one process; set a
   * TTL when other processes ingest into the same graph. Default `Infinity`.
   */
  ttlMs?: number;
  /** Most datasets kept in memory (oldest evicted first). Default 100,000. */
  maxEntries?: number;
  /** Most edges read from the graph to fill one entry. Default 2,000. */
  loadLimit?: number;
  /** Clock for the TTL. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  writers: Map<string, DatasetIoEntry>;
  readers: Map<string, DatasetIoEntry>;
  loadedAt: number;
  sortedWriters?: DatasetIoEntry[];
  sortedReaders?: DatasetIoEntry[];
}

const sortEntries = (map: Map<string, DatasetIoEntry>): DatasetIoEntry[] =>
  [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

function toEntry(edge: Pick<Edge, 'label' | 'from' | 'properties'>): DatasetIoEntry {
  const confidence = edge.properties.confidence;
  return {
    id: edge.from,
    label: edge.label === EDGE_LABELS.PRODUCES ? 'Service' : 'Job',
    confidence: isConfidence(confidence) ? confidence : 'HIGH',
  };
}

/**
 * The `DatasetToWritersIndex` / `DatasetToReadersIndex`: dataset URN → writers and readers, one Map
 * lookup once loaded. An entry is loaded from the graph (READS/WRITES/PRODUCES in-edges) on first
 * use and then kept up to date by the ingestor that shares this index, so it survives restarts
 * without a separate persistence step: the graph is the source of truth.
 */
export class DatasetIoIndex {
  readonly #store: GraphStore;
  readonly #entries = new Map<string, Entry>();
  // Edges noted while an entry was being loaded, applied once the load lands.
  readonly #loading = new Map<string, Pick<Edge, 'label' | 'from' | 'to' | 'properties'>[]>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #loadLimit: number;
  readonly #now: () => number;

  constructor(store: GraphStore, options: DatasetIoIndexOptions = {}) {
    this.#store = store;
    this.#ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#loadLimit = options.loadLimit ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  /** Jobs that WRITE the dataset and services that PRODUCE it, sorted by id. */
  async writersOf(datasetId: string): Promise<DatasetIoEntry[]> {
    const entry = await this.#entry(datasetId);
    entry.sortedWriters ??= sortEntries(entry.writers);
    return entry.sortedWriters;
  }

  /** Jobs that READ the dataset, sorted by id. */
  async readersOf(datasetId: string): Promise<DatasetIoEntry[]> {
    const entry = await this.#entry(datasetId);
    entry.sortedReaders ??= sortEntries(entry.readers);
    return entry.sortedReaders;
  }

  /** Records a written edge; ignored unless it is READS, WRITES or PRODUCES into a loaded entry. */
  noteEdge(edge: Pick<Edge, 'label' | 'from' | 'to' | 'properties'>): void {
    const entry = this.#entries.get(edge.to);
    if (entry === undefined) {
      // Not loaded: it will be read from the graph, edge included, on next use.
      this.#loading.get(edge.to)?.push(edge);
      return;
    }
    if (edge.label === EDGE_LABELS.READS) {
      entry.readers.set(edge.from, toEntry(edge));
      entry.sortedReaders = undefined;
    } else if (edge.label === EDGE_LABELS.WRITES || edge.label === EDGE_LABELS.PRODUCES) {
      const next = toEntry(edge);
      const previous = entry.writers.get(edge.from);
      // A job that WRITES and a service that PRODUCES never share an id; keep the stronger edge.
      if (previous === undefined || previous.confidence !== 'HIGH')
        entry.writers.set(edge.from, next);
      entry.sortedWriters = undefined;
    }
  }

  /** Forgets every entry naming a vertex (after it was dropped). */
  forget(vertexId: string): void {
    this.#entries.delete(vertexId);
    for (const entry of this.#entries.values()) {
      if (entry.writers.delete(vertexId)) entry.sortedWriters = undefined;
      if (entry.readers.delete(vertexId)) entry.sortedReaders = undefined;
    }
  }

  /** Number of datasets currently held. */
  get size(): number {
    return this.#entries.size;
  }

  async #entry(datasetId: string): Promise<Entry> {
    const cached = this.#entries.get(datasetId);
    if (cached !== undefined && this.#now() - cached.loadedAt <= this.#ttlMs) return cached;
    const pending: Pick<Edge, 'label' | 'from' | 'to' | 'properties'>[] = [];
    if (!this.#loading.has(datasetId)) this.#loading.set(datasetId, pending);
    let edges: Edge[];
    try {
      edges = await this.#store.edges(datasetId, {
        direction: 'in',
        labels: [EDGE_LABELS.READS, EDGE_LABELS.WRITES, EDGE_LABELS.PRODUCES],
        limit: this.#loadLimit,
      });
    } finally {
      if (this.#loading.get(datasetId) === pending) this.#loading.delete(datasetId);
    }
    const entry: Entry = { writers: new Map(), readers: new Map(), loadedAt: this.#now() };
    for (const edge of edges) {
      if (edge.label === EDGE_LABELS.READS) entry.readers.set(edge.from, toEntry(edge));
      else entry.writers.set(edge.from, toEntry(edge));
    }
    // Another lookup may have loaded it meanwhile and the ingestor may have updated that one.
    const raced = this.#entries.get(datasetId);
    if (raced !== undefined && raced !== cached) return raced;
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(datasetId, entry);
    for (const edge of pending) this.noteEdge(edge);
    return entry;
  }
}
