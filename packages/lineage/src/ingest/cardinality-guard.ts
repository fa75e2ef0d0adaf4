import type { GraphStore } from '@signal-factory/core';
import { EDGE_LABELS } from '../model/labels';
import type { PlannedEdge } from './graph-plan';

/** Why a write was dropped. */
export type DropReason = 'EDGES_PER_NODE' | 'NODES_PER_DATASET';

export interface Drop {
  reason: DropReason;
  /** The edge that was not written. */
  edgeId: string;
  /** The vertex whose cap was reached. */
  vertexId: string;
}

export interface CardinalityLimits {
  /** Most edges on one vertex, not counting HAS_COLUMN. Default 1,000. */
  maxEdgesPerNode: number;
  /** Most columns (HAS_COLUMN edges) under one dataset. Default 10,000. */
  maxNodesPerDataset: number;
}

export const DEFAULT_LIMITS: CardinalityLimits = {
  maxEdgesPerNode: 1_000,
  maxNodesPerDataset: 10_000,
};

interface Degree {
  edges: number;
  columns: number;
}

/**
 * Enforces the caps before any write: an edge that would push a vertex over its cap is dropped,
 * counted and reported, never written. Degrees are loaded from the store the first time a vertex is
 * touched (bounded by the caps), then kept in memory; known edge ids make re-ingestion free.
 */
export class CardinalityGuard {
  readonly #store: GraphStore;
  readonly #limits: CardinalityLimits;
  readonly #degrees = new Map<string, Degree>();
  readonly #known = new Set<string>();

  constructor(store: GraphStore, limits: CardinalityLimits) {
    this.#store = store;
    this.#limits = limits;
  }

  /** Splits edges into admitted and dropped; admitted edges are counted at once. */
  async admit(edges: Iterable<PlannedEdge>): Promise<{ admitted: PlannedEdge[]; dropped: Drop[] }> {
    const admitted: PlannedEdge[] = [];
    const dropped: Drop[] = [];
    for (const edge of edges) {
      if (this.#known.has(edge.id)) {
        admitted.push(edge);
        continue;
      }
      const from = await this.#degree(edge.from);
      const to = await this.#degree(edge.to);
      if (this.#known.has(edge.id)) {
        // Loading a degree from the store revealed that the edge already exists.
        admitted.push(edge);
        continue;
      }
      const full = this.#full(edge, from, edge.from) ?? this.#full(edge, to, edge.to);
      if (full !== undefined) {
        dropped.push(full);
        continue;
      }
      this.#count(edge, from, to, 1);
      this.#known.add(edge.id);
      admitted.push(edge);
    }
    return { admitted, dropped };
  }

  /** Forgets a dropped vertex and uncounts its edges on the vertices at their other ends. */
  forgetVertex(
    vertexId: string,
    edges: Iterable<Pick<PlannedEdge, 'id' | 'label' | 'from' | 'to'>>,
  ): void {
    for (const edge of edges) {
      if (!this.#known.delete(edge.id)) continue;
      const other = this.#degrees.get(edge.from === vertexId ? edge.to : edge.from);
      if (other === undefined || edge.from === edge.to) continue;
      if (edge.label === EDGE_LABELS.HAS_COLUMN) {
        if (edge.to === vertexId) other.columns -= 1;
      } else {
        other.edges -= 1;
      }
    }
    this.#degrees.delete(vertexId);
  }

  /** Forgets an edge that was admitted but could not be written. */
  release(edge: PlannedEdge): void {
    if (!this.#known.delete(edge.id)) return;
    const from = this.#degrees.get(edge.from);
    const to = this.#degrees.get(edge.to);
    if (from && to) this.#count(edge, from, to, -1);
  }

  #full(edge: PlannedEdge, degree: Degree, vertexId: string): Drop | undefined {
    if (edge.label === EDGE_LABELS.HAS_COLUMN) {
      // Only the dataset side of HAS_COLUMN counts against the per-dataset cap.
      if (vertexId === edge.from && degree.columns >= this.#limits.maxNodesPerDataset) {
        return { reason: 'NODES_PER_DATASET', edgeId: edge.id, vertexId };
      }
      return undefined;
    }
    if (degree.edges >= this.#limits.maxEdgesPerNode)
      return { reason: 'EDGES_PER_NODE', edgeId: edge.id, vertexId };
    return undefined;
  }

  #count(edge: PlannedEdge, from: Degree, to: Degree, delta: number): void {
    if (edge.label === EDGE_LABELS.HAS_COLUMN) {
      from.columns += delta;
      return;
    }
    from.edges += delta;
    if (edge.to !== edge.from) to.edges += delta;
  }

  async #degree(vertexId: string): Promise<Degree> {
    const cached = this.#degrees.get(vertexId);
    if (cached !== undefined) return cached;
    const limit = this.#limits.maxEdgesPerNode + this.#limits.maxNodesPerDataset + 1;
    const existing = await this.#store.edges(vertexId, { direction: 'both', limit });
    const degree: Degree = { edges: 0, columns: 0 };
    for (const edge of existing) {
      // Every stored edge counts for this vertex, whether or not the other end was loaded first.
      this.#known.add(edge.id);
      if (edge.label === EDGE_LABELS.HAS_COLUMN) {
        if (edge.from === vertexId) degree.columns += 1;
      } else {
        degree.edges += 1;
      }
    }
    // Another load may have raced this one; keep the first.
    const again = this.#degrees.get(vertexId);
    if (again !== undefined) return again;
    this.#degrees.set(vertexId, degree);
    return degree;
  }
}
