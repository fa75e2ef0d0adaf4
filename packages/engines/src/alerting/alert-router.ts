import { channel } from 'node:diagnostics_channel';
import type { IncidentSeverity, Logger, StateStore } from '@signal-factory/core';
import { isSignalFactoryError, safeLogger } from '@signal-factory/core';
import { ALERT_ERROR_CODES, alertError, type OptionProblem } from './errors';
import type { Alert, AlertKind, AlertSendResult, AlertSink } from './types';

/** One row of the routing table; the first row that matches an alert wins. */
export interface AlertRoute {
  /** Label for logs and stats. Default `route[<index>]`. */
  name?: string;
  /** Teams (dataset owners) this row applies to. Default: every team. */
  teams?: string[];
  /** Severities this row applies to. Default: every severity. */
  severities?: IncidentSeverity[];
  /** Alert kinds this row applies to. Default: every kind. */
  kinds?: AlertKind[];
  /** Names of the sinks that receive the alert (may be empty to drop on purpose). */
  sinks: string[];
}

export interface StormBreakerOptions {
  /** Alerts (after dedup) within `windowMs` that trip the breaker. Default 20. */
  threshold?: number;
  /** Sliding window, ms. Default 60,000. */
  windowMs?: number;
  /** The breaker closes after this long without a collapsed alert, ms. Default 300,000. */
  cooldownMs?: number;
}

export interface AlertRouterOptions {
  /** Every sink the table may name. */
  sinks: AlertSink[];
  /** Routing table by team and severity; first match wins. Default: none (the default route). */
  routes?: AlertRoute[];
  /** Sinks for alerts no row matches, and for storm summaries. Default: no sink (`no_route`). */
  defaultRoute?: { sinks: string[] };
  /** Most alerts sent per team per sliding hour; the rest are suppressed and counted. Default 20. */
  maxAlertsPerHourPerTeam?: number;
  /** Storm breaker settings, or `false` to disable it. Default on with its defaults. */
  storm?: StormBreakerOptions | false;
  /** How long an alert id is remembered for dedup, ms. Default 86,400,000 (24 h). */
  dedupTtlMs?: number;
  /** Most alert ids remembered in memory (oldest dropped first). Default 100,000. */
  maxDedupEntries?: number;
  /**
   * Shares dedup and the per-team budget across instances: each alert id is claimed once in this
   * store (conditional put, `pk: alert#<alert_id>`, `sk: sent`, TTL `dedupTtlMs`), and alerts sent
   * per team are counted per hour (`pk: alert-rate#<team>`, `sk: <hour start ISO>`, conditional
   * increments; the sliding hour is estimated from this hour's and the last hour's counts).
   * Default: in-memory dedup and budget only (each instance has its own).
   */
  dedupStore?: { store: StateStore; table?: string };
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

/** What happened to one alert. */
export type DispatchStatus =
  'sent' | 'partial' | 'failed' | 'duplicate' | 'rate_limited' | 'collapsed' | 'no_route';

export interface DispatchResult {
  alert_id: string;
  status: DispatchStatus;
  /** Sinks the alert was routed to. */
  sinks: string[];
  /** One result per sink the alert was sent to. */
  deliveries: AlertSendResult[];
  /** A storm summary sent while handling this alert (the breaker opened or closed). */
  summary?: DispatchResult;
}

export interface AlertRouterStats {
  dispatched: number;
  byStatus: Record<DispatchStatus, number>;
  stormSummaries: number;
  /** True while the storm breaker is open. */
  stormOpen: boolean;
}

const SEVERITIES: readonly IncidentSeverity[] = ['SEV-1', 'SEV-2', 'SEV-3'];
const KINDS: readonly AlertKind[] = [
  'opened',
  'escalated',
  'reopened',
  'acknowledged',
  'resolved',
  'storm_summary',
];
const HOUR = 3_600_000;
/** Every dispatch outcome: `{ result }` (a storm summary rides in `result.summary`). */
const dispatchChannel = channel('signal-factory:alerting:dispatch');

function problemsOf(options: AlertRouterOptions): OptionProblem[] {
  if (typeof options !== 'object' || options === null) {
    return [{ path: '', message: 'options must be an object' }];
  }
  const problems: OptionProblem[] = [];
  const names = new Set<string>();
  if (!Array.isArray(options.sinks)) {
    problems.push({ path: 'sinks', message: 'must be an array of AlertSink' });
  } else {
    options.sinks.forEach((sink, i) => {
      if (typeof sink?.send !== 'function' || typeof sink.name !== 'string' || sink.name === '') {
        problems.push({ path: `sinks[${i}]`, message: 'must be an AlertSink with a name' });
      } else if (names.has(sink.name)) {
        problems.push({ path: `sinks[${i}].name`, message: `duplicate sink name ${sink.name}` });
      } else names.add(sink.name);
    });
  }
  const checkSinks = (list: unknown, path: string): void => {
    if (!Array.isArray(list)) {
      problems.push({ path, message: 'must be an array of sink names' });
      return;
    }
    list.forEach((name, i) => {
      if (typeof name !== 'string' || !names.has(name)) {
        problems.push({ path: `${path}[${i}]`, message: `names no configured sink` });
      }
    });
  };
  if (options.routes !== undefined) {
    if (!Array.isArray(options.routes))
      problems.push({ path: 'routes', message: 'must be an array' });
    else
      options.routes.forEach((route, i) => {
        const p = `routes[${i}]`;
        if (typeof route !== 'object' || route === null) {
          problems.push({ path: p, message: 'must be an object' });
          return;
        }
        checkSinks(route.sinks, `${p}.sinks`);
        if (
          route.teams !== undefined &&
          (!Array.isArray(route.teams) || route.teams.some((t) => typeof t !== 'string'))
        )
          problems.push({ path: `${p}.teams`, message: 'must be an array of strings' });
        if (
          route.severities !== undefined &&
          (!Array.isArray(route.severities) ||
            route.severities.some((s) => !SEVERITIES.includes(s)))
        )
          problems.push({ path: `${p}.severities`, message: 'must list SEV-1, SEV-2 or SEV-3' });
        if (
          route.kinds !== undefined &&
          (!Array.isArray(route.kinds) || route.kinds.some((k) => !KINDS.includes(k)))
        )
          problems.push({ path: `${p}.kinds`, message: `must list ${KINDS.join(', ')}` });
      });
  }
  if (options.defaultRoute !== undefined)
    checkSinks(options.defaultRoute?.sinks, 'defaultRoute.sinks');
  const positive = (value: unknown, path: string): void => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1))
      problems.push({ path, message: 'must be a positive integer' });
  };
  positive(options.maxAlertsPerHourPerTeam, 'maxAlertsPerHourPerTeam');
  positive(options.dedupTtlMs, 'dedupTtlMs');
  positive(options.maxDedupEntries, 'maxDedupEntries');
  if (options.storm !== undefined && options.storm !== false) {
    if (typeof options.storm !== 'object' || options.storm === null)
      problems.push({ path: 'storm', message: 'must be an object or false' });
    else {
      positive(options.storm.threshold, 'storm.threshold');
      positive(options.storm.windowMs, 'storm.windowMs');
      positive(options.storm.cooldownMs, 'storm.cooldownMs');
    }
  }
  if (options.dedupStore !== undefined && typeof options.dedupStore?.store?.put !== 'function')
    problems.push({ path: 'dedupStore.store', message: 'must be a StateStore' });
  if (options.now !== undefined && typeof options.now !== 'function')
    problems.push({ path: 'now', message: 'must be a function' });
  return problems;
}

const worse = (a: IncidentSeverity, b: IncidentSeverity): IncidentSeverity => (a < b ? a : b);

/** A team's shared hourly count as read from the store. */
interface SharedBudget {
  /** Start of the current hour (epoch ms). */
  bucket: number;
  /** Alerts counted in the current hour, and that item's version (0 = absent). */
  count: number;
  version: number;
  /** Estimated alerts in the sliding hour. */
  used: number;
}

/**
 * Routes alerts to sinks by team and severity, and keeps people sane: an alert id is sent at most
 * once (dedup), each team gets at most `maxAlertsPerHourPerTeam` per sliding hour (the rest are
 * counted and reported on the next alert that goes out), and during an alert storm the breaker
 * collapses everything into a summary alert sent when it opens and another when it closes.
 */
export class AlertRouter {
  readonly #sinks = new Map<string, AlertSink>();
  readonly #routes: (AlertRoute & { name: string })[];
  readonly #defaultSinks: string[];
  readonly #maxPerHour: number;
  readonly #storm: Required<StormBreakerOptions> | undefined;
  readonly #dedupTtlMs: number;
  readonly #maxDedup: number;
  readonly #dedupStore: { store: StateStore; table: string } | undefined;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #seen = new Map<string, number>();
  readonly #sentByTeam = new Map<string, number[]>();
  readonly #suppressed = new Map<string, number>();
  #recent: number[] = [];
  #breaker:
    | {
        openedAt: number;
        lastAt: number;
        collapsed: number;
        incidents: Set<string>;
        severity: IncidentSeverity;
      }
    | undefined;
  readonly #stats: AlertRouterStats = {
    dispatched: 0,
    byStatus: {
      sent: 0,
      partial: 0,
      failed: 0,
      duplicate: 0,
      rate_limited: 0,
      collapsed: 0,
      no_route: 0,
    },
    stormSummaries: 0,
    stormOpen: false,
  };

  constructor(options: AlertRouterOptions) {
    const problems = problemsOf(options);
    if (problems.length > 0) {
      throw alertError(
        ALERT_ERROR_CODES.OPTIONS_INVALID,
        `Invalid alert router options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        { details: { problems } },
      );
    }
    for (const sink of options.sinks) this.#sinks.set(sink.name, sink);
    this.#routes = (options.routes ?? []).map((route, i) => ({
      ...route,
      name: route.name ?? `route[${i}]`,
    }));
    this.#defaultSinks = options.defaultRoute?.sinks ?? [];
    this.#maxPerHour = options.maxAlertsPerHourPerTeam ?? 20;
    this.#storm =
      options.storm === false
        ? undefined
        : {
            threshold: options.storm?.threshold ?? 20,
            windowMs: options.storm?.windowMs ?? 60_000,
            cooldownMs: options.storm?.cooldownMs ?? 300_000,
          };
    this.#dedupTtlMs = options.dedupTtlMs ?? 86_400_000;
    this.#maxDedup = options.maxDedupEntries ?? 100_000;
    this.#dedupStore =
      options.dedupStore === undefined
        ? undefined
        : { store: options.dedupStore.store, table: options.dedupStore.table ?? 'IncidentIndex' };
    this.#now = options.now ?? Date.now;
    this.#logger = safeLogger(options.logger);
  }

  /** Sink names an alert of this team, severity and kind goes to (the table, else the default route). */
  routeFor(alert: Pick<Alert, 'team' | 'severity' | 'kind'>): string[] {
    for (const route of this.#routes) {
      if (route.teams !== undefined && !route.teams.includes(alert.team)) continue;
      if (route.severities !== undefined && !route.severities.includes(alert.severity)) continue;
      if (route.kinds !== undefined && !route.kinds.includes(alert.kind)) continue;
      return [...route.sinks];
    }
    return [...this.#defaultSinks];
  }

  /** Dedup, storm breaker, rate limit, route and send one alert. Never rejects. */
  async dispatch(alert: Alert): Promise<DispatchResult> {
    this.#stats.dispatched += 1;
    const now = this.#now();
    const closing = await this.#maybeCloseBreaker(now);
    if (await this.#isDuplicate(alert.alert_id, now)) {
      return this.#done(
        { alert_id: alert.alert_id, status: 'duplicate', sinks: [], deliveries: [] },
        closing,
      );
    }
    if (this.#storm !== undefined) {
      const storm = this.#storm;
      if (this.#breaker !== undefined) {
        this.#collapse(alert, now);
        return this.#done(
          { alert_id: alert.alert_id, status: 'collapsed', sinks: [], deliveries: [] },
          closing,
        );
      }
      this.#recent = this.#recent.filter((t) => t > now - storm.windowMs);
      this.#recent.push(now);
      if (this.#recent.length > storm.threshold) {
        this.#breaker = {
          openedAt: now,
          lastAt: now,
          collapsed: 0,
          incidents: new Set(),
          severity: alert.severity,
        };
        this.#stats.stormOpen = true;
        this.#collapse(alert, now);
        const opened = await this.#sendSummary(now, false, this.#recent.length);
        this.#recent = [];
        return this.#done(
          {
            alert_id: alert.alert_id,
            status: 'collapsed',
            sinks: [],
            deliveries: [],
            summary: opened,
          },
          closing,
        );
      }
    }
    const team = alert.team;
    const sent = (this.#sentByTeam.get(team) ?? []).filter((t) => t > now - HOUR);
    this.#sentByTeam.set(team, sent);
    const shared = await this.#sharedBudget(team, now);
    if ((shared?.used ?? sent.length) >= this.#maxPerHour) {
      this.#suppressed.set(team, (this.#suppressed.get(team) ?? 0) + 1);
      this.#logger.info({ alertId: alert.alert_id, team }, 'alert rate-limited');
      return this.#done(
        { alert_id: alert.alert_id, status: 'rate_limited', sinks: [], deliveries: [] },
        closing,
      );
    }
    const sinks = this.routeFor(alert);
    if (sinks.length === 0) {
      return this.#done(
        { alert_id: alert.alert_id, status: 'no_route', sinks, deliveries: [] },
        closing,
      );
    }
    sent.push(now);
    if (shared !== undefined && !(await this.#spendShared(team, now, shared))) {
      this.#suppressed.set(team, (this.#suppressed.get(team) ?? 0) + 1);
      this.#logger.info({ alertId: alert.alert_id, team }, 'alert rate-limited');
      return this.#done(
        { alert_id: alert.alert_id, status: 'rate_limited', sinks: [], deliveries: [] },
        closing,
      );
    }
    const suppressed = this.#suppressed.get(team) ?? 0;
    this.#suppressed.delete(team);
    const outgoing = suppressed > 0 ? { ...alert, suppressed } : alert;
    return this.#done(await this.#send(outgoing, sinks), closing);
  }

  /**
   * Closes the storm breaker once `cooldownMs` passed without a collapsed alert, sending the
   * closing summary. Call it from a timer (the incident manager's tick does).
   */
  async tick(): Promise<DispatchResult | undefined> {
    return this.#maybeCloseBreaker(this.#now());
  }

  /** Totals since creation (a copy). */
  stats(): AlertRouterStats {
    return structuredClone(this.#stats);
  }

  /** Closes every sink; idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.#sinks.values()].map((sink) => sink.close().catch(() => undefined)));
  }

  #done(result: DispatchResult, closing: DispatchResult | undefined): DispatchResult {
    this.#stats.byStatus[result.status] += 1;
    if (dispatchChannel.hasSubscribers) dispatchChannel.publish({ result });
    if (closing !== undefined && result.summary === undefined)
      return { ...result, summary: closing };
    return result;
  }

  #collapse(alert: Alert, now: number): void {
    const breaker = this.#breaker;
    if (breaker === undefined) return;
    breaker.collapsed += 1;
    breaker.lastAt = now;
    breaker.severity = worse(breaker.severity, alert.severity);
    if (alert.incident_id !== undefined && breaker.incidents.size < 500)
      breaker.incidents.add(alert.incident_id);
  }

  async #maybeCloseBreaker(now: number): Promise<DispatchResult | undefined> {
    const breaker = this.#breaker;
    if (breaker === undefined || this.#storm === undefined) return undefined;
    if (now - breaker.lastAt < this.#storm.cooldownMs) return undefined;
    const summary = await this.#sendSummary(now, true, breaker.collapsed);
    this.#breaker = undefined;
    this.#stats.stormOpen = false;
    return summary;
  }

  async #sendSummary(now: number, ended: boolean, count: number): Promise<DispatchResult> {
    const breaker = this.#breaker;
    const storm = this.#storm as Required<StormBreakerOptions>;
    const incidents = [...(breaker?.incidents ?? [])].sort();
    const openedAt = breaker?.openedAt ?? now;
    const title = ended
      ? `Alert storm over: ${count} alerts were collapsed into this summary (${incidents.length} incidents)`
      : `Alert storm: ${count} alerts within ${Math.round(storm.windowMs / 1000)} s; further alerts are collapsed until ${Math.round(storm.cooldownMs / 1000)} s pass without one`;
    const alert: Alert = {
      schema_version: 'alert/v1',
      alert_id: `storm|${new Date(openedAt).toISOString()}|${ended ? 'ended' : 'started'}`,
      kind: 'storm_summary',
      severity: breaker?.severity ?? 'SEV-1',
      title,
      dataset_urns: [],
      team: 'default',
      link: 'about:blank#storm',
      time: new Date(now).toISOString(),
      storm: {
        collapsed: ended ? count : 0,
        incident_ids: incidents,
        window_ms: storm.windowMs,
        ended,
      },
    };
    this.#stats.stormSummaries += 1;
    const sinks = [...this.#defaultSinks];
    if (sinks.length === 0)
      return { alert_id: alert.alert_id, status: 'no_route', sinks, deliveries: [] };
    return this.#send(alert, sinks);
  }

  async #send(alert: Alert, sinks: string[]): Promise<DispatchResult> {
    const deliveries = await Promise.all(
      sinks.map(async (name): Promise<AlertSendResult> => {
        const sink = this.#sinks.get(name) as AlertSink;
        try {
          return await sink.send(alert);
        } catch (cause) {
          // A sink must not reject; if one does anyway, report it as a typed failure.
          return {
            ok: false,
            sink: name,
            attempts: 1,
            error: isSignalFactoryError(cause)
              ? cause
              : alertError(ALERT_ERROR_CODES.NETWORK, `Sink ${name} threw`, {
                  cause,
                  retriable: true,
                }),
          };
        }
      }),
    );
    const ok = deliveries.filter((d) => d.ok).length;
    const status: DispatchStatus =
      ok === deliveries.length ? 'sent' : ok === 0 ? 'failed' : 'partial';
    if (status !== 'sent') {
      this.#logger.warn(
        { alertId: alert.alert_id, failed: deliveries.filter((d) => !d.ok).map((d) => d.sink) },
        'alert delivery failed',
      );
    }
    return { alert_id: alert.alert_id, status, sinks, deliveries };
  }

  /**
   * The team's alerts in the sliding hour across instances, estimated from the shared hourly
   * counts (this hour's plus the part of the last hour still inside the slide); `undefined`
   * without a shared store or while it is down (the in-memory budget applies then).
   */
  async #sharedBudget(team: string, now: number): Promise<SharedBudget | undefined> {
    if (this.#dedupStore === undefined) return undefined;
    const { store, table } = this.#dedupStore;
    const bucket = Math.floor(now / HOUR) * HOUR;
    try {
      const [current, previous] = await Promise.all([
        store.get(table, { pk: `alert-rate#${team}`, sk: new Date(bucket).toISOString() }),
        store.get(table, { pk: `alert-rate#${team}`, sk: new Date(bucket - HOUR).toISOString() }),
      ]);
      const count = (item: typeof current): number =>
        typeof item?.data.count === 'number' ? item.data.count : 0;
      const carried = count(previous) * (1 - (now - bucket) / HOUR);
      return {
        bucket,
        count: count(current),
        version: current?.version ?? 0,
        used: Math.floor(count(current) + carried),
      };
    } catch (error) {
      this.#logger.warn({ team, error }, 'alert rate store unavailable');
      return undefined;
    }
  }

  /**
   * Counts one alert in the shared hourly count; false when another instance spent the last of
   * the budget first. A store outage never blocks an alert.
   */
  async #spendShared(team: string, now: number, budget: SharedBudget): Promise<boolean> {
    const { store, table } = this.#dedupStore as { store: StateStore; table: string };
    let b: SharedBudget | undefined = budget;
    for (let attempt = 0; attempt < 5 && b !== undefined; attempt++) {
      if (attempt > 0 && b.used >= this.#maxPerHour) return false;
      try {
        await store.put(
          table,
          { pk: `alert-rate#${team}`, sk: new Date(b.bucket).toISOString() },
          { team, count: b.count + 1 },
          { expectedVersion: b.version, expiresAt: Math.ceil((b.bucket + 3 * HOUR) / 1000) },
        );
        return true;
      } catch (error) {
        if (!isSignalFactoryError(error) || error.code !== 'SF_ERR_STATE_CONDITION_FAILED') {
          this.#logger.warn({ team, error }, 'alert rate store unavailable');
          return true;
        }
        b = await this.#sharedBudget(team, now); // another instance counted one: look again
      }
    }
    return b === undefined;
  }

  async #isDuplicate(alertId: string, now: number): Promise<boolean> {
    const seenAt = this.#seen.get(alertId);
    if (seenAt !== undefined && now - seenAt < this.#dedupTtlMs) return true;
    if (this.#dedupStore !== undefined) {
      const { store, table } = this.#dedupStore;
      try {
        await store.put(
          table,
          { pk: `alert#${alertId}`, sk: 'sent' },
          { alert_id: alertId, sent_at: new Date(now).toISOString() },
          { expectedVersion: 0, expiresAt: Math.ceil((now + this.#dedupTtlMs) / 1000) },
        );
      } catch (error) {
        if (isSignalFactoryError(error) && error.code === 'SF_ERR_STATE_CONDITION_FAILED') {
          this.#remember(alertId, now);
          return true;
        }
        // The shared store is down: fall back to in-memory dedup rather than lose the alert.
        this.#logger.warn({ alertId, error }, 'alert dedup store unavailable');
      }
    }
    this.#remember(alertId, now);
    return false;
  }

  #remember(alertId: string, now: number): void {
    this.#seen.delete(alertId);
    this.#seen.set(alertId, now);
    while (this.#seen.size > this.#maxDedup) {
      const oldest = this.#seen.keys().next().value as string;
      this.#seen.delete(oldest);
    }
  }
}
