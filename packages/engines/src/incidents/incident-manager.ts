import { randomBytes } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import type {
  Incident,
  IncidentSeverity,
  ProbableCauseKind,
  Signal,
  Subscription,
} from '@signal-factory/core';
import {
  checkSignal,
  isDatasetUrn,
  safeLogger,
  tryParseReasonCode,
  type Logger,
} from '@signal-factory/core';
import { EDGE_LABELS, vertexIds } from '@signal-factory/lineage';
import type { AlertRouter } from '../alerting/alert-router';
import type { Alert, IncidentTransition } from '../alerting/types';
import { INCIDENT_ERROR_CODES, incidentError } from './errors';
import { IncidentRepository, isConditionFailed, type CauseClaim } from './incident-repository';
import { checkIncidentManagerOptions, type IncidentManagerOptions } from './options';
import { DEFAULT_SEVERITY_TABLE, severityFor, worseSeverity, type SeverityTable } from './severity';
import {
  INCIDENT_TRANSITION_HEADER,
  INCIDENTS_GROUP_ID,
  INCIDENTS_TOPIC,
  SIGNALS_TOPIC,
  type HandleSignalResult,
  type IncidentChange,
  type IncidentDatasetInfo,
  type IncidentLineage,
  type IncidentManagerStats,
} from './types';

type JoinRule = NonNullable<HandleSignalResult['joined_by']>;
interface GroupKey {
  rule: 'failure_signature' | 'deployment' | 'dataset';
  key: string;
}
interface Context {
  signal: Signal;
  now: number;
  severity: IncidentSeverity;
  team: string;
  keys: GroupKey[];
  cause: { kind: ProbableCauseKind; ref?: string };
}

const MAX_MEMBER_FIELDS = 32;

/**
 * The fields a signal's bad records fail on, from its reason codes: `MISSING_FIELD:total=416;…`
 * (contract), `MISSING_FIELD:total,TYPE_MISMATCH:amount` (breaking drift),
 * `CONSTRAINT_VIOLATION:email=12` (data quality).
 */
function failingFields(signal: Signal): string[] {
  const m = signal.metrics ?? {};
  const out = new Set<string>();
  for (const text of [m.reason_codes, m.breaking_reason_codes]) {
    if (typeof text !== 'string' || text === '') continue;
    for (const entry of text.split(/[;,]/)) {
      const path = tryParseReasonCode(entry.split('=')[0])?.path;
      if (path !== undefined) out.add(path);
      if (out.size >= MAX_MEMBER_FIELDS) break;
    }
  }
  return [...out].sort();
}

/** Signals of missing data: a stall upstream can cause them, a deployment only by its timing. */
const ABSENCE: ReadonlySet<string> = new Set(['FRESHNESS', 'VOLUME']);
const CAUSE_RANK: Record<ProbableCauseKind, number> = {
  unknown: 0,
  stall: 1,
  upstream_dataset: 2,
  deployment: 3,
  failure_signature: 4,
};
/** Every published lifecycle change: `{ transition, incident, signal_id?, auto? }`. */
const changeChannel = channel('signal-factory:incidents:change');
// A claim whose incident is not written yet belongs to an instance that is creating it.
const CLAIM_GRACE_MS = 30_000;
const MAX_SIGNAL_IDS = 1_024;
const MAX_DATASETS = 256;
const MAX_CHANNELS = 32;
const iso = (ms: number): string => new Date(ms).toISOString();
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

function defaultId(now: number): string {
  const stamp = iso(now)
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `inc-${stamp}-${randomBytes(4).toString('hex')}`;
}

/** Slack for a deployment that took effect just after a dataset's last record (clocks, rollout). */
const STALL_DEPLOY_SKEW_MS = 60_000;

/**
 * When the signal's trouble began, to find the deployment current then: its first bad record;
 * for FRESHNESS (no bad record: data stopped) the newest record it saw, or when watching began —
 * so a deployment made while the dataset was already silent is not taken for the cause.
 */
function referenceTime(signal: Signal): number {
  const emitted = Date.parse(signal.emitted_at);
  if (signal.signal_type === 'FRESHNESS') {
    const since =
      signal.last_good?.time ??
      (typeof signal.metrics.last_event_time === 'string'
        ? signal.metrics.last_event_time
        : typeof signal.metrics.watching_since === 'string'
          ? signal.metrics.watching_since
          : undefined);
    const ms = since === undefined ? Number.NaN : Date.parse(since);
    if (!Number.isNaN(ms)) return Math.min(emitted, ms + STALL_DEPLOY_SKEW_MS);
  }
  return Date.parse(signal.first_bad?.time ?? signal.window?.end ?? signal.emitted_at);
}

/**
 * Turns CRITICAL signals into incidents grouped by probable cause, runs their lifecycle
 * (OPEN → ACKNOWLEDGED → RESOLVED, auto-resolve, reopen within the dedup window), persists them in
 * `IncidentIndex` with conditional writes, publishes every change, writes the graph and routes
 * alerts. See docs/incidents-and-alerting.md for the rules.
 */
export class IncidentManager {
  readonly #repo: IncidentRepository;
  readonly #options: IncidentManagerOptions;
  readonly #lineage: IncidentLineage;
  readonly #severityTable: SeverityTable;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #alerts: AlertRouter | undefined;
  readonly #autoResolveAfterMs: number;
  readonly #dedupWindowMs: number;
  readonly #lineageDepth: number;
  readonly #suspectWindowMs: number;
  readonly #active = new Set<string>();
  readonly #stats: IncidentManagerStats = {
    signals: 0,
    invalid: 0,
    opened: 0,
    joined: 0,
    reopened: 0,
    escalated: 0,
    acknowledged: 0,
    resolved: 0,
    autoResolved: 0,
    duplicates: 0,
    conflicts: 0,
    publishFailures: 0,
    graphFailures: 0,
    alertFailures: 0,
    lookupFailures: 0,
  };
  #queue: Promise<unknown> = Promise.resolve();
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastRescan = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(options: IncidentManagerOptions) {
    checkIncidentManagerOptions(options);
    this.#options = options;
    this.#repo = new IncidentRepository(
      options.store,
      options.table ?? 'IncidentIndex',
      options.maxWriteAttempts ?? 8,
    );
    this.#lineage = options.lineage ?? {};
    this.#severityTable = { ...DEFAULT_SEVERITY_TABLE, ...options.severityTable } as SeverityTable;
    this.#now = options.now ?? Date.now;
    this.#logger = safeLogger(options.logger);
    this.#alerts = options.alerts;
    this.#autoResolveAfterMs = options.autoResolveAfterMs ?? 900_000;
    this.#dedupWindowMs = options.dedupWindowMs ?? 300_000;
    this.#lineageDepth = options.lineageDepth ?? 2;
    this.#suspectWindowMs = options.deploymentSuspectWindowMs ?? 900_000;
  }

  /**
   * `handleSignal` shaped as the runtime's `SignalSink`:
   * `createEngineRuntime({ …, signalSink: incidents.signalSink })`.
   */
  readonly signalSink = async (signal: Signal): Promise<void> => {
    await this.handleSignal(signal);
  };

  /**
   * Handles one Signal v1 (any state). CRITICAL opens or joins an incident; OK and WARNING update
   * the incidents the dataset is in (and may auto-resolve them). Invalid input is counted and
   * ignored, never thrown; store failures reject (the caller retries, handling is idempotent).
   */
  handleSignal(signal: unknown): Promise<HandleSignalResult> {
    return this.#serial(async () => {
      if (this.#closed)
        throw incidentError(INCIDENT_ERROR_CODES.CLOSED, 'The incident manager is closed');
      this.#stats.signals += 1;
      const checked = checkSignal(signal);
      if (!checked.valid) {
        this.#stats.invalid += 1;
        this.#logger.warn({ problems: checked.problems.slice(0, 5) }, 'invalid signal ignored');
        return { action: 'ignored', reason: 'invalid' };
      }
      const valid = checked.value;
      const now = this.#now();
      return valid.state === 'CRITICAL'
        ? this.#onCritical(valid, now)
        : this.#onRecovery(valid, now);
    });
  }

  /** OPEN → ACKNOWLEDGED. @throws `SF_ERR_INCIDENT_NOT_FOUND`, `SF_ERR_INCIDENT_TRANSITION_INVALID`. */
  async acknowledge(incidentId: string): Promise<Incident> {
    const now = this.#now();
    const incident = await this.#transition(incidentId, 'ACKNOWLEDGED', (inc) => {
      inc.status = 'ACKNOWLEDGED';
      inc.acknowledged_at = iso(now);
      inc.updated_at = iso(now);
    });
    this.#stats.acknowledged += 1;
    await this.#emit({ transition: 'acknowledged', incident });
    return incident;
  }

  /** OPEN or ACKNOWLEDGED → RESOLVED. @throws `SF_ERR_INCIDENT_NOT_FOUND`, `SF_ERR_INCIDENT_TRANSITION_INVALID`. */
  async resolve(incidentId: string): Promise<Incident> {
    const incident = await this.#resolve(incidentId, this.#now(), false, true);
    return incident as Incident;
  }

  /** The stored incident, or undefined. */
  async get(incidentId: string): Promise<Incident | undefined> {
    return (await this.#repo.getIncident(incidentId))?.incident;
  }

  /** Newest incidents first (from the listing partition), optionally only some statuses. */
  async list(options: { limit?: number; status?: Incident['status'][] } = {}): Promise<Incident[]> {
    const items = await this.#repo.listIncidents(options.limit ?? 100);
    const out: Incident[] = [];
    for (const item of items) {
      const status = item.data.status as Incident['status'];
      if (options.status !== undefined && !options.status.includes(status)) continue;
      const got = await this.#repo.getIncident(String(item.data.incident_id));
      if (got !== undefined) out.push(got.incident);
    }
    return out;
  }

  /**
   * Auto-resolves incidents whose signals have all been OK for `autoResolveAfterMs`, picks up
   * incidents opened by other instances, and lets the alert router close a storm. Runs on the
   * timer of `start()`; tests and the simulator call it after moving the clock.
   */
  tick(): Promise<{ autoResolved: string[] }> {
    return this.#serial(async () => {
      const now = this.#now();
      if (now - this.#lastRescan >= 60_000) {
        this.#lastRescan = now;
        try {
          for (const item of await this.#repo.listIncidents(500)) {
            if (item.data.status !== 'RESOLVED') this.#active.add(String(item.data.incident_id));
          }
        } catch (error) {
          this.#stats.lookupFailures += 1;
          this.#logger.warn({ error }, 'incident listing failed');
        }
      }
      const autoResolved: string[] = [];
      for (const id of [...this.#active]) {
        try {
          const got = await this.#repo.getIncident(id);
          if (got === undefined || got.incident.status === 'RESOLVED') {
            this.#active.delete(id);
            continue;
          }
          if (await this.#maybeAutoResolve(id, now)) autoResolved.push(id);
        } catch (error) {
          this.#logger.warn({ error, incidentId: id }, 'auto-resolve check failed');
        }
      }
      if (this.#alerts !== undefined) {
        try {
          await this.#alerts.tick();
        } catch (error) {
          this.#stats.alertFailures += 1;
          this.#logger.warn({ error }, 'alert router tick failed');
        }
      }
      return { autoResolved };
    });
  }

  /**
   * Subscribes to `signalsTopic` in group `groupId` (when a bus is configured) and starts the tick
   * timer. Returns once subscribed.
   */
  async start(): Promise<void> {
    if (this.#closed)
      throw incidentError(INCIDENT_ERROR_CODES.CLOSED, 'The incident manager is closed');
    const bus = this.#options.bus;
    if (bus !== undefined && this.#subscription === undefined) {
      const topic = this.#options.signalsTopic ?? SIGNALS_TOPIC;
      await bus.ensureTopic(topic);
      await bus.ensureTopic(this.#options.incidentsTopic ?? INCIDENTS_TOPIC);
      this.#subscription = await bus.subscribe(
        { groupId: this.#options.groupId ?? INCIDENTS_GROUP_ID, topics: [topic] },
        async (batch) => {
          for (const message of batch) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(message.value);
            } catch {
              this.#stats.signals += 1;
              this.#stats.invalid += 1;
              this.#logger.warn(
                { topic: message.topic, offset: message.offset },
                'signal is not JSON',
              );
              continue;
            }
            await this.handleSignal(parsed);
          }
        },
      );
    }
    const interval = this.#options.tickIntervalMs ?? 10_000;
    if (interval > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => {
        this.tick().catch((error: unknown) => this.#logger.warn({ error }, 'incident tick failed'));
      }, interval);
      this.#timer.unref();
    }
  }

  /** Stops the consumer and the timer and waits for work in flight; idempotent. Does not close the ports. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.close();
    await this.#queue.catch(() => undefined);
  }

  /** Totals since creation (a copy). */
  stats(): IncidentManagerStats {
    return { ...this.#stats };
  }

  // ---------------------------------------------------------------------------------------------

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #info(urn: string): Promise<IncidentDatasetInfo> {
    const callback = this.#options.datasetInfo;
    if (callback === undefined) return {};
    try {
      return (await callback(urn)) ?? {};
    } catch (error) {
      this.#stats.lookupFailures += 1;
      this.#logger.warn({ error, datasetUrn: urn }, 'datasetInfo failed; using defaults');
      return {};
    }
  }

  async #onCritical(signal: Signal, now: number): Promise<HandleSignalResult> {
    const info = await this.#info(signal.dataset_urn);
    const tier = info.tier ?? this.#options.defaultTier ?? 2;
    const severity = severityFor(signal.signal_type, tier, this.#severityTable);
    const deployment = await this.#deploymentOf(signal, info);
    const keys: GroupKey[] = [];
    for (const id of [...new Set(signal.failure_signature_ids)]) {
      keys.push({ rule: 'failure_signature', key: `failure_signature:${id}` });
    }
    if (deployment !== undefined)
      keys.push({ rule: 'deployment', key: `deployment:${deployment.ref}` });
    keys.push({ rule: 'dataset', key: `dataset:${signal.dataset_urn}` });

    let cause: Context['cause'];
    const firstSignature = signal.failure_signature_ids[0];
    if (firstSignature !== undefined) cause = { kind: 'failure_signature', ref: firstSignature };
    else if (
      deployment?.deployedAt !== undefined &&
      deployment.at >= deployment.deployedAt &&
      deployment.at - deployment.deployedAt <= this.#suspectWindowMs
    )
      cause = { kind: 'deployment', ref: deployment.ref };
    else if (signal.signal_type === 'FRESHNESS') cause = { kind: 'stall', ref: signal.dataset_urn };
    else cause = { kind: 'unknown' };

    const ctx: Context = { signal, now, severity, team: info.team ?? 'default', keys, cause };
    // Signature keys are all looked up first: one nobody holds yet is a new break.
    const holders = new Map<string, string | undefined>();
    for (const key of keys)
      if (key.rule === 'failure_signature')
        holders.set(key.key, await this.#liveHolder(key.key, now));
    const newSignature = [...holders.values()].some((holder) => holder === undefined);
    for (const key of keys) {
      const holder = holders.has(key.key)
        ? holders.get(key.key)
        : await this.#liveHolder(key.key, now);
      if (holder === undefined) continue;
      // A dataset already in an incident can break anew: its own producer's fresh deploy
      // failing other fields (a new failure signature, next to the old one it may still carry)
      // is another incident, and another team's page.
      if (
        (key.rule === 'dataset' || (key.rule === 'failure_signature' && newSignature)) &&
        (await this.#explaining(holder, signal, deployment, 'same')) === undefined
      ) {
        ctx.keys = ctx.keys.filter((k) => k !== key);
        continue;
      }
      return this.#join(holder, ctx, key.rule);
    }
    const related = await this.#relatedIncident(signal, now, deployment);
    if (related !== undefined) return this.#join(related.id, ctx, related.rule);
    return this.#open(ctx);
  }

  async #deploymentOf(
    signal: Signal,
    info: IncidentDatasetInfo,
  ): Promise<{ ref: string; deployedAt?: number; at: number } | undefined> {
    const service = signal.producer?.service ?? info.producerService;
    if (service === undefined || service === '') return undefined;
    const at = referenceTime(signal);
    let found: Awaited<ReturnType<NonNullable<IncidentLineage['queries']>['deploymentAt']>>;
    const queries = this.#lineage.queries;
    if (queries !== undefined && Number.isFinite(at)) {
      try {
        found = await queries.deploymentAt(service, at);
      } catch (error) {
        this.#stats.lookupFailures += 1;
        this.#logger.warn({ error, service }, 'deployment lookup failed');
      }
    }
    const version = signal.producer?.version;
    try {
      if (
        version !== undefined &&
        version !== '' &&
        (found === undefined || found.version !== version)
      ) {
        // The records name a version that was not live at the reference time (a CRITICAL
        // signal going on from an earlier break): when it went live is still worth knowing.
        const ref = vertexIds.deployment(service, version);
        const end = Date.parse(signal.window?.end ?? signal.emitted_at);
        if (queries !== undefined && Number.isFinite(end) && end > at) {
          const later = await queries.deploymentAt(service, end).catch(() => undefined);
          if (later?.version === version && later.deployedAt !== undefined)
            return { ref, deployedAt: later.deployedAt, at };
        }
        return { ref, at };
      }
    } catch {
      return undefined; // a service or version the graph cannot name
    }
    return found === undefined
      ? undefined
      : { ref: found.deploymentId, deployedAt: found.deployedAt, at };
  }

  /** The incident holding a grouping key, when it is open or resolved within the dedup window. */
  async #liveHolder(key: string, now: number): Promise<string | undefined> {
    const got = await this.#repo.getClaim(key);
    if (got === undefined) return undefined;
    return (await this.#isLive(got.claim, now)) ? got.claim.incident_id : undefined;
  }

  async #isLive(claim: CauseClaim, now: number): Promise<boolean> {
    const got = await this.#repo.getIncident(claim.incident_id);
    if (got === undefined) return now - claim.claimed_at < CLAIM_GRACE_MS;
    return this.#isLiveIncident(got.incident, now);
  }

  #isLiveIncident(incident: Incident, now: number): boolean {
    if (incident.status !== 'RESOLVED') return true;
    const resolvedAt = Date.parse(incident.resolved_at ?? '');
    return Number.isFinite(resolvedAt) && now - resolvedAt < this.#dedupWindowMs;
  }

  /** Claims `key` for `incidentId` unless a live incident holds it (then returns that one). */
  async #claim(key: string, incidentId: string, now: number): Promise<string | undefined> {
    const attempts = this.#options.maxWriteAttempts ?? 8;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const existing = await this.#repo.getClaim(key);
      if (existing?.claim.incident_id === incidentId) return undefined;
      if (existing !== undefined && (await this.#isLive(existing.claim, now)))
        return existing.claim.incident_id;
      try {
        await this.#repo.putClaim(
          key,
          { incident_id: incidentId, claimed_at: now },
          existing?.version ?? 0,
        );
        return undefined;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        this.#stats.conflicts += 1;
      }
    }
    throw incidentError(INCIDENT_ERROR_CODES.CONFLICT, `Could not claim ${key}`, {
      retriable: true,
      details: { key },
    });
  }

  /** An open (or just-resolved) incident of a dataset upstream or downstream through lineage. */
  async #relatedIncident(
    signal: Signal,
    now: number,
    deployment: { ref: string; deployedAt?: number } | undefined,
  ): Promise<{ id: string; rule: JoinRule } | undefined> {
    const urn = signal.dataset_urn;
    const { queries, store } = this.#lineage;
    if (this.#lineageDepth === 0 || queries === undefined) return undefined;
    try {
      if (store !== undefined) {
        const seen = new Set([urn]);
        let frontier = [urn];
        for (let depth = 1; depth <= this.#lineageDepth && frontier.length > 0; depth++) {
          const next: string[] = [];
          for (const dataset of frontier) {
            for (const writer of await queries.writersOf(dataset)) {
              if (writer.label !== 'Job') continue;
              const reads = await store.edges(writer.id, {
                direction: 'out',
                labels: [EDGE_LABELS.READS],
                limit: 1_000,
              });
              for (const edge of reads) {
                if (seen.has(edge.to) || !isDatasetUrn(edge.to)) continue;
                seen.add(edge.to);
                next.push(edge.to);
              }
            }
          }
          // Of several upstream incidents at one distance, the newest is the likeliest cause of
          // a break that is starting now (an older one had time to reach this dataset already).
          let best: { id: string; openedAt: number } | undefined;
          for (const upstream of next.sort()) {
            const id = await this.#liveDatasetIncident(upstream, now);
            if (id === undefined || id === best?.id) continue;
            const incident = await this.#explaining(id, signal, deployment, 'upstream');
            if (incident === undefined) continue;
            const openedAt = Date.parse(incident.opened_at);
            if (best === undefined || openedAt > best.openedAt) best = { id, openedAt };
          }
          if (best !== undefined) return { id: best.id, rule: 'upstream_dataset' };
          frontier = next;
        }
      }
      const downstream = await queries.blastRadius(
        { dataset: urn },
        { maxDepth: this.#lineageDepth, limit: 500 },
      );
      for (const hit of downstream.hits) {
        if (hit.label !== 'Dataset' || !isDatasetUrn(hit.id)) continue;
        const id = await this.#liveDatasetIncident(hit.id, now);
        if (id !== undefined && (await this.#explaining(id, signal, deployment, 'downstream')))
          return { id, rule: 'downstream_dataset' };
      }
    } catch (error) {
      this.#stats.lookupFailures += 1;
      this.#logger.warn({ error, datasetUrn: urn }, 'lineage look-up failed; grouping without it');
    }
    return undefined;
  }

  /**
   * The incident of a dataset related by lineage, when it can share a cause with this signal.
   * Bad records (a signal with failure signatures) can come from bad data upstream, never from an
   * upstream stall, which can only starve this dataset; and bad records whose producer deployed
   * after the related incident opened are a break of their own (its team must be paged, its
   * deployment named), not a consequence of it. Absence signals (freshness, volume) may follow
   * either.
   */
  async #explaining(
    incidentId: string,
    signal: Signal,
    deployment: { ref: string; deployedAt?: number } | undefined,
    direction: 'upstream' | 'downstream' | 'same',
  ): Promise<Incident | undefined> {
    const found = await this.#repo.getIncident(incidentId);
    if (found === undefined) return undefined;
    const incident = found.incident;
    if (signal.failure_signature_ids.length === 0) return incident;
    if (direction === 'upstream' && incident.probable_cause.kind === 'stall') return undefined;
    const deployedSince =
      deployment?.deployedAt !== undefined &&
      deployment.deployedAt > Date.parse(incident.opened_at) &&
      incident.probable_cause.ref !== deployment.ref;
    if (!deployedSince) return incident;
    // The dataset's own incident (it opened it and nothing upstream explains it) takes its next
    // break too, whatever the fields: only a dataset that is in an incident as a consequence of
    // another one is paged anew for a break of its own.
    if (direction === 'same') {
      const cause = incident.probable_cause;
      const own =
        cause.kind === 'upstream_dataset'
          ? cause.ref === signal.dataset_urn
          : incident.dataset_urns[0] === signal.dataset_urn;
      if (own) return incident;
    }
    // Deployed since, but failing only on fields the incident already has broken: the deploy
    // is a bystander and the records carry the incident's own break (a job copying it along).
    // Only downstream of the incident (or in it): upstream, a shared field is this break's
    // consequence down there, not its cause.
    const mine = failingFields(signal);
    if (direction === 'downstream' || mine.length === 0) return undefined;
    const theirs = new Set<string>();
    for (const member of await this.#repo.getMembers(incidentId))
      for (const field of member.fields ?? []) theirs.add(field);
    return mine.every((f) => theirs.has(f)) ? incident : undefined;
  }

  async #liveDatasetIncident(urn: string, now: number): Promise<string | undefined> {
    for (const ref of await this.#repo.datasetIncidents(urn, 5)) {
      const got = await this.#repo.getIncident(ref.incident_id);
      if (got !== undefined && this.#isLiveIncident(got.incident, now)) return ref.incident_id;
    }
    return undefined;
  }

  async #open(ctx: Context): Promise<HandleSignalResult> {
    const { signal, now } = ctx;
    const id = this.#options.newId?.() ?? defaultId(now);
    for (const key of ctx.keys) {
      const holder = await this.#claim(key.key, id, now);
      if (holder !== undefined) {
        // Lost a race to another instance: hand our claims to the winner and join it.
        return this.#join(holder, ctx, key.rule, id);
      }
    }
    const channels =
      this.#alerts?.routeFor({ team: ctx.team, severity: ctx.severity, kind: 'opened' }) ?? [];
    const title = `${signal.signal_type} CRITICAL on ${signal.dataset_urn}: ${signal.reason}`.slice(
      0,
      300,
    );
    const incident: Incident = {
      schema_version: 'incident/v1',
      incident_id: id,
      status: 'OPEN',
      severity: ctx.severity,
      title,
      dataset_urns: [signal.dataset_urn],
      signal_ids: [signal.signal_id],
      probable_cause: ctx.cause,
      opened_at: iso(now),
      updated_at: iso(now),
      route: { team: ctx.team, channels: channels.slice(0, MAX_CHANNELS) },
    };
    const fields = failingFields(signal);
    await this.#repo.mutateMember(id, signal.dataset_urn, signal.signal_type, () => ({
      dataset_urn: signal.dataset_urn,
      signal_type: signal.signal_type,
      state: 'CRITICAL',
      since: now,
      signal_id: signal.signal_id,
      ...(fields.length > 0 ? { fields } : {}),
    }));
    await this.#repo.createIncident(incident);
    await this.#repo.writeIndexes(incident);
    this.#active.add(id);
    this.#stats.opened += 1;
    await this.#emit({ transition: 'opened', incident, signal_id: signal.signal_id }, signal);
    return { action: 'opened', incident_id: id };
  }

  async #join(
    incidentId: string,
    ctx: Context,
    rule: JoinRule,
    abandonedId?: string,
  ): Promise<HandleSignalResult> {
    const { signal, now } = ctx;
    // The holder may be mid-creation on another instance: give it a moment to land.
    let exists = (await this.#repo.getIncident(incidentId)) !== undefined;
    for (let i = 0; i < 40 && !exists; i++) {
      await sleep(25);
      exists = (await this.#repo.getIncident(incidentId)) !== undefined;
    }
    if (!exists) throw vanished(incidentId);
    const before = await this.#repo.mutateMember(
      incidentId,
      signal.dataset_urn,
      signal.signal_type,
      (member) => {
        if (member?.signal_id === signal.signal_id) return undefined;
        const fields = [...new Set([...(member?.fields ?? []), ...failingFields(signal)])].slice(
          0,
          MAX_MEMBER_FIELDS,
        );
        return {
          dataset_urn: signal.dataset_urn,
          signal_type: signal.signal_type,
          state: 'CRITICAL',
          since: member?.state === 'CRITICAL' ? member.since : now,
          signal_id: signal.signal_id,
          ...(fields.length > 0 ? { fields } : {}),
        };
      },
    );
    const memberWasCritical = before?.state === 'CRITICAL';
    // An incident of missing data only (freshness, volume) blamed on a deployment by its timing:
    // a stall upstream of it, joining now, explains the silence better than a deploy downstream.
    const absenceOnly =
      rule === 'downstream_dataset' &&
      ABSENCE.has(signal.signal_type) &&
      (await this.#repo.getMembers(incidentId)).every(
        (m) => m.dataset_urn === signal.dataset_urn || ABSENCE.has(m.signal_type),
      );
    let transition = 'joined' as 'joined' | 'reopened' | 'escalated';
    const result = await this.#repo.mutateIncident(incidentId, (inc) => {
      transition = 'joined';
      if (inc.signal_ids.includes(signal.signal_id)) return undefined;
      const reopen = inc.status === 'RESOLVED';
      if (!reopen && memberWasCritical && inc.dataset_urns.includes(signal.dataset_urn))
        return undefined;
      if (reopen) {
        inc.status = 'OPEN';
        delete inc.resolved_at;
        delete inc.acknowledged_at;
        transition = 'reopened';
      }
      if (inc.signal_ids.length < MAX_SIGNAL_IDS) inc.signal_ids.push(signal.signal_id);
      if (!inc.dataset_urns.includes(signal.dataset_urn) && inc.dataset_urns.length < MAX_DATASETS)
        inc.dataset_urns.push(signal.dataset_urn);
      const severity = worseSeverity(inc.severity, ctx.severity);
      if (severity !== inc.severity) {
        inc.severity = severity;
        if (transition === 'joined') transition = 'escalated';
        if (this.#alerts !== undefined && inc.route !== undefined) {
          const more = this.#alerts.routeFor({ team: inc.route.team, severity, kind: 'escalated' });
          inc.route.channels = [...new Set([...inc.route.channels, ...more])].slice(
            0,
            MAX_CHANNELS,
          );
        }
      }
      const currentRank = CAUSE_RANK[inc.probable_cause.kind];
      if (
        rule === 'downstream_dataset' &&
        (currentRank <= CAUSE_RANK.stall ||
          (absenceOnly && inc.probable_cause.kind === 'deployment'))
      ) {
        // The new signal sits upstream of what the incident had: it is the better explanation.
        inc.probable_cause = { kind: 'upstream_dataset', ref: signal.dataset_urn };
      } else if (
        rule !== 'upstream_dataset' &&
        (rule !== 'dataset' || signal.dataset_urn === inc.dataset_urns[0]) &&
        currentRank <= CAUSE_RANK.stall &&
        CAUSE_RANK[ctx.cause.kind] > currentRank
      ) {
        // (a signal downstream of the incident is a consequence: it never explains it, nor does
        // a later signal of a dataset that joined as one — it joins by its dataset then)
        inc.probable_cause = ctx.cause;
      }
      inc.updated_at = iso(now);
      return inc;
    });
    if (result === undefined) throw vanished(incidentId);
    // Point this signal's grouping keys (and any claimed for an abandoned id) at the incident. A
    // consequence of an upstream incident claims its dataset only: its deployment and signatures
    // are not this incident's cause, and must not become it through a later signal.
    const keys =
      rule === 'upstream_dataset' ? ctx.keys.filter((k) => k.rule === 'dataset') : ctx.keys;
    for (const key of keys) {
      try {
        await this.#claimFor(key.key, incidentId, now, abandonedId);
      } catch (error) {
        this.#logger.debug({ error, key: key.key }, 'grouping key not claimed');
      }
    }
    if (!result.changed) {
      this.#stats.duplicates += 1;
      return {
        action: result.before.signal_ids.includes(signal.signal_id) ? 'duplicate' : 'updated',
        incident_id: incidentId,
        joined_by: rule,
      };
    }
    const incident = result.after;
    // A join rewrites the per-dataset item of the joining dataset only; a status change, all.
    const statusChanged = result.before.status !== incident.status;
    const touched = incident.dataset_urns.includes(signal.dataset_urn) ? [signal.dataset_urn] : [];
    await this.#repo.writeIndexes(incident, statusChanged ? incident.dataset_urns : touched);
    this.#active.add(incidentId);
    if (transition === 'reopened') this.#stats.reopened += 1;
    else if (transition === 'escalated') this.#stats.escalated += 1;
    else this.#stats.joined += 1;
    await this.#emit({ transition, incident, signal_id: signal.signal_id }, signal);
    return { action: transition, incident_id: incidentId, joined_by: rule };
  }

  /** Claims a key for a joined incident: when free, stale, or held by our abandoned id. */
  async #claimFor(
    key: string,
    incidentId: string,
    now: number,
    abandonedId: string | undefined,
  ): Promise<void> {
    const existing = await this.#repo.getClaim(key);
    if (existing?.claim.incident_id === incidentId) return;
    if (
      existing !== undefined &&
      existing.claim.incident_id !== abandonedId &&
      (await this.#isLive(existing.claim, now))
    )
      return;
    await this.#repo.putClaim(
      key,
      { incident_id: incidentId, claimed_at: now },
      existing?.version ?? 0,
    );
  }

  async #onRecovery(signal: Signal, now: number): Promise<HandleSignalResult> {
    let touched: string | undefined;
    for (const ref of await this.#repo.datasetIncidents(signal.dataset_urn, 20)) {
      // Members of an incident resolved within the dedup window are still tracked: it may reopen.
      if (ref.status === 'RESOLVED') {
        const resolvedAt = Date.parse(ref.resolved_at ?? '');
        if (!Number.isFinite(resolvedAt) || now - resolvedAt >= this.#dedupWindowMs) continue;
      }
      let changed = false;
      await this.#repo.mutateMember(
        ref.incident_id,
        signal.dataset_urn,
        signal.signal_type,
        (member) => {
          changed = member !== undefined && member.state !== signal.state;
          if (member === undefined || !changed) return undefined;
          return { ...member, state: signal.state, since: now, signal_id: signal.signal_id };
        },
      );
      if (!changed) continue;
      touched ??= ref.incident_id;
      if (ref.status === 'RESOLVED') continue;
      this.#active.add(ref.incident_id);
      await this.#maybeAutoResolve(ref.incident_id, now);
    }
    return touched === undefined
      ? { action: 'ignored', reason: 'not_critical' }
      : { action: 'recovered', incident_id: touched };
  }

  async #maybeAutoResolve(incidentId: string, now: number): Promise<boolean> {
    const members = await this.#repo.getMembers(incidentId);
    if (members.length === 0 || members.some((m) => m.state !== 'OK')) return false;
    const okSince = Math.max(...members.map((m) => m.since));
    if (now - okSince < this.#autoResolveAfterMs) return false;
    return (await this.#resolve(incidentId, now, true, false)) !== undefined;
  }

  async #resolve(
    incidentId: string,
    now: number,
    auto: boolean,
    strict: boolean,
  ): Promise<Incident | undefined> {
    let skipped = false;
    const result = await this.#repo.mutateIncident(incidentId, (inc) => {
      skipped = false;
      if (inc.status === 'RESOLVED') {
        if (strict) throw transitionError(incidentId, inc.status, 'RESOLVED');
        skipped = true;
        return undefined;
      }
      inc.status = 'RESOLVED';
      inc.resolved_at = iso(now);
      inc.updated_at = iso(now);
      return inc;
    });
    if (result === undefined) throw notFound(incidentId);
    if (skipped) return undefined;
    await this.#repo.writeIndexes(result.after);
    this.#active.delete(incidentId);
    this.#stats.resolved += 1;
    if (auto) this.#stats.autoResolved += 1;
    await this.#emit({ transition: 'resolved', incident: result.after, ...(auto ? { auto } : {}) });
    return result.after;
  }

  async #transition(
    incidentId: string,
    to: 'ACKNOWLEDGED',
    apply: (incident: Incident) => void,
  ): Promise<Incident> {
    const result = await this.#repo.mutateIncident(incidentId, (inc) => {
      if (inc.status !== 'OPEN') throw transitionError(incidentId, inc.status, to);
      apply(inc);
      return inc;
    });
    if (result === undefined) throw notFound(incidentId);
    await this.#repo.writeIndexes(result.after);
    return result.after;
  }

  /** Graph first (readers follow the topic into the graph), then the topic, alerts, the hook. */
  async #emit(change: IncidentChange, signal?: Signal): Promise<void> {
    const { incident } = change;
    const ingestor = this.#lineage.ingestor;
    if (ingestor !== undefined) {
      try {
        if (signal !== undefined) {
          const windowStart =
            signal.window === undefined ? undefined : Date.parse(signal.window.start);
          const recorded = await ingestor.recordSignal({
            id: signal.signal_id,
            type: signal.signal_type,
            state: signal.state,
            datasetUrn: signal.dataset_urn,
            ...(windowStart === undefined ? {} : { windowStart }),
            causedBy: signal.failure_signature_ids,
          });
          if (!recorded.ok) throw new Error(`recordSignal rejected: ${recorded.code}`);
        }
        const recorded = await ingestor.recordIncident({
          id: incident.incident_id,
          severity: incident.severity,
          status: incident.status,
          openedAt: Date.parse(incident.opened_at),
          signals: signal === undefined ? [] : [signal.signal_id],
        });
        if (!recorded.ok) throw new Error(`recordIncident rejected: ${recorded.code}`);
      } catch (error) {
        this.#stats.graphFailures += 1;
        this.#logger.warn({ error, incidentId: incident.incident_id }, 'graph write failed');
      }
    }
    const bus = this.#options.bus;
    if (bus !== undefined) {
      try {
        await bus.publish(this.#options.incidentsTopic ?? INCIDENTS_TOPIC, [
          {
            key: incident.incident_id,
            value: JSON.stringify(incident),
            headers: { [INCIDENT_TRANSITION_HEADER]: change.transition },
          },
        ]);
      } catch (error) {
        this.#stats.publishFailures += 1;
        this.#logger.warn({ error, incidentId: incident.incident_id }, 'incident publish failed');
      }
    }
    if (this.#alerts !== undefined && change.transition !== 'joined') {
      try {
        const result = await this.#alerts.dispatch(this.#alertFor(incident, change.transition));
        if (result.status === 'failed' || result.status === 'partial')
          this.#stats.alertFailures += 1;
      } catch (error) {
        this.#stats.alertFailures += 1;
        this.#logger.warn({ error, incidentId: incident.incident_id }, 'alert dispatch failed');
      }
    }
    if (changeChannel.hasSubscribers) changeChannel.publish(change);
    if (this.#options.onChange !== undefined) {
      try {
        await this.#options.onChange(structuredClone(change));
      } catch (error) {
        this.#logger.warn({ error }, 'onChange hook failed');
      }
    }
  }

  #alertFor(incident: Incident, transition: IncidentTransition): Alert {
    const discriminator =
      transition === 'opened'
        ? incident.opened_at
        : transition === 'escalated'
          ? incident.severity
          : transition === 'acknowledged'
            ? (incident.acknowledged_at ?? incident.updated_at)
            : transition === 'resolved'
              ? (incident.resolved_at ?? incident.updated_at)
              : incident.updated_at;
    const linkBase = this.#options.linkBase ?? 'signal-factory://incidents';
    return {
      schema_version: 'alert/v1',
      alert_id: `${incident.incident_id}|${transition}|${discriminator}`,
      kind: transition,
      incident_id: incident.incident_id,
      severity: incident.severity,
      status: incident.status,
      title: incident.title,
      dataset_urns: [...incident.dataset_urns],
      team: incident.route?.team ?? 'default',
      probable_cause: { ...incident.probable_cause },
      link: `${linkBase.replace(/\/+$/, '')}/${encodeURIComponent(incident.incident_id)}`,
      time: incident.updated_at,
    };
  }
}

function vanished(incidentId: string): Error {
  return incidentError(
    INCIDENT_ERROR_CODES.CONFLICT,
    `Incident ${incidentId} is claimed but not written (yet)`,
    { retriable: true, details: { incidentId } },
  );
}

function notFound(incidentId: string): Error {
  return incidentError(INCIDENT_ERROR_CODES.NOT_FOUND, `No incident ${incidentId}`, {
    details: { incidentId },
  });
}

function transitionError(incidentId: string, from: string, to: string): Error {
  return incidentError(
    INCIDENT_ERROR_CODES.TRANSITION_INVALID,
    `Incident ${incidentId} cannot go from ${from} to ${to}`,
    { details: { incidentId, from, to } },
  );
}
