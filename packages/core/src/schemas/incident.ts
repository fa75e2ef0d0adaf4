/** Lifecycle of an incident. */
export type IncidentStatus = 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';
/** Severity, SEV-1 the worst. */
export type IncidentSeverity = 'SEV-1' | 'SEV-2' | 'SEV-3';
/** What RCA believes caused the incident. */
export type ProbableCauseKind =
  'failure_signature' | 'deployment' | 'upstream_dataset' | 'stall' | 'unknown';

/** Incident v1: signals grouped by probable root cause. */
export interface Incident {
  schema_version: 'incident/v1';
  incident_id: string;
  status: IncidentStatus;
  severity: IncidentSeverity;
  title: string;
  /** Affected datasets (at least one, unique). */
  dataset_urns: string[];
  /** Signals grouped into the incident (at least one, unique). */
  signal_ids: string[];
  probable_cause: {
    kind: ProbableCauseKind;
    /** Failure signature id, deployment id, upstream dataset URN… */
    ref?: string;
  };
  /** RFC 3339 timestamps. */
  opened_at: string;
  updated_at: string;
  /** Required when status is ACKNOWLEDGED. */
  acknowledged_at?: string;
  /** Required when status is RESOLVED. */
  resolved_at?: string;
  /** Who was alerted and where. */
  route?: { team: string; channels: string[] };
}
