import { SignalFactoryError, type Logger, type StateStore } from '@signal-factory/core';

import { AlertRouter, type AlertRoute, type StormBreakerOptions } from '../alerting/alert-router';
import { WebhookAlertSink } from '../alerting/webhook-alert-sink';
import { RUNTIME_ERROR_CODES } from '../runtime/errors';

/** One receiver of alerts in the config file: a webhook (PagerDuty, Slack, … adapters POST there too). */
export interface AlertSinkConfig {
  name: string;
  /** Only `webhook` for now. Default `webhook`. */
  type?: 'webhook';
  url: string;
  /** Extra request headers, e.g. `authorization`. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxRetries?: number;
}

/** `alerts` in the engines config file: the routing table and its limits. */
export interface AlertsConfig {
  sinks?: AlertSinkConfig[];
  /** First match wins: `{ teams?, severities?, kinds?, sinks }`. */
  routes?: AlertRoute[];
  /** Sinks for alerts no route matches, and for storm summaries. */
  defaultRoute?: { sinks: string[] };
  maxAlertsPerHourPerTeam?: number;
  storm?: StormBreakerOptions | false;
  dedupTtlMs?: number;
  /** Base of the incident link in alerts (`<linkBase>/<incident_id>`), e.g. the copilot's URL. */
  linkBase?: string;
}

function invalid(message: string): SignalFactoryError {
  return new SignalFactoryError(RUNTIME_ERROR_CODES.CONFIG_INVALID, `alerts: ${message}`);
}

/**
 * The alerts configuration with `SF_ALERT_WEBHOOK_URL` folded in (one webhook, named `webhook`,
 * on the default route, for a config without sinks of its own); `undefined` when nothing is
 * configured (incidents are recorded, nobody is alerted).
 */
export function alertsConfigOf(
  config: AlertsConfig | undefined,
  env: Record<string, string | undefined>,
): AlertsConfig | undefined {
  if (
    config !== undefined &&
    (typeof config !== 'object' || config === null || Array.isArray(config))
  )
    throw invalid('must be an object');
  const url = env.SF_ALERT_WEBHOOK_URL;
  const out: AlertsConfig = { ...config };
  if (url !== undefined && url !== '' && (out.sinks === undefined || out.sinks.length === 0)) {
    out.sinks = [{ name: 'webhook', url }];
    out.defaultRoute ??= { sinks: ['webhook'] };
  }
  if (env.SF_ALERT_LINK_BASE) out.linkBase = env.SF_ALERT_LINK_BASE;
  return out.sinks === undefined || out.sinks.length === 0 ? undefined : out;
}

/**
 * Builds the router of the engines binary. With a shared state store (DynamoDB), dedup and the
 * per-team budget hold across instances. Bad settings throw
 * typed errors (`SF_ERR_ENGINES_CONFIG_INVALID`) naming the field.
 */
export function buildAlertRouter(
  config: AlertsConfig,
  options: { store?: StateStore; logger?: Logger },
): AlertRouter {
  if (!Array.isArray(config.sinks)) throw invalid('sinks must be an array');
  const sinks = config.sinks.map((sink, i) => {
    if (typeof sink !== 'object' || sink === null) throw invalid(`sinks[${i}] must be an object`);
    if ((sink.type ?? 'webhook') !== 'webhook')
      throw invalid(`sinks[${i}].type ${JSON.stringify(sink.type)} is not supported (webhook)`);
    try {
      return new WebhookAlertSink({
        name: sink.name,
        url: sink.url,
        ...(sink.headers === undefined ? {} : { headers: sink.headers }),
        ...(sink.timeoutMs === undefined ? {} : { timeoutMs: sink.timeoutMs }),
        ...(sink.maxRetries === undefined ? {} : { maxRetries: sink.maxRetries }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
    } catch (error) {
      throw invalid(`sinks[${i}]: ${(error as Error).message}`);
    }
  });
  try {
    return new AlertRouter({
      sinks,
      ...(config.routes === undefined ? {} : { routes: config.routes }),
      ...(config.defaultRoute === undefined ? {} : { defaultRoute: config.defaultRoute }),
      ...(config.maxAlertsPerHourPerTeam === undefined
        ? {}
        : { maxAlertsPerHourPerTeam: config.maxAlertsPerHourPerTeam }),
      ...(config.storm === undefined ? {} : { storm: config.storm }),
      ...(config.dedupTtlMs === undefined ? {} : { dedupTtlMs: config.dedupTtlMs }),
      ...(options.store === undefined ? {} : { dedupStore: { store: options.store } }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  } catch (error) {
    for (const sink of sinks) void sink.close();
    throw invalid((error as Error).message);
  }
}

/** A webhook URL without what may be a secret: credentials, path (Slack keeps its token there), query. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' && u.search === '' ? '/' : '/***'}`;
  } catch {
    return '***';
  }
}

/** The alerts config as `config` prints it: header values and URL secrets are not shown. */
export function redactedAlerts(alerts: AlertsConfig): AlertsConfig {
  return {
    ...alerts,
    ...(alerts.sinks === undefined
      ? {}
      : {
          sinks: alerts.sinks.map((sink) => ({
            ...sink,
            url: redactedUrl(sink.url),
            ...(sink.headers === undefined
              ? {}
              : { headers: Object.fromEntries(Object.keys(sink.headers).map((k) => [k, '***'])) }),
          })),
        }),
  };
}
