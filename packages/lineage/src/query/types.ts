import type { GraphScalar } from '@signal-factory/core';
import type { Confidence } from '../model/labels';

/** A vertex as queries return it. */
export interface QueryVertex {
  id: string;
  label: string;
  properties: Record<string, GraphScalar>;
}

/** One chain from the incident back towards its root cause. */
export interface CausalChain {
  /** Vertex ids, incident first: Incident, Signal, FailureSignature, Deployment, Service, Owner. */
  vertices: string[];
  /** Edge ids between them, in the same order. */
  edges: string[];
  /** The weakest edge confidence on the chain (edges without one count as HIGH). */
  confidence: Confidence;
}

/** A deployment that introduced a failure behind the incident. */
export interface CausalRoot {
  deploymentId: string;
  service?: string;
  version?: string;
  commit?: string;
  environment?: string;
  /** Epoch ms of the latest deployment of this version. */
  deployedAt?: number;
  confidence: Confidence;
}

export interface CausalPathResult {
  incidentId: string;
  /** False when the incident is not in the graph. */
  found: boolean;
  /** Every vertex reached (incident excluded), nearest first, then by id. */
  vertices: (QueryVertex & { depth: number })[];
  /** Maximal chains, longest and surest first. */
  chains: CausalChain[];
  /** Deployments on the chains, surest and latest first. */
  roots: CausalRoot[];
  /** True when a depth, vertex or chain cap cut the answer short. */
  truncated: boolean;
}

/** One consumer or downstream asset in a blast radius. */
export interface BlastRadiusHit {
  id: string;
  label: string;
  /** Hops downstream: a job reading the start and what it writes are both at depth 1. */
  depth: number;
  /** Consumer tier 1..3 (1 most critical), when known. */
  tier?: number;
  /** The surest path's weakest edge. */
  confidence: Confidence;
  /** The vertex it was reached from on that path. */
  via: string;
  properties: Record<string, GraphScalar>;
}

export interface BlastRadiusResult {
  /** The start vertex id (dataset URN, or column id). */
  start: string;
  found: boolean;
  /** Ranked by depth, then tier (1 first, unknown last), then confidence, then id. */
  hits: BlastRadiusHit[];
  truncated: boolean;
}

export interface DeploymentAtResult {
  deploymentId: string;
  service: string;
  version: string;
  commit?: string;
  environment?: string;
  /** Epoch ms at which this version went live (the latest deployment of it at or before the asked time). */
  deployedAt: number;
}
