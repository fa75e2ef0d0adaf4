import type { GraphStore, Incident, StateStore } from '@signal-factory/core';
import { isDatasetUrn, isSignalFactoryError } from '@signal-factory/core';
import { LineageQueries } from '@signal-factory/lineage';
import { COPILOT_ERROR_CODES, LLM_FALLBACK_REASONS, copilotError, type Problem } from './errors';
import { COPILOT_DIAGNOSTICS, safeLogger, type Logger } from './logger';
import { buildBlastRadius } from './rca/blast-radius';
import { buildReport } from './rca/build-report';
import { GraphReader } from './rca/graph-reader';
import { DEFAULT_RCA_SETTINGS, type RcaSettings } from './rca/settings';
import { StateReader, incidentShapeProblems } from './state/state-reader';
import { resolveLlmOptions, type LlmOptions } from './summary/llm-options';
import { LlmSummarizer } from './summary/llm-summarizer';
import type {
  DatasetBlastRadius,
  IncidentListItem,
  RcaReport,
  RcaSummary,
  RootCauseKind,
} from './types';

/** A graph: a bare `GraphStore`, or `createLineageGraph()`'s result (its queries share the index). */
export type CopilotGraph = GraphStore | { store: GraphStore; queries?: LineageQueries };

export interface CopilotOptions {
  /** The knowledge graph (`InMemoryGraphStore`, `GremlinGraphStore`, or a `LineageGraph`). Required. */
  graph: CopilotGraph;
  /** Where engines keep signals and incidents (`InMemoryStateStore`, `DynamoDbStateStore`). Required. */
  state: StateStore;
  /** Clock in epoch ms (report times, cache TTL, rate limit). Default `Date.now`. */
  clock?: () => number;
  /** LLM summary settings; omitted or `false`: template summaries only. */
  llm?: LlmOptions | false;
  /** How long a report is reused while its incident's `updated_at` is unchanged, ms. Default 60,000. 0 disables. */
  cacheTtlMs?: number;
  /** Most cached reports (oldest evicted first). Default 10,000. */
  cacheMaxEntries?: number;
  /** RCA tuning (windows, depths, caps); see `RcaSettings`. */
  rca?: Partial<RcaSettings>;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

export interface RcaOptions {
  /**
   * `auto` (default): the LLM wording when an LLM is configured, else the template; `template`:
   * never call the LLM; `llm`: like auto, but a missing LLM is reported as the fallback reason.
   */
  summary?: 'auto' | 'template' | 'llm';
}

export interface ListIncidentsOptions {
  /** Only incidents with this status (`OPEN`, `ACKNOWLEDGED`, `RESOLVED`). */
  status?: string;
  /** Most returned, 1..1,000. Default 100. */
  limit?: number;
}

export interface BlastRadiusQueryOptions {
  /** A column path: only consumers reached through that column. */
  column?: string;
  /** Hops, 1..3. Default 3. */
  maxDepth?: number;
  /** Most entries, 1..5,000. Default 200. */
  limit?: number;
}

export interface CopilotStats {
  reports: number;
  cacheHits: number;
  llmSummaries: number;
  llmFallbacks: Record<string, number>;
}

/** The RCA client: deterministic reports, blast radius and summaries over the graph and the state store. */
export interface Copilot {
  /**
   * The RCA report of an incident. Cached per incident until `cacheTtlMs` passes or the incident's
   * `updated_at` changes.
   * @throws `SF_ERR_COPILOT_INCIDENT_NOT_FOUND`, `SF_ERR_COPILOT_INVALID_ARGUMENT`,
   * `SF_ERR_COPILOT_INCIDENT_INVALID`, `SF_ERR_COPILOT_BACKEND_UNAVAILABLE`.
   */
  rca(incidentId: string, options?: RcaOptions): Promise<RcaReport>;
  /** The summary of a report: the LLM's wording when configured and valid, else the template. Never throws. */
  summarize(report: RcaReport): Promise<RcaSummary>;
  /** Incidents, newest first. */
  listIncidents(options?: ListIncidentsOptions): Promise<IncidentListItem[]>;
  /** The stored Incident v1 document. */
  getIncident(incidentId: string): Promise<Incident>;
  /** Who is hurt if this dataset (or column) breaks. */
  blastRadius(datasetUrn: string, options?: BlastRadiusQueryOptions): Promise<DatasetBlastRadius>;
  /** Drops cached reports (one incident's, or all). */
  invalidate(incidentId?: string): void;
  stats(): CopilotStats;
  /** Stops accepting calls; does not close the stores it was given. Idempotent. */
  close(): Promise<void>;
}

// eslint-disable-next-line no-control-regex -- ids must not carry control characters
const INCIDENT_ID = /^[^\u0000-\u001f\u007f]{1,512}$/;

interface CacheEntry {
  updatedAt: string;
  version: number;
  expiresAt: number;
  report: RcaReport;
}

function isGraphStore(value: unknown): value is GraphStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GraphStore).getVertex === 'function' &&
    typeof (value as GraphStore).edges === 'function'
  );
}

function intOption(
  problems: Problem[],
  path: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push({ path, message: `must be an integer from ${min} to ${max}` });
    return fallback;
  }
  return value;
}

function resolveSettings(raw: unknown, problems: Problem[]): RcaSettings {
  const settings = { ...DEFAULT_RCA_SETTINGS };
  if (raw === undefined) return settings;
  if (typeof raw !== 'object' || raw === null) {
    problems.push({ path: 'rca', message: 'must be an object' });
    return settings;
  }
  const o = raw as Record<string, unknown>;
  const limits: Record<keyof RcaSettings, [number, number]> = {
    signalLookbackMs: [0, 30 * 86_400_000],
    deployCloseWindowMs: [0, 30 * 86_400_000],
    deployCorrelationWindowMs: [0, 30 * 86_400_000],
    introducedCleanRunMs: [0, 30 * 86_400_000],
    clockSkewMs: [0, 3_600_000],
    upstreamMaxDepth: [1, 3],
    upstreamToleranceMs: [0, 86_400_000],
    blastRadiusDepth: [1, 3],
    blastRadiusLimit: [1, 5_000],
    ownerLookups: [0, 5_000],
  };
  for (const key of Object.keys(o)) {
    if (!(key in limits)) problems.push({ path: `rca.${key}`, message: 'is not a known setting' });
  }
  for (const [key, [min, max]] of Object.entries(limits) as [
    keyof RcaSettings,
    [number, number],
  ][]) {
    settings[key] = intOption(problems, `rca.${key}`, o[key], settings[key], min, max);
  }
  if (settings.deployCorrelationWindowMs < settings.deployCloseWindowMs) {
    problems.push({
      path: 'rca.deployCorrelationWindowMs',
      message: 'must be >= rca.deployCloseWindowMs',
    });
  }
  return settings;
}

/** Wraps store failures so callers see one stable code; argument errors keep their meaning. */
function backendError(error: unknown, what: string): Error {
  if (isSignalFactoryError(error) && error.code.startsWith('SF_ERR_COPILOT_')) return error;
  if (isSignalFactoryError(error) && error.code.endsWith('_QUERY_INVALID')) {
    return copilotError(COPILOT_ERROR_CODES.INVALID_ARGUMENT, error.message, { cause: error });
  }
  const retriable = isSignalFactoryError(error) ? error.retriable : true;
  return copilotError(
    COPILOT_ERROR_CODES.BACKEND_UNAVAILABLE,
    `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error, retriable },
  );
}

/**
 * Creates the copilot.
 * @throws `SF_ERR_COPILOT_OPTIONS_INVALID` listing every problem with its path.
 */
export function createCopilot(options: CopilotOptions): Copilot {
  const problems: Problem[] = [];
  if (typeof options !== 'object' || options === null) {
    throw copilotError(
      COPILOT_ERROR_CODES.OPTIONS_INVALID,
      'createCopilot needs an options object',
      {
        details: { problems: [{ path: '', message: 'must be an object' }] },
      },
    );
  }
  let store: GraphStore | undefined;
  let queries: LineageQueries | undefined;
  if (isGraphStore(options.graph)) {
    store = options.graph;
  } else if (
    typeof options.graph === 'object' &&
    options.graph !== null &&
    isGraphStore((options.graph as { store?: unknown }).store)
  ) {
    store = options.graph.store;
    queries = options.graph.queries;
  } else {
    problems.push({
      path: 'graph',
      message: 'must be a GraphStore or { store: GraphStore, queries? }',
    });
  }
  const state = options.state as StateStore | undefined;
  if (
    typeof state !== 'object' ||
    state === null ||
    typeof state.get !== 'function' ||
    typeof state.query !== 'function'
  ) {
    problems.push({ path: 'state', message: 'must be a StateStore' });
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    problems.push({ path: 'clock', message: 'must be a function returning epoch ms' });
  }
  const cacheTtlMs = intOption(
    problems,
    'cacheTtlMs',
    options.cacheTtlMs,
    60_000,
    0,
    2_147_483_647,
  );
  const cacheMax = intOption(
    problems,
    'cacheMaxEntries',
    options.cacheMaxEntries,
    10_000,
    1,
    10_000_000,
  );
  const settings = resolveSettings(options.rca, problems);
  const llm = resolveLlmOptions(options.llm, problems);
  if (problems.length > 0) {
    throw copilotError(
      COPILOT_ERROR_CODES.OPTIONS_INVALID,
      `Invalid copilot options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      { details: { problems } },
    );
  }
  const now = options.clock ?? Date.now;
  const logger = safeLogger(options.logger);
  const graph = new GraphReader(
    store as GraphStore,
    queries ?? new LineageQueries({ store: store as GraphStore }),
  );
  const reader = new StateReader(state as StateStore);
  const summarizer = llm === undefined ? undefined : new LlmSummarizer(llm, now, logger);
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<RcaReport>>();
  const counters: CopilotStats = { reports: 0, cacheHits: 0, llmSummaries: 0, llmFallbacks: {} };
  let closed = false;

  const checkOpen = (): void => {
    if (closed) throw copilotError(COPILOT_ERROR_CODES.CLOSED, 'the copilot is closed');
  };
  const checkId = (incidentId: unknown): string => {
    if (typeof incidentId !== 'string' || !INCIDENT_ID.test(incidentId)) {
      throw copilotError(
        COPILOT_ERROR_CODES.INVALID_ARGUMENT,
        'incident id must be a non-empty string of at most 512 characters without control characters',
        { details: { problems: [{ path: 'incidentId', message: 'invalid' }] } },
      );
    }
    return incidentId;
  };

  const loadIncident = async (
    incidentId: string,
  ): Promise<{ incident: Incident; version: number }> => {
    let item;
    try {
      item = await reader.incident(incidentId);
    } catch (error) {
      throw backendError(error, 'reading the incident');
    }
    if (item === undefined) {
      throw copilotError(
        COPILOT_ERROR_CODES.INCIDENT_NOT_FOUND,
        `no incident ${JSON.stringify(incidentId)}`,
        {
          details: { incidentId },
        },
      );
    }
    const shape = incidentShapeProblems(item.data);
    if (shape.length > 0) {
      throw copilotError(
        COPILOT_ERROR_CODES.INCIDENT_INVALID,
        `stored incident ${JSON.stringify(incidentId)} is not a valid Incident v1: ${shape.join('; ')}`,
        { details: { incidentId, problems: shape } },
      );
    }
    return { incident: item.data as unknown as Incident, version: item.version };
  };

  const upstreamRootCause = async (
    incidentId: string,
    depth: number,
  ): Promise<{ kind: RootCauseKind; statement: string; firstBadAt?: string } | undefined> => {
    if (depth > 2) return undefined;
    const report = await reportOf(incidentId, depth + 1);
    return {
      kind: report.root_cause.kind,
      statement: report.root_cause.statement,
      ...(report.first_bad !== undefined ? { firstBadAt: report.first_bad.time } : {}),
    };
  };

  const reportOf = async (incidentId: string, depth: number): Promise<RcaReport> => {
    const { incident, version } = await loadIncident(incidentId);
    const cached = cache.get(incidentId);
    if (
      cached !== undefined &&
      cached.updatedAt === incident.updated_at &&
      cached.version === version &&
      cached.expiresAt > now()
    ) {
      counters.cacheHits += 1;
      return cached.report;
    }
    const key = `${incidentId}\u0000${incident.updated_at}\u0000${version}`;
    const running = inflight.get(key);
    if (running !== undefined) return running;
    const started = now();
    const task = (async () => {
      let report: RcaReport;
      try {
        report = await buildReport(incident, {
          state: reader,
          graph,
          settings,
          now,
          upstreamRootCause: (id) => upstreamRootCause(id, depth),
        });
      } catch (error) {
        throw backendError(error, `RCA of incident ${incidentId}`);
      }
      counters.reports += 1;
      if (cacheTtlMs > 0) {
        if (cache.size >= cacheMax && !cache.has(incidentId)) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.delete(incidentId);
        cache.set(incidentId, {
          updatedAt: incident.updated_at,
          version,
          expiresAt: now() + cacheTtlMs,
          report,
        });
      }
      if (COPILOT_DIAGNOSTICS.rca.hasSubscribers) {
        COPILOT_DIAGNOSTICS.rca.publish({
          incidentId,
          rootCause: report.root_cause.kind,
          confidence: report.confidence.level,
          durationMs: now() - started,
        });
      }
      logger.debug(
        { incidentId, rootCause: report.root_cause.kind, confidence: report.confidence.level },
        'RCA report computed',
      );
      return report;
    })().finally(() => inflight.delete(key));
    inflight.set(key, task);
    return task;
  };

  const summarize = async (
    report: RcaReport,
    mode: 'auto' | 'llm' = 'auto',
  ): Promise<RcaSummary> => {
    const template: RcaSummary = {
      text: report.summary.template,
      source: 'template',
      template: report.summary.template,
      evidence_refs: report.summary.source === 'template' ? report.summary.evidence_refs : [],
    };
    if (template.evidence_refs.length === 0) {
      template.evidence_refs = report.root_cause.evidence_refs;
    }
    const fallback = (reason: string, detail: string): RcaSummary => {
      counters.llmFallbacks[reason] = (counters.llmFallbacks[reason] ?? 0) + 1;
      if (COPILOT_DIAGNOSTICS.llmFallback.hasSubscribers) {
        COPILOT_DIAGNOSTICS.llmFallback.publish({ incidentId: report.incident_id, reason, detail });
      }
      return {
        ...template,
        llm_fallback_reason: reason as RcaSummary['llm_fallback_reason'] & string,
        llm_fallback_detail: detail,
      };
    };
    if (summarizer === undefined) {
      return mode === 'llm'
        ? fallback(LLM_FALLBACK_REASONS.DISABLED, 'no LLM is configured (llm option / API key)')
        : template;
    }
    try {
      const outcome = await summarizer.summarize(report);
      if (!outcome.ok) return fallback(outcome.reason, outcome.detail);
      counters.llmSummaries += 1;
      return {
        text: outcome.text,
        source: 'llm',
        template: report.summary.template,
        model: outcome.model,
        evidence_refs: outcome.refs,
      };
    } catch (error) {
      logger.error({ err: error }, 'LLM summarizer failed unexpectedly');
      return fallback(
        LLM_FALLBACK_REASONS.UNKNOWN,
        error instanceof Error ? error.message : String(error),
      );
    }
  };

  return {
    async rca(incidentId, rcaOptions = {}) {
      checkOpen();
      checkId(incidentId);
      const mode = rcaOptions.summary ?? 'auto';
      if (mode !== 'auto' && mode !== 'template' && mode !== 'llm') {
        throw copilotError(
          COPILOT_ERROR_CODES.INVALID_ARGUMENT,
          'summary must be auto, template or llm',
        );
      }
      const base = await reportOf(incidentId, 0);
      const report = structuredClone(base);
      if (mode !== 'template') report.summary = await summarize(report, mode);
      return report;
    },
    async summarize(report) {
      checkOpen();
      return summarize(report, 'auto');
    },
    async listIncidents(listOptions = {}) {
      checkOpen();
      const limit = listOptions.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
        throw copilotError(
          COPILOT_ERROR_CODES.INVALID_ARGUMENT,
          'limit must be an integer from 1 to 1000',
        );
      }
      const status = listOptions.status;
      if (status !== undefined && !['OPEN', 'ACKNOWLEDGED', 'RESOLVED'].includes(status)) {
        throw copilotError(
          COPILOT_ERROR_CODES.INVALID_ARGUMENT,
          'status must be OPEN, ACKNOWLEDGED or RESOLVED',
        );
      }
      try {
        return await reader.listIncidents({ limit, ...(status !== undefined ? { status } : {}) });
      } catch (error) {
        throw backendError(error, 'listing incidents');
      }
    },
    async getIncident(incidentId) {
      checkOpen();
      checkId(incidentId);
      return (await loadIncident(incidentId)).incident;
    },
    async blastRadius(datasetUrn, queryOptions = {}) {
      checkOpen();
      if (!isDatasetUrn(datasetUrn)) {
        throw copilotError(
          COPILOT_ERROR_CODES.INVALID_ARGUMENT,
          `not a dataset URN: ${JSON.stringify(String(datasetUrn).slice(0, 200))} (expected urn:dp:<domain>:<name>[:v<major>])`,
          { details: { problems: [{ path: 'datasetUrn', message: 'not a dataset URN' }] } },
        );
      }
      const blastProblems: Problem[] = [];
      const maxDepth = intOption(
        blastProblems,
        'maxDepth',
        queryOptions.maxDepth,
        settings.blastRadiusDepth,
        1,
        3,
      );
      const limit = intOption(
        blastProblems,
        'limit',
        queryOptions.limit,
        settings.blastRadiusLimit,
        1,
        5_000,
      );
      const column = queryOptions.column;
      if (
        column !== undefined &&
        (typeof column !== 'string' || column === '' || column.length > 512)
      ) {
        blastProblems.push({ path: 'column', message: 'must be a non-empty column path' });
      }
      if (blastProblems.length > 0) {
        throw copilotError(
          COPILOT_ERROR_CODES.INVALID_ARGUMENT,
          blastProblems.map((p) => `${p.path} ${p.message}`).join('; '),
          { details: { problems: blastProblems } },
        );
      }
      try {
        const exists = await graph.vertex(datasetUrn);
        if (exists === undefined) {
          throw copilotError(
            COPILOT_ERROR_CODES.DATASET_NOT_FOUND,
            `the graph has no dataset ${datasetUrn}`,
            {
              details: { datasetUrn },
            },
          );
        }
        if (column !== undefined) {
          const result = await graph.queries.blastRadius(
            { dataset: datasetUrn, column },
            { maxDepth, limit },
          );
          return {
            dataset_urn: datasetUrn,
            column,
            truncated: result.truncated,
            entries: result.hits.map((hit) => ({
              id: hit.id,
              label: hit.label,
              name:
                hit.label === 'Job' && typeof hit.properties.name === 'string'
                  ? hit.properties.name
                  : hit.id,
              ...(hit.tier !== undefined ? { tier: hit.tier } : {}),
              depth: hit.depth,
              confidence: hit.confidence,
              via: hit.via,
              from_dataset: datasetUrn,
              in_incident: false,
              column_overlap: {
                status: 'overlap' as const,
                read_columns: null,
                affected_columns: [column],
                overlapping: [column],
              },
              evidence_refs: [],
            })),
          };
        }
        const result = await buildBlastRadius({
          graph,
          datasets: [datasetUrn],
          incidentDatasets: [],
          affectedColumns: new Map(),
          wholeRecordsAffected: true,
          settings: { ...settings, blastRadiusDepth: maxDepth, blastRadiusLimit: limit },
        });
        return { dataset_urn: datasetUrn, entries: result.entries, truncated: result.truncated };
      } catch (error) {
        throw backendError(error, `blast radius of ${datasetUrn}`);
      }
    },
    invalidate(incidentId) {
      if (incidentId === undefined) cache.clear();
      else cache.delete(incidentId);
    },
    stats() {
      return structuredClone(counters);
    },
    async close() {
      closed = true;
      cache.clear();
    },
  };
}
