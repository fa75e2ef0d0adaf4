import type { IncidentSeverity, IncidentStatus, ProbableCauseKind } from '@signal-factory/core';
import type { SignalFactoryError } from '@signal-factory/core';

/** What happened to an incident; one alert is sent per transition (never twice). */
export type IncidentTransition = 'opened' | 'escalated' | 'reopened' | 'acknowledged' | 'resolved';

/** The kind of an alert: an incident transition, or the storm breaker's summary. */
export type AlertKind = IncidentTransition | 'storm_summary';

/** One notification, independent of where it goes (webhook, later PagerDuty, Slack, Jira). */
export interface Alert {
  schema_version: 'alert/v1';
  /** Stable id of this notification: the dedup key (`<incident_id>|<kind>|<discriminator>`). */
  alert_id: string;
  kind: AlertKind;
  /** The incident this alert is about (absent for a storm summary). */
  incident_id?: string;
  severity: IncidentSeverity;
  status?: IncidentStatus;
  title: string;
  /** Affected datasets. */
  dataset_urns: string[];
  /** The team the alert is routed for (dataset owner), `default` when none is known. */
  team: string;
  probable_cause?: { kind: ProbableCauseKind; ref?: string };
  /** Link to the incident in the console (a placeholder until the console exists). */
  link: string;
  /** RFC 3339 time of the transition. */
  time: string;
  /** Alerts of this team suppressed by the rate limit since the last one that went out. */
  suppressed?: number;
  /** Storm summary only: how many alerts were collapsed and for which incidents. */
  storm?: { collapsed: number; incident_ids: string[]; window_ms: number; ended: boolean };
}

/** What a sink reports for one alert; sinks never throw for delivery failures. */
export type AlertSendResult =
  | {
      ok: true;
      sink: string;
      /** HTTP status (or the equivalent) of the accepted request. */
      status?: number;
      /** Requests made, retries included. */
      attempts: number;
    }
  | {
      ok: false;
      sink: string;
      /** `SF_ERR_ALERT_*`; `error.retriable` says whether sending again later may work. */
      error: SignalFactoryError;
      attempts: number;
    };

/** A destination for alerts: webhook now; PagerDuty, Slack and Jira later. */
export interface AlertSink {
  /** Unique name used by the routing table, e.g. `orders-webhook`. */
  readonly name: string;
  /** Delivers one alert; resolves with a typed result, never rejects for a delivery failure. */
  send(alert: Alert): Promise<AlertSendResult>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}
