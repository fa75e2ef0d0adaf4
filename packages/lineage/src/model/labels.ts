/** Vertex labels of the knowledge graph (see the README's graph model). */
export const VERTEX_LABELS = {
  DATASET: 'Dataset',
  COLUMN: 'Column',
  SERVICE: 'Service',
  DEPLOYMENT: 'Deployment',
  JOB: 'Job',
  FAILURE_SIGNATURE: 'FailureSignature',
  SIGNAL: 'Signal',
  INCIDENT: 'Incident',
  OWNER: 'Owner',
} as const;

export type VertexLabel = (typeof VERTEX_LABELS)[keyof typeof VERTEX_LABELS];

/** Edge labels of the knowledge graph; the comment gives `from → to`. */
export const EDGE_LABELS = {
  /** Service → Dataset: the service produces records of the dataset. */
  PRODUCES: 'PRODUCES',
  /** Service → Deployment. */
  DEPLOYED: 'DEPLOYED',
  /** Deployment → FailureSignature: the failure first appeared after this deployment. */
  INTRODUCED: 'INTRODUCED',
  /** FailureSignature → Signal. */
  CAUSED: 'CAUSED',
  /** Signal → Incident. */
  TRIGGERED: 'TRIGGERED',
  /** Job → Dataset. */
  READS: 'READS',
  /** Job → Dataset. */
  WRITES: 'WRITES',
  /** Dataset → Column. */
  HAS_COLUMN: 'HAS_COLUMN',
  /** Job → Column. */
  READS_COL: 'READS_COL',
  /** Job → Column. */
  WRITES_COL: 'WRITES_COL',
  /** Owner → Service, Job or Dataset. */
  OWNS: 'OWNS',
} as const;

export type EdgeLabel = (typeof EDGE_LABELS)[keyof typeof EDGE_LABELS];

/** How sure we are that an edge exists: observed at runtime (HIGH) down to guessed from code (LOW). */
export type Confidence = 'HIGH' | 'MEDIUM' | 'LOW';

export const CONFIDENCE_RANK: Readonly<Record<Confidence, number>> = { HIGH: 3, MEDIUM: 2, LOW: 1 };

export function isConfidence(value: unknown): value is Confidence {
  return value === 'HIGH' || value === 'MEDIUM' || value === 'LOW';
}

/** The lower of two confidences: a path is only as sure as its weakest edge. */
export function minConfidence(a: Confidence, b: Confidence): Confidence {
  return CONFIDENCE_RANK[a] <= CONFIDENCE_RANK[b] ? a : b;
}
