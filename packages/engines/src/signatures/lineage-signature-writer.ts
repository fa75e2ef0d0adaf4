import {
  safeLogger,
  type GraphScalar,
  type GraphStore,
  type Logger as EnginesLogger,
} from '@signal-factory/core';
import {
  VERTEX_LABELS,
  vertexIds,
  type Confidence,
  type DeploymentAtResult,
  type FailureSignatureRecord,
  type IngestResult,
} from '@signal-factory/lineage';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';
import type { FailureSignatureSink, FailureSignatureUpdate } from './failure-signature-sink';

/** The parts of `@signal-factory/lineage` the writer uses (a `LineageGraph` has them all). */
export interface SignatureGraph {
  /** Writes the FailureSignature vertex and its INTRODUCED edge (`LineageIngestor`). */
  ingestor: { recordFailureSignature(record: FailureSignatureRecord): Promise<IngestResult> };
  /** Finds the deployment current at first-seen (`LineageQueries`). Optional. */
  queries?: {
    deploymentAt(
      service: string,
      at: number,
      options?: { environment?: string },
    ): Promise<DeploymentAtResult | undefined>;
  };
  /** The graph store, for the existence check and the count / lastSeen properties. */
  store: Pick<GraphStore, 'getVertex' | 'upsertVertex'>;
}

export interface LineageSignatureWriterOptions {
  /** Ingestor, queries and store, e.g. the result of `createLineageGraph`. */
  graph: SignatureGraph;
  /** Deployment environment to match (`deploymentAt(..., {environment})`). Default: any. */
  environment?: string;
  /**
   * Link INTRODUCED to `deployment:<service>:<version>` from the evidence's producer version when
   * the graph has no matching deployment event (confidence LOW). Default true.
   */
  linkUnregisteredVersions?: boolean;
  /** Most distinct signatures waiting to be written; beyond it the newest updates are dropped and counted. Default 10,000. */
  maxPending?: number;
  /** Write attempts per update before it is dropped and counted. Default 5. */
  maxAttempts?: number;
  /** First retry delay, ms (doubled per attempt, with jitter). Default 500. */
  retryDelayMs?: number;
  /** pino-compatible logger; silent by default. */
  logger?: EnginesLogger;
}

/** Counters of a `LineageSignatureWriter`. */
export interface LineageSignatureWriterStats {
  /** Updates received through `submit`. */
  submitted: number;
  /** Signatures created in the graph by this writer. */
  created: number;
  /** Signatures that already existed (replay, another instance) and were only refreshed. */
  existing: number;
  /** Count / lastSeen refreshes written. */
  refreshed: number;
  /** INTRODUCED edges written, by confidence. */
  introduced: Record<Confidence, number>;
  /** Recurrence episodes linked INTRODUCED to the deployment current at their start. */
  episodes: number;
  /** Write attempts that failed (retried). */
  failures: number;
  /** Updates given up after `maxAttempts`, rejected by the ingestor, or over `maxPending`. */
  dropped: number;
  /** Updates waiting. */
  pending: number;
}

type Episode = NonNullable<FailureSignatureUpdate['episode']>;

interface Pending {
  update: FailureSignatureUpdate;
  attempts: number;
  /** Recurrence episodes still to link (coalesced updates may carry several), by number. */
  episodes: Map<number, Episode>;
}

/** Most signatures whose last linked episode is remembered (to skip re-linking on refresh). */
const MAX_LINKED_EPISODES = 10_000;

function merge(a: FailureSignatureUpdate, b: FailureSignatureUpdate): FailureSignatureUpdate {
  const earlier = b.firstSeen < a.firstSeen ? b : a;
  const merged: FailureSignatureUpdate = {
    ...b,
    firstSeen: Math.min(a.firstSeen, b.firstSeen),
    lastSeen: Math.max(a.lastSeen, b.lastSeen),
    count: Math.max(a.count, b.count),
    producer: earlier.producer,
    isNew: a.isNew || b.isNew,
  };
  const episode = latestEpisode(a.episode, b.episode);
  if (episode === undefined) delete merged.episode;
  else merged.episode = episode;
  return merged;
}

function latestEpisode(a: Episode | undefined, b: Episode | undefined): Episode | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.n >= a.n ? b : a;
}

function isEpisode(value: unknown): value is Episode {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<Episode>;
  return (
    typeof e.n === 'number' &&
    typeof e.start === 'number' &&
    Number.isFinite(e.start) &&
    typeof e.producer === 'object' &&
    e.producer !== null &&
    typeof e.producer.service === 'string'
  );
}

const num = (value: GraphScalar | undefined): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * A `FailureSignatureSink` that writes to the knowledge graph through `LineageIngestor`, off the
 * data path: `submit` only queues (coalescing updates of one signature); a single background loop
 * writes. Each signature is created ONCE — the FailureSignature vertex with dataset, gates, reason
 * codes and first_seen, linked INTRODUCED from the producer's deployment current at first_seen —
 * and afterwards only its `count` and `lastSeen` properties are refreshed. Writes are idempotent:
 * an existing vertex (a replay, another engine instance) is never re-created or re-linked, and
 * count / lastSeen only move forward (max), firstSeen only backward (min).
 *
 * A recurrence (an update with an `episode`: the signature came back after a quiet gap or from
 * another producer version) is linked INTRODUCED from the deployment current at the episode start
 * as well, so a bug rolled back and re-introduced by a later version points at both deployments.
 * Edge ids are deterministic, so linking an episode twice never duplicates the edge.
 */
export class LineageSignatureWriter implements FailureSignatureSink {
  readonly #graph: SignatureGraph;
  readonly #environment: string | undefined;
  readonly #linkUnregistered: boolean;
  readonly #maxPending: number;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #logger: EnginesLogger;
  readonly #pending = new Map<string, Pending>();
  /** hash → last episode number linked by this writer. */
  readonly #linkedEpisodes = new Map<string, number>();
  readonly #stats: Omit<LineageSignatureWriterStats, 'pending'> = {
    submitted: 0,
    created: 0,
    existing: 0,
    refreshed: 0,
    introduced: { HIGH: 0, MEDIUM: 0, LOW: 0 },
    episodes: 0,
    failures: 0,
    dropped: 0,
  };
  #running: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: LineageSignatureWriterOptions) {
    const problems: OptionProblem[] = [];
    const graph = (options as { graph?: unknown } | undefined)?.graph as
      Partial<SignatureGraph> | undefined;
    if (typeof graph !== 'object' || graph === null) {
      problems.push({ path: 'graph', message: 'must be { ingestor, store, queries? }' });
    } else {
      if (typeof graph.ingestor?.recordFailureSignature !== 'function')
        problems.push({ path: 'graph.ingestor', message: 'must be a LineageIngestor' });
      if (
        typeof graph.store?.getVertex !== 'function' ||
        typeof graph.store?.upsertVertex !== 'function'
      )
        problems.push({ path: 'graph.store', message: 'must be a GraphStore' });
      if (graph.queries !== undefined && typeof graph.queries.deploymentAt !== 'function')
        problems.push({ path: 'graph.queries', message: 'must be LineageQueries' });
    }
    if (options?.environment !== undefined && typeof options.environment !== 'string')
      problems.push({ path: 'environment', message: 'must be a string' });
    checkNumber(problems, 'maxPending', options?.maxPending, { min: 1, integer: true });
    checkNumber(problems, 'maxAttempts', options?.maxAttempts, { min: 1, integer: true });
    checkNumber(problems, 'retryDelayMs', options?.retryDelayMs, { min: 0 });
    if (problems.length > 0) throw optionsError('lineage signature writer', problems);
    this.#graph = options.graph;
    this.#environment = options.environment;
    this.#linkUnregistered = options.linkUnregisteredVersions ?? true;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 500;
    this.#logger = safeLogger(options.logger);
  }

  /** Queues updates; returns at once, never throws. */
  submit(updates: readonly FailureSignatureUpdate[]): void {
    if (!Array.isArray(updates)) return;
    for (const update of updates) {
      if (
        typeof update !== 'object' ||
        update === null ||
        typeof update.hash !== 'string' ||
        update.hash === ''
      )
        continue;
      this.#stats.submitted += 1;
      if (this.#closed) {
        this.#stats.dropped += 1;
        continue;
      }
      const queued = this.#pending.get(update.hash);
      const episode = isEpisode(update.episode) ? update.episode : undefined;
      if (queued !== undefined) {
        queued.update = merge(queued.update, update);
        if (episode !== undefined) queued.episodes.set(episode.n, episode);
      } else if (this.#pending.size >= this.#maxPending) {
        this.#stats.dropped += 1;
      } else {
        const episodes = new Map<number, Episode>();
        if (episode !== undefined) episodes.set(episode.n, episode);
        this.#pending.set(update.hash, { update, attempts: 0, episodes });
      }
    }
    this.#schedule(0);
  }

  /** Resolves when every queued update has been written (or dropped). */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (
      let round = 0;
      round < 1_000 && (this.#pending.size > 0 || this.#running !== undefined);
      round++
    ) {
      await (this.#running ?? this.#drain(true));
    }
  }

  /** Flushes, then refuses further updates (counted as dropped). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
  }

  stats(): LineageSignatureWriterStats {
    return { ...structuredClone(this.#stats), pending: this.#pending.size };
  }

  #schedule(delay: number): void {
    if (this.#running !== undefined || this.#timer !== undefined || this.#pending.size === 0)
      return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain(false);
    }, delay);
    this.#timer.unref?.();
  }

  #drain(flushing: boolean): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    const run = (async () => {
      let retryIn: number | undefined;
      const batch = [...this.#pending.values()];
      for (const item of batch) {
        if (this.#pending.get(item.update.hash) !== item) continue;
        const update = item.update;
        try {
          const episodes = [...item.episodes.values()];
          await this.#write(update, episodes);
          for (const e of episodes) item.episodes.delete(e.n);
          // Remove unless a newer update for the same hash arrived while writing.
          if (this.#pending.get(update.hash)?.update === update) this.#pending.delete(update.hash);
          else {
            const newer = this.#pending.get(update.hash);
            if (newer !== undefined) newer.update = { ...newer.update, isNew: false };
          }
        } catch (error) {
          this.#stats.failures += 1;
          item.attempts += 1;
          if (item.attempts >= this.#maxAttempts) {
            this.#pending.delete(update.hash);
            this.#stats.dropped += 1;
            this.#logger.error(
              { err: error, hash: update.hash },
              'failure signature dropped after retries',
            );
          } else {
            const delay = this.#retryDelayMs * 2 ** (item.attempts - 1);
            retryIn = Math.min(
              retryIn ?? Number.POSITIVE_INFINITY,
              delay * (0.5 + Math.random() / 2),
            );
            this.#logger.warn(
              { err: error, hash: update.hash },
              'failure signature write failed; will retry',
            );
          }
        }
      }
      return flushing ? undefined : retryIn;
    })();
    this.#running = run.then(
      (retry) => {
        this.#running = undefined;
        if (retry !== undefined) this.#schedule(retry);
        else this.#schedule(0);
      },
      () => {
        this.#running = undefined;
      },
    );
    return this.#running;
  }

  async #write(update: FailureSignatureUpdate, episodes: readonly Episode[]): Promise<void> {
    await this.#writeSignature(update);
    for (const episode of [...episodes].sort((a, b) => a.n - b.n)) {
      await this.#linkEpisode(update, episode);
    }
  }

  /** Links INTRODUCED from the deployment current at a recurrence episode's start (idempotent). */
  async #linkEpisode(update: FailureSignatureUpdate, episode: Episode): Promise<void> {
    if ((this.#linkedEpisodes.get(update.hash) ?? 0) >= episode.n) return;
    const introducedBy = await this.#introducer({
      ...update,
      firstSeen: episode.start,
      producer: episode.producer,
    });
    if (introducedBy !== undefined) {
      const result = await this.#graph.ingestor.recordFailureSignature({
        hash: update.hash,
        introducedBy,
      });
      if (!result.ok) {
        this.#logger.warn(
          { hash: update.hash, code: result.code, episode: episode.n },
          'failure signature episode rejected by the ingestor',
        );
        return;
      }
      this.#stats.introduced[introducedBy.confidence ?? 'MEDIUM'] += 1;
      this.#stats.episodes += 1;
    }
    this.#linkedEpisodes.delete(update.hash);
    this.#linkedEpisodes.set(update.hash, episode.n);
    if (this.#linkedEpisodes.size > MAX_LINKED_EPISODES) {
      const oldest = this.#linkedEpisodes.keys().next().value;
      if (oldest !== undefined) this.#linkedEpisodes.delete(oldest);
    }
  }

  async #writeSignature(update: FailureSignatureUpdate): Promise<void> {
    const id = vertexIds.failureSignature(update.hash);
    const existing = await this.#graph.store.getVertex(id);
    // A vertex without reason codes is a stub: the incident manager's CAUSED edge from a signal can
    // create the signature vertex before this writer runs. It still needs its details and the
    // INTRODUCED link, so it is written as new.
    if (existing === undefined || existing.properties.reasonCodes === undefined) {
      const introducedBy = await this.#introducer(update);
      const record: FailureSignatureRecord = {
        hash: update.hash,
        reasonCodes: update.reasonCodes,
        failedGates: update.failedGates,
        firstSeen: update.firstSeen,
        ...(update.datasetUrn === null ? {} : { datasetUrn: update.datasetUrn }),
        ...(introducedBy === undefined ? {} : { introducedBy }),
      };
      const result = await this.#graph.ingestor.recordFailureSignature(record);
      if (!result.ok) {
        this.#stats.dropped += 1;
        this.#logger.warn(
          { hash: update.hash, code: result.code },
          'failure signature rejected by the ingestor',
        );
        return;
      }
      this.#stats.created += 1;
      if (introducedBy !== undefined)
        this.#stats.introduced[introducedBy.confidence ?? 'MEDIUM'] += 1;
      await this.#graph.store.upsertVertex({
        id,
        label: VERTEX_LABELS.FAILURE_SIGNATURE,
        properties: { count: update.count, lastSeen: update.lastSeen },
      });
      return;
    }
    if (update.isNew) this.#stats.existing += 1;
    const p = existing.properties;
    const properties: Record<string, GraphScalar> = {};
    const count = num(p.count);
    const lastSeen = num(p.lastSeen);
    const firstSeen = num(p.firstSeen);
    if (count === undefined || update.count > count) properties.count = update.count;
    if (lastSeen === undefined || update.lastSeen > lastSeen) properties.lastSeen = update.lastSeen;
    if (firstSeen === undefined || update.firstSeen < firstSeen)
      properties.firstSeen = update.firstSeen;
    if (Object.keys(properties).length === 0) return;
    await this.#graph.store.upsertVertex({ id, label: existing.label, properties });
    this.#stats.refreshed += 1;
  }

  async #introducer(
    update: FailureSignatureUpdate,
  ): Promise<FailureSignatureRecord['introducedBy']> {
    const { service, version } = update.producer;
    if (typeof service !== 'string' || service === '' || service === 'unknown') return undefined;
    let deployment: DeploymentAtResult | undefined;
    if (this.#graph.queries !== undefined) {
      deployment = await this.#graph.queries.deploymentAt(
        service,
        update.firstSeen,
        this.#environment === undefined ? {} : { environment: this.#environment },
      );
    }
    const env = (d: DeploymentAtResult): { environment?: string } =>
      d.environment === undefined ? {} : { environment: d.environment };
    if (deployment !== undefined && deployment.version !== '') {
      if (version === undefined) {
        // Only the time says which deployment ran: MEDIUM.
        return { service, version: deployment.version, ...env(deployment), confidence: 'MEDIUM' };
      }
      if (deployment.version === version) {
        // The failing records name the version that the deployment events say was live: HIGH.
        return { service, version, ...env(deployment), confidence: 'HIGH' };
      }
    }
    if (version !== undefined && this.#linkUnregistered) {
      return {
        service,
        version,
        ...(this.#environment === undefined ? {} : { environment: this.#environment }),
        confidence: 'LOW',
      };
    }
    return undefined;
  }
}
