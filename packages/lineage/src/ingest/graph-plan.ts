import { edgeId, type GraphScalar } from '@signal-factory/core';

/** A vertex write: merged into the existing vertex (given properties overwrite). */
export interface PlannedVertex {
  id: string;
  label: string;
  properties: Record<string, GraphScalar>;
}

/** An edge write between two planned or existing vertices. */
export interface PlannedEdge {
  id: string;
  label: string;
  from: string;
  to: string;
  properties: Record<string, GraphScalar>;
}

/** The writes one input turns into; applied vertices first, then edges, by the ingestor. */
export class GraphPlan {
  readonly vertices = new Map<string, PlannedVertex>();
  readonly edges = new Map<string, PlannedEdge>();

  vertex(
    id: string,
    label: string,
    properties: Record<string, GraphScalar | undefined> = {},
  ): string {
    const existing = this.vertices.get(id);
    const clean = defined(properties);
    if (existing === undefined) this.vertices.set(id, { id, label, properties: clean });
    else Object.assign(existing.properties, clean);
    return id;
  }

  edge(
    from: string,
    label: string,
    to: string,
    properties: Record<string, GraphScalar | undefined> = {},
  ): void {
    const id = edgeId(from, label, to);
    const existing = this.edges.get(id);
    const clean = defined(properties);
    if (existing === undefined) this.edges.set(id, { id, label, from, to, properties: clean });
    else Object.assign(existing.properties, clean);
  }
}

function defined(properties: Record<string, GraphScalar | undefined>): Record<string, GraphScalar> {
  const out: Record<string, GraphScalar> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    out[key] = value;
  }
  return out;
}
