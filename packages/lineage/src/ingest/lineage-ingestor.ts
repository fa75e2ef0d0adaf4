import type { GraphScalar, GraphStore } from '@signal-factory/core';
import { isDatasetUrn } from '@signal-factory/core';
import { LINEAGE_ERROR_CODES, lineageError, type Problem } from '../errors';
import { DatasetIoIndex } from '../index/dataset-io-index';
import { DIAGNOSTICS, safeLogger, type Logger } from '../logger';
import { EDGE_LABELS, isConfidence, VERTEX_LABELS, type Confidence } from '../model/labels';
import { vertexIds } from '../model/vertex-ids';
import { planOpenLineage, type UnresolvedDataset } from '../openlineage/openlineage-plan';
import { jsonBytes, OpenLineageValidator } from '../openlineage/openlineage-validator';
import { createDatasetResolver, type DatasetResolver } from '../resolver/dataset-resolver';
import { parseTime } from '../spec/ajv';
import { checkDeploymentEvent, type DeploymentEvent } from '../spec/deployment-event';
import { checkLineageSpec, type LineageSpec } from '../spec/lineage-spec';
import { CardinalityGuard, DEFAULT_LIMITS, type Drop } from './cardinality-guard';
import { GraphPlan } from './graph-plan';
import type { IngestKind, IngestResult, IngestStats } from './types';

export interface LineageIngestorOptions {
  /** Where the graph lives: core's `InMemoryGraphStore` or `GremlinGraphStore`. */
  store: GraphStore;
  /** Topic / namespace → dataset URN (the same resolver semantics as gate G1). Default: resolves nothing. */
  resolver?: DatasetResolver;
  /** Shared writers/readers index kept current by ingestion. Default: a new one over `store`. */
  index?: DatasetIoIndex;
  /** Most edges per vertex, HAS_COLUMN excluded. Default 1,000. */
  maxEdgesPerNode?: number;
  /** Most columns per dataset. Default 10,000. */
  maxNodesPerDataset?: number;
  /** Deployments kept per service (oldest removed beyond it). Default 500. */
  maxDeploymentsPerService?: number;
  /** Largest facet, in bytes of JSON. Default 65,536. */
  maxFacetBytes?: number;
  /** Largest whole input, in bytes of JSON. Default 1,048,576. */
  maxEventBytes?: number;
  /** Deployment times remembered per deployment vertex (for re-deploys of one version). Default 50. */
  maxDeployTimes?: number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

/** A failure signature: one graph node standing for many failing records. */
export interface FailureSignatureRecord {
  /** `sha256:<hex>` from core's `failureSignatureId`. */
  hash: string;
  datasetUrn?: string;
  reasonCodes?: string[];
  failedGates?: string[];
  /** Epoch ms first seen. */
  firstSeen?: number;
  /** The deployment after which the failure first appeared (INTRODUCED edge). */
  introducedBy?: {
    service: string;
    version: string;
    environment?: string;
    confidence?: Confidence;
  };
}

export interface SignalRecord {
  id: string;
  /** FRESHNESS, VOLUME, CONTRACT, SCHEMA_DRIFT, DQ, ANOMALY. */
  type?: string;
  /** OK, WARNING, CRITICAL. */
  state?: string;
  datasetUrn?: string;
  /** Epoch ms of the window start. */
  windowStart?: number;
  /** Failure signature hashes that CAUSED this signal. */
  causedBy?: string[];
}

export interface IncidentRecord {
  id: string;
  severity?: string;
  status?: string;
  /** Epoch ms opened. */
  openedAt?: number;
  /** Signal ids that TRIGGERED the incident. */
  signals: string[];
}

/** A dataset's registration: its tier, topic, owner and producing service. */
export interface DatasetRecord {
  urn: string;
  topic?: string;
  tier?: 1 | 2 | 3;
  /** Service that PRODUCES the dataset. */
  producer?: string;
  owner?: string;
}

function problemsOf(options: LineageIngestorOptions): Problem[] {
  const problems: Problem[] = [];
  const store = options.store as unknown as Record<string, unknown> | undefined;
  if (typeof store !== 'object' || store === null || typeof store.upsertVertex !== 'function') {
    problems.push({ path: 'store', message: 'must be a GraphStore' });
  }
  const positive = [
    'maxEdgesPerNode',
    'maxNodesPerDataset',
    'maxDeploymentsPerService',
    'maxFacetBytes',
    'maxEventBytes',
    'maxDeployTimes',
  ] as const;
  for (const key of positive) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      problems.push({ path: key, message: 'must be a positive integer' });
    }
  }
  return problems;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns OpenLineage events, LineageSpecs, deployment events and engine records into idempotent
 * graph writes. Inputs are processed one at a time in arrival order; bad input is returned as a
 * rejected `IngestResult` (never thrown); store failures are thrown (they may be retried).
 */
export class LineageIngestor {
  readonly #store: GraphStore;
  readonly #resolver: DatasetResolver;
  readonly #index: DatasetIoIndex;
  readonly #guard: CardinalityGuard;
  readonly #validator: OpenLineageValidator;
  readonly #logger: Logger;
  readonly #maxEventBytes: number;
  readonly #maxDeployments: number;
  readonly #maxDeployTimes: number;
  readonly #deploymentCounts = new Map<string, number>();
  readonly #stats: IngestStats = {
    accepted: 0,
    rejected: 0,
    rejectedByCode: {},
    droppedByReason: {},
    unresolvedByReason: {},
    evictedDeployments: 0,
  };
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: LineageIngestorOptions) {
    const problems = problemsOf(options);
    if (problems.length > 0) {
      throw lineageError(
        LINEAGE_ERROR_CODES.OPTIONS_INVALID,
        `Invalid lineage ingestor options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        { details: { problems } },
      );
    }
    this.#store = options.store;
    this.#resolver = options.resolver ?? createDatasetResolver();
    this.#index = options.index ?? new DatasetIoIndex(options.store);
    this.#guard = new CardinalityGuard(options.store, {
      maxEdgesPerNode: options.maxEdgesPerNode ?? DEFAULT_LIMITS.maxEdgesPerNode,
      maxNodesPerDataset: options.maxNodesPerDataset ?? DEFAULT_LIMITS.maxNodesPerDataset,
    });
    this.#validator = new OpenLineageValidator({ maxFacetBytes: options.maxFacetBytes ?? 65_536 });
    this.#logger = safeLogger(options.logger);
    this.#maxEventBytes = options.maxEventBytes ?? 1_048_576;
    this.#maxDeployments = options.maxDeploymentsPerService ?? 500;
    this.#maxDeployTimes = options.maxDeployTimes ?? 50;
  }

  /** The writers/readers index this ingestor keeps current. */
  get index(): DatasetIoIndex {
    return this.#index;
  }

  /** Totals since creation (a copy). */
  stats(): IngestStats {
    return structuredClone(this.#stats);
  }

  /**
   * Ingests any supported input, recognised by shape: an OpenLineage event (`eventTime` and
   * `producer`), a LineageSpec (`kind: "LineageSpec"`) or a DeploymentEvent (`service`, `version`,
   * `time`, or `kind: "DeploymentEvent"`).
   */
  ingest(input: unknown): Promise<IngestResult> {
    if (isObject(input)) {
      if (input.kind === 'LineageSpec') return this.ingestLineageSpec(input);
      if (input.kind === 'DeploymentEvent') return this.ingestDeployment(input);
      if ('eventTime' in input || 'producer' in input || 'schemaURL' in input)
        return this.ingestOpenLineage(input);
      if ('service' in input && 'version' in input) return this.ingestDeployment(input);
    }
    return Promise.resolve(
      this.#reject(undefined, LINEAGE_ERROR_CODES.UNKNOWN_EVENT_KIND, [
        { path: '/', message: 'not an OpenLineage event, LineageSpec or DeploymentEvent' },
      ]),
    );
  }

  /** Ingests one OpenLineage RunEvent, JobEvent or DatasetEvent. */
  ingestOpenLineage(input: unknown): Promise<IngestResult> {
    return this.#serial(async () => {
      const tooBig = this.#tooBig(input);
      if (tooBig) return tooBig;
      const checked = this.#validator.validate(input);
      if (!checked.ok) return this.#reject(undefined, checked.code, checked.problems);
      const eventTimeMs = parseTime(checked.event.eventTime);
      if (Number.isNaN(eventTimeMs)) {
        return this.#reject(checked.kind, LINEAGE_ERROR_CODES.OPENLINEAGE_INVALID, [
          { path: '/eventTime', message: 'is not an ISO-8601 date-time' },
        ]);
      }
      const plan = new GraphPlan();
      const planned = planOpenLineage(
        plan,
        checked.kind,
        checked.event,
        this.#resolver,
        eventTimeMs,
      );
      let stale: boolean | undefined;
      if (planned.runState !== undefined) {
        const job = await this.#store.getVertex(planned.runState.jobId);
        const recorded = job?.properties.lastEventTimeMs;
        stale = typeof recorded === 'number' && recorded > planned.runState.eventTimeMs;
        const vertex = plan.vertices.get(planned.runState.jobId);
        if (!stale && vertex !== undefined)
          Object.assign(vertex.properties, planned.runState.properties);
      }
      const result = await this.#apply(checked.kind, plan, planned.unresolved);
      return stale === undefined ? result : { ...result, stale };
    });
  }

  /** Ingests one LineageSpec (design-time lineage). */
  ingestLineageSpec(input: unknown): Promise<IngestResult> {
    return this.#serial(async () => {
      const tooBig = this.#tooBig(input);
      if (tooBig) return tooBig;
      const checked = checkLineageSpec(input);
      if (!checked.ok) return this.#reject('LineageSpec', checked.code, checked.problems);
      return this.#apply('LineageSpec', planSpec(checked.value), []);
    });
  }

  /** Ingests one DeploymentEvent; keeps at most `maxDeploymentsPerService` per service. */
  ingestDeployment(input: unknown): Promise<IngestResult> {
    return this.#serial(async () => {
      const tooBig = this.#tooBig(input);
      if (tooBig) return tooBig;
      const checked = checkDeploymentEvent(input);
      if (!checked.ok) return this.#reject('DeploymentEvent', checked.code, checked.problems);
      const event = checked.value;
      const plan = new GraphPlan();
      const deploymentId = await this.#planDeployment(plan, event);
      const result = await this.#apply('DeploymentEvent', plan, []);
      if (!result.ok) return result;
      const wrote = result.dropped.every(
        (d) => !d.edgeId.endsWith(`|${EDGE_LABELS.DEPLOYED}|${deploymentId}`),
      );
      const evicted = wrote
        ? await this.#evictDeployments(vertexIds.service(event.service), deploymentId)
        : [];
      return { ...result, evicted };
    });
  }

  /** Registers a dataset's tier, topic, owner and producing service. */
  registerDataset(record: DatasetRecord): Promise<IngestResult> {
    return this.#serial(async () => {
      if (!isObject(record) || !isDatasetUrn(record.urn)) {
        return this.#reject('Dataset', LINEAGE_ERROR_CODES.RECORD_INVALID, [
          { path: '/urn', message: 'not a dataset URN' },
        ]);
      }
      const plan = new GraphPlan();
      plan.vertex(record.urn, VERTEX_LABELS.DATASET, {
        urn: record.urn,
        topic: record.topic,
        tier: tierOf(record.tier),
      });
      if (typeof record.producer === 'string' && record.producer !== '') {
        const service = plan.vertex(vertexIds.service(record.producer), VERTEX_LABELS.SERVICE, {
          name: record.producer,
        });
        plan.edge(service, EDGE_LABELS.PRODUCES, record.urn, {
          confidence: 'HIGH',
          source: 'registry',
        });
      }
      if (typeof record.owner === 'string' && record.owner !== '') {
        const owner = plan.vertex(vertexIds.owner(record.owner), VERTEX_LABELS.OWNER, {
          name: record.owner,
        });
        plan.edge(owner, EDGE_LABELS.OWNS, record.urn, { source: 'registry' });
      }
      return this.#apply('Dataset', plan, []);
    });
  }

  /** Records a failure signature and, when known, the deployment that INTRODUCED it. */
  recordFailureSignature(record: FailureSignatureRecord): Promise<IngestResult> {
    return this.#serial(async () => {
      if (!isObject(record) || typeof record.hash !== 'string' || record.hash === '') {
        return this.#reject('FailureSignature', LINEAGE_ERROR_CODES.RECORD_INVALID, [
          { path: '/hash', message: 'must be a non-empty string' },
        ]);
      }
      const plan = new GraphPlan();
      const id = plan.vertex(
        vertexIds.failureSignature(record.hash),
        VERTEX_LABELS.FAILURE_SIGNATURE,
        {
          hash: record.hash,
          datasetUrn: record.datasetUrn,
          reasonCodes: Array.isArray(record.reasonCodes)
            ? record.reasonCodes.slice(0, 100).join(',')
            : undefined,
          failedGates: Array.isArray(record.failedGates)
            ? record.failedGates.slice(0, 10).join(',')
            : undefined,
          firstSeen: record.firstSeen,
        },
      );
      const by = record.introducedBy;
      if (isObject(by)) {
        if (
          typeof by.service !== 'string' ||
          by.service === '' ||
          typeof by.version !== 'string' ||
          by.version === ''
        ) {
          return this.#reject('FailureSignature', LINEAGE_ERROR_CODES.RECORD_INVALID, [
            { path: '/introducedBy', message: 'needs a service and a version' },
          ]);
        }
        const service = plan.vertex(vertexIds.service(by.service), VERTEX_LABELS.SERVICE, {
          name: by.service,
        });
        const deployment = plan.vertex(
          vertexIds.deployment(by.service, by.version, by.environment),
          VERTEX_LABELS.DEPLOYMENT,
          { service: by.service, version: by.version, environment: by.environment },
        );
        plan.edge(service, EDGE_LABELS.DEPLOYED, deployment);
        plan.edge(deployment, EDGE_LABELS.INTRODUCED, id, {
          confidence: isConfidence(by.confidence) ? by.confidence : 'MEDIUM',
        });
      }
      return this.#apply('FailureSignature', plan, []);
    });
  }

  /** Records a signal and the failure signatures that CAUSED it. */
  recordSignal(record: SignalRecord): Promise<IngestResult> {
    return this.#serial(async () => {
      if (!isObject(record) || typeof record.id !== 'string' || record.id === '') {
        return this.#reject('Signal', LINEAGE_ERROR_CODES.RECORD_INVALID, [
          { path: '/id', message: 'must be a non-empty string' },
        ]);
      }
      const plan = new GraphPlan();
      const id = plan.vertex(vertexIds.signal(record.id), VERTEX_LABELS.SIGNAL, {
        signalId: record.id,
        type: record.type,
        state: record.state,
        datasetUrn: record.datasetUrn,
        windowStart: record.windowStart,
      });
      for (const hash of (Array.isArray(record.causedBy) ? record.causedBy : []).slice(0, 100)) {
        if (typeof hash !== 'string' || hash === '') continue;
        const fs = plan.vertex(vertexIds.failureSignature(hash), VERTEX_LABELS.FAILURE_SIGNATURE, {
          hash,
        });
        plan.edge(fs, EDGE_LABELS.CAUSED, id);
      }
      return this.#apply('Signal', plan, []);
    });
  }

  /** Records an incident and the signals that TRIGGERED it. */
  recordIncident(record: IncidentRecord): Promise<IngestResult> {
    return this.#serial(async () => {
      if (
        !isObject(record) ||
        typeof record.id !== 'string' ||
        record.id === '' ||
        !Array.isArray(record.signals)
      ) {
        return this.#reject('Incident', LINEAGE_ERROR_CODES.RECORD_INVALID, [
          { path: '/', message: 'needs an id and a signals array' },
        ]);
      }
      const plan = new GraphPlan();
      const id = plan.vertex(vertexIds.incident(record.id), VERTEX_LABELS.INCIDENT, {
        incidentId: record.id,
        severity: record.severity,
        status: record.status,
        openedAt: record.openedAt,
      });
      for (const signalId of record.signals.slice(0, 1_000)) {
        if (typeof signalId !== 'string' || signalId === '') continue;
        const signal = plan.vertex(vertexIds.signal(signalId), VERTEX_LABELS.SIGNAL, { signalId });
        plan.edge(signal, EDGE_LABELS.TRIGGERED, id);
      }
      return this.#apply('Incident', plan, []);
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #tooBig(input: unknown): IngestResult | undefined {
    const size = jsonBytes(input);
    if (size <= this.#maxEventBytes) return undefined;
    return this.#reject(undefined, LINEAGE_ERROR_CODES.PAYLOAD_TOO_LARGE, [
      { path: '/', message: `input is ${size} bytes, over the ${this.#maxEventBytes}-byte cap` },
    ]);
  }

  #reject(kind: IngestKind | undefined, code: string, problems: Problem[]): IngestResult {
    this.#stats.rejected += 1;
    this.#stats.rejectedByCode[code] = (this.#stats.rejectedByCode[code] ?? 0) + 1;
    this.#logger.warn({ kind, code, problems }, 'lineage input rejected');
    if (DIAGNOSTICS.rejected.hasSubscribers) DIAGNOSTICS.rejected.publish({ kind, code, problems });
    return kind === undefined ? { ok: false, code, problems } : { ok: false, kind, code, problems };
  }

  async #apply(
    kind: IngestKind,
    plan: GraphPlan,
    unresolved: UnresolvedDataset[],
  ): Promise<IngestResult> {
    const { admitted, dropped } = await this.#guard.admit(plan.edges.values());
    // A column over its dataset's cap is not written at all, nor are its other edges.
    const overCap = new Set<string>();
    for (const drop of dropped) {
      const to = drop.reason === 'NODES_PER_DATASET' ? plan.edges.get(drop.edgeId)?.to : undefined;
      if (to !== undefined) overCap.add(to);
    }
    const edges = admitted.filter((edge) => {
      const column = overCap.has(edge.to)
        ? edge.to
        : overCap.has(edge.from)
          ? edge.from
          : undefined;
      if (column === undefined) return true;
      this.#guard.release(edge);
      dropped.push({ reason: 'NODES_PER_DATASET', edgeId: edge.id, vertexId: column });
      return false;
    });
    let vertices = 0;
    for (const vertex of plan.vertices.values()) {
      if (overCap.has(vertex.id)) continue;
      await this.#store.upsertVertex(vertex);
      vertices += 1;
    }
    let written = 0;
    for (const edge of edges) {
      try {
        await this.#store.upsertEdge(edge);
      } catch (error) {
        this.#guard.release(edge);
        throw error;
      }
      written += 1;
      this.#index.noteEdge(edge);
    }
    this.#stats.accepted += 1;
    for (const drop of dropped) this.#countDrop(drop);
    for (const item of unresolved) {
      this.#stats.unresolvedByReason[item.reason] =
        (this.#stats.unresolvedByReason[item.reason] ?? 0) + 1;
    }
    if (unresolved.length > 0)
      this.#logger.info({ kind, unresolved }, 'lineage datasets unresolved');
    const result = {
      ok: true as const,
      kind,
      vertices,
      edges: written,
      unresolved,
      dropped,
      evicted: [],
    };
    if (DIAGNOSTICS.ingested.hasSubscribers) {
      DIAGNOSTICS.ingested.publish({
        kind,
        vertices: result.vertices,
        edges: written,
        dropped: dropped.length,
        unresolved: unresolved.length,
      });
    }
    return result;
  }

  #countDrop(drop: Drop): void {
    this.#stats.droppedByReason[drop.reason] = (this.#stats.droppedByReason[drop.reason] ?? 0) + 1;
    this.#logger.warn({ ...drop }, 'lineage edge dropped by a cardinality cap');
    if (DIAGNOSTICS.dropped.hasSubscribers) DIAGNOSTICS.dropped.publish(drop);
  }

  async #planDeployment(plan: GraphPlan, event: DeploymentEvent): Promise<string> {
    const time = parseTime(event.time);
    const serviceId = plan.vertex(vertexIds.service(event.service), VERTEX_LABELS.SERVICE, {
      name: event.service,
      tier: tierOf(event.tier),
    });
    const deploymentId = vertexIds.deployment(event.service, event.version, event.environment);
    const existing = await this.#store.getVertex(deploymentId);
    const times = parseTimes(existing?.properties.deployTimes);
    if (!times.includes(time)) times.push(time);
    times.sort((a, b) => a - b);
    const kept = times.slice(-this.#maxDeployTimes);
    plan.vertex(deploymentId, VERTEX_LABELS.DEPLOYMENT, {
      service: event.service,
      version: event.version,
      commit: event.commit,
      environment: event.environment ?? '',
      url: event.url,
      actor: event.actor,
      deployTimes: kept.join(','),
      firstDeployedAt: kept[0],
      deployedAt: kept[kept.length - 1],
    });
    plan.edge(serviceId, EDGE_LABELS.DEPLOYED, deploymentId, { time });
    if (typeof event.owner === 'string') {
      const owner = plan.vertex(vertexIds.owner(event.owner), VERTEX_LABELS.OWNER, {
        name: event.owner,
      });
      plan.edge(owner, EDGE_LABELS.OWNS, serviceId, { source: 'deployment' });
    }
    return deploymentId;
  }

  async #evictDeployments(serviceId: string, keep: string): Promise<string[]> {
    let count = this.#deploymentCounts.get(serviceId);
    if (count === undefined || count >= this.#maxDeployments) {
      const edges = await this.#store.edges(serviceId, {
        direction: 'out',
        labels: [EDGE_LABELS.DEPLOYED],
        limit: this.#maxDeployments * 2 + 10,
      });
      count = edges.length;
      if (count > this.#maxDeployments) {
        const deployments = await Promise.all(edges.map(async (e) => this.#store.getVertex(e.to)));
        const ordered = deployments
          .filter((v) => v !== undefined && v.id !== keep)
          .sort(
            (a, b) => Number(a?.properties.deployedAt ?? 0) - Number(b?.properties.deployedAt ?? 0),
          );
        const evicted: string[] = [];
        for (const vertex of ordered.slice(0, count - this.#maxDeployments)) {
          if (vertex === undefined) continue;
          const vertexEdges = await this.#store.edges(vertex.id, {
            direction: 'both',
            limit: 10_000,
          });
          await this.#store.dropVertex(vertex.id);
          this.#guard.forgetVertex(vertex.id, vertexEdges);
          evicted.push(vertex.id);
        }
        this.#stats.evictedDeployments += evicted.length;
        this.#deploymentCounts.set(serviceId, count - evicted.length);
        return evicted;
      }
      this.#deploymentCounts.set(serviceId, count);
      return [];
    }
    this.#deploymentCounts.set(serviceId, count + 1);
    return [];
  }
}

function tierOf(value: unknown): number | undefined {
  return value === 1 || value === 2 || value === 3 ? value : undefined;
}

function parseTimes(value: GraphScalar | undefined): number[] {
  if (typeof value !== 'string' || value === '') return [];
  return value
    .split(',')
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

function planSpec(spec: LineageSpec): GraphPlan {
  const plan = new GraphPlan();
  const confidence = spec.confidence;
  const source = 'lineage-spec';
  const job = spec.producer.job ?? { namespace: 'service', name: spec.producer.service ?? '' };
  const namespace = job.namespace ?? 'lineage-spec';
  const jobId = plan.vertex(vertexIds.job(namespace, job.name), VERTEX_LABELS.JOB, {
    namespace,
    name: job.name,
    tier: tierOf(spec.tier),
    specTool: spec.source?.tool,
    specRepository: spec.source?.repository,
    specPath: spec.source?.path,
    specCommit: spec.source?.commit,
  });
  let serviceId: string | undefined;
  if (spec.producer.service !== undefined) {
    serviceId = plan.vertex(vertexIds.service(spec.producer.service), VERTEX_LABELS.SERVICE, {
      name: spec.producer.service,
      tier: tierOf(spec.tier),
    });
  }
  if (spec.owner !== undefined) {
    const owner = plan.vertex(vertexIds.owner(spec.owner), VERTEX_LABELS.OWNER, {
      name: spec.owner,
    });
    plan.edge(owner, EDGE_LABELS.OWNS, serviceId ?? jobId, { source });
  }
  const props = { confidence, source } as const;
  for (const [side, label, columnLabel] of [
    ['inputs', EDGE_LABELS.READS, EDGE_LABELS.READS_COL],
    ['outputs', EDGE_LABELS.WRITES, EDGE_LABELS.WRITES_COL],
  ] as const) {
    for (const ref of spec[side] ?? []) {
      plan.vertex(ref.dataset, VERTEX_LABELS.DATASET, { urn: ref.dataset, tier: tierOf(ref.tier) });
      plan.edge(jobId, label, ref.dataset, props);
      if (side === 'outputs' && serviceId !== undefined)
        plan.edge(serviceId, EDGE_LABELS.PRODUCES, ref.dataset, props);
      for (const path of ref.columns ?? []) {
        const columnId = plan.vertex(vertexIds.column(ref.dataset, path), VERTEX_LABELS.COLUMN, {
          dataset: ref.dataset,
          path,
        });
        plan.edge(ref.dataset, EDGE_LABELS.HAS_COLUMN, columnId);
        plan.edge(jobId, columnLabel, columnId, props);
      }
    }
  }
  return plan;
}
