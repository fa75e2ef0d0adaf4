import type { Incident, SignalState, SignalType } from '@signal-factory/core';
import type { LlmFallbackReason } from './errors';

/** How sure the copilot is about a root cause. */
export type RcaConfidenceLevel = 'HIGH' | 'MEDIUM' | 'LOW';

/** What the copilot believes caused the incident. */
export type RootCauseKind = 'deployment' | 'stall' | 'upstream_dataset' | 'unexplained';

/** What an evidence entry points at. */
export type EvidenceKind =
  | 'incident'
  | 'signal'
  | 'failure_signature'
  | 'record'
  | 'deployment'
  | 'edge'
  | 'dataset'
  | 'job'
  | 'upstream_incident';

/**
 * One piece of evidence. Claims cite evidence by `ref` (`E1`, `E2`, …), which is short enough for
 * a sentence; `id` is the underlying id (signal id, evidence id `ev_…`, graph vertex or edge id).
 */
export interface EvidenceItem {
  /** `E<n>`, unique within the report, stable for the same inputs. */
  ref: string;
  kind: EvidenceKind;
  /** The underlying id: an incident id, signal id, `ev_…` evidence id, graph vertex or edge id. */
  id: string;
  /** One line saying what it shows. */
  description: string;
}

/** A record position: the first bad or last good record. */
export interface RecordPosition {
  /** Event time, RFC 3339. */
  time: string;
  topic?: string;
  partition?: number;
  /** Kafka offset as a decimal string. */
  offset?: string;
  /** Evidence id `ev_…` of the record, when the engine kept it. */
  evidence_id?: string;
  /** `sha256:<hex>` shape fingerprint of the record. */
  fingerprint?: string;
  /** Signal that reported it. */
  signal_id?: string;
  /** Where the position came from: a signal's pointer, or a failure signature's first-seen time. */
  source: 'signal' | 'failure_signature';
  evidence_refs: string[];
}

/** A signal of the incident as the report shows it. */
export interface ReportSignal {
  signal_id: string;
  dataset_urn: string;
  signal_type: SignalType | string;
  state: SignalState | string;
  /** Event-time window, RFC 3339. */
  window?: { start: string; end: string };
  reason?: string;
  emitted_at?: string;
  metrics: Record<string, number | string>;
  first_bad?: RecordPosition;
  last_good?: RecordPosition;
  producer?: { service: string; version?: string };
  failure_signature_ids: string[];
  /** `state`: the Signal v1 document was read from the state store; `graph`: only its graph vertex was found. */
  source: 'state' | 'graph';
  evidence_refs: string[];
}

/** A deployment, as found in the graph. */
export interface DeploymentInfo {
  /** Graph vertex id, e.g. `deployment:orders-svc:3.17`. */
  deployment_id: string;
  service: string;
  version: string;
  commit?: string;
  environment?: string;
  /** When this version went live (the deploy time that matters here), RFC 3339. */
  deployed_at?: string;
}

/** A failure signature behind the incident, with its counts. */
export interface ReportFailureSignature {
  /** `sha256:<hex>` signature hash. */
  id: string;
  dataset_urn?: string;
  reason_codes: string[];
  failed_gates: string[];
  /** First seen, RFC 3339. */
  first_seen?: string;
  /** Failing records (weighted) since first seen, from the vertex's `count`; `null` when unknown. */
  records: number | null;
  /** Last seen, RFC 3339, when the graph has it. */
  last_seen?: string;
  /** Signals of this incident that this signature CAUSED. */
  signals: number;
  /** The deployment whose INTRODUCED edge points at it, when the graph has one. */
  introduced_by?: {
    deployment_id: string;
    service?: string;
    version?: string;
    edge_confidence: RcaConfidenceLevel;
  };
  evidence_refs: string[];
}

/** A reason code summed over the incident's failure signatures. */
export interface ReasonCodeCount {
  /** `CODE:field_path`, e.g. `MISSING_FIELD:customer_id`. */
  code: string;
  /** Failing records (weighted) when known, else `null`. */
  records: number | null;
  /** Signals in which it appeared. */
  signals: number;
  failure_signature_ids: string[];
}

interface RootCauseBase {
  kind: RootCauseKind;
  /** One sentence stating the root cause. */
  statement: string;
  /** The dataset where the problem starts. */
  dataset_urn: string;
  evidence_refs: string[];
}

/** A deployment introduced the failure (or stopped the data). */
export interface DeploymentRootCause extends RootCauseBase {
  kind: 'deployment';
  deployment: DeploymentInfo;
  /** How the deployment is tied to the failure: an INTRODUCED edge, or only the time of the deploy. */
  linked_by: 'introduced_edge' | 'time_correlation';
  /** Reason codes that appeared with it. */
  introduced_reason_codes: string[];
  /**
   * Time (ISO 8601) of the first bad record of the failure this deployment is linked to: the first
   * bad record of the signals carrying its failure signatures, else the incident's first bad
   * record. An incident holding other, earlier trouble has an earlier `first_bad`.
   */
  first_bad_at?: string;
  /** Milliseconds from the deploy to `first_bad_at` (negative: the deploy came after). */
  deploy_to_first_bad_ms?: number;
  /** The version that ran before it, from the deployment history (the rollback target). */
  previous?: DeploymentInfo;
  /** The version deployed after it, when one already replaced it (a rollback or a fix). */
  replaced_by?: DeploymentInfo;
}

/** Data stopped arriving and no deployment explains it. */
export interface StallRootCause extends RootCauseBase {
  kind: 'stall';
  producer_service?: string;
  /** Time of the last record seen, RFC 3339. */
  last_record_at?: string;
  /**
   * When the dataset never sent a record: since when the freshness engine has been watching it
   * (RFC 3339). Absent when a record was seen.
   */
  watched_since?: string;
  /** Silence in ms as the engine measured it, when known. */
  silent_for_ms?: number;
}

/** An upstream dataset is in incident and this dataset reads it (directly or through jobs). */
export interface UpstreamRootCause extends RootCauseBase {
  kind: 'upstream_dataset';
  /** The upstream dataset in incident (also in `dataset_urn`). */
  upstream_dataset_urn: string;
  /** The affected dataset downstream of it. */
  affected_dataset_urn: string;
  /** Vertex ids from the upstream dataset down to the affected one. */
  path: string[];
  /** The upstream incident, when it is a separate one. */
  upstream_incident_id?: string;
  /** The upstream incident's own root cause statement, when it could be computed. */
  upstream_root_cause?: { kind: RootCauseKind; statement: string };
}

/** Nothing the copilot knows explains the incident; it says so instead of guessing. */
export interface UnexplainedRootCause extends RootCauseBase {
  kind: 'unexplained';
  /** What was checked and why each explanation was ruled out. */
  ruled_out: string[];
}

export type RootCause =
  DeploymentRootCause | StallRootCause | UpstreamRootCause | UnexplainedRootCause;

/** One reason behind the confidence level. */
export interface ConfidenceReason {
  /** What was looked at. */
  factor:
    | 'introduced_edge'
    | 'causal_chain'
    | 'producer_identity'
    | 'deploy_timing'
    | 'version_on_records'
    | 'stall_signal'
    | 'last_good_known'
    | 'no_nearby_deployment'
    | 'lineage_edge'
    | 'upstream_timing'
    | 'upstream_root_cause'
    | 'nothing_explains';
  /** `supports` keeps the level, `weakens` lowers it, `contradicts` lowers it to LOW. */
  effect: 'supports' | 'weakens' | 'contradicts';
  detail: string;
  evidence_refs: string[];
}

export interface RcaConfidence {
  level: RcaConfidenceLevel;
  reasons: ConfidenceReason[];
}

/** Does a consumer read the columns that broke? */
export type ColumnOverlapStatus = 'overlap' | 'no_overlap' | 'unknown' | 'all_columns';

/** One consumer or downstream dataset hurt by the incident. */
export interface BlastRadiusEntry {
  /** Graph vertex id (`job:…` or a dataset URN). */
  id: string;
  label: string;
  /** Job name or dataset URN. */
  name: string;
  /** 1 (most critical) … 3, when known. */
  tier?: number;
  /** Hops downstream of the incident dataset (a job reading it and what it writes are at 1). */
  depth: number;
  /** The weakest lineage edge on the surest path. */
  confidence: RcaConfidenceLevel;
  /** The vertex it is reached from. */
  via: string;
  /** The incident dataset it is downstream of. */
  from_dataset: string;
  owner?: string;
  /** True when this dataset is itself part of the incident. */
  in_incident: boolean;
  column_overlap: {
    status: ColumnOverlapStatus;
    /** Columns the consumer reads from the dataset it is reached from (`null`: not in the graph). */
    read_columns: string[] | null;
    /** Columns named by the incident's reason codes. */
    affected_columns: string[];
    overlapping: string[];
  };
  evidence_refs: string[];
}

export type MitigationAction =
  | 'ROLLBACK'
  | 'HOTFIX'
  | 'QUARANTINE_DATASET'
  | 'PAUSE_CONSUMERS'
  | 'CHECK_PRODUCER'
  | 'FOLLOW_UPSTREAM'
  | 'REPLAY'
  | 'INVESTIGATE';

/** A suggested action, most useful first. */
export interface Mitigation {
  action: MitigationAction;
  /** 1 = do this first. */
  priority: number;
  /** Imperative one-liner, e.g. `Roll back orders-svc to 3.16`. */
  title: string;
  detail: string;
  /** What it acts on: service, dataset URN, or job ids. */
  target: string[];
  evidence_refs: string[];
}

/** The summary: a template sentence always, an LLM wording when configured and valid. */
export interface RcaSummary {
  /** The text to show: the LLM's when valid, else the template's. */
  text: string;
  source: 'template' | 'llm';
  /** The deterministic sentence, always present. */
  template: string;
  /** Why the LLM wording was not used (absent when it was, or when it was not asked for). */
  llm_fallback_reason?: LlmFallbackReason;
  /** Details of the fallback (HTTP status, error type), no secrets. */
  llm_fallback_detail?: string;
  /** Model that wrote `text` when `source` is `llm`. */
  model?: string;
  /** Evidence refs the text cites. */
  evidence_refs: string[];
}

/** What the graph held for this incident. */
export interface GraphCoverage {
  /** The incident vertex exists. */
  incident_in_graph: boolean;
  /** Causal chains found from the incident back towards deployments. */
  chains: number;
  /** Edge labels walked and how many were found. */
  edges: {
    TRIGGERED: number;
    CAUSED: number;
    INTRODUCED: number;
    DEPLOYED: number;
    PRODUCES: number;
  };
  /** Missing links, in words (e.g. `no INTRODUCED edge into failure signature sha256:…`). */
  missing: string[];
  /** A query cap cut an answer short. */
  truncated: boolean;
}

/** The deterministic RCA report. Plain JSON: every time is an RFC 3339 string. */
export interface RcaReport {
  schema_version: 'rca-report/v1';
  incident_id: string;
  /** When the report was computed, RFC 3339 (the copilot's clock). */
  generated_at: string;
  incident: Incident;
  /** The dataset analysed as the origin (the most upstream of the incident's datasets). */
  primary_dataset_urn: string;
  signals: ReportSignal[];
  /** Incident signal ids found neither in the state store nor in the graph. */
  missing_signal_ids: string[];
  failure_signatures: ReportFailureSignature[];
  reason_codes: ReasonCodeCount[];
  first_bad?: RecordPosition;
  last_good?: RecordPosition;
  root_cause: RootCause;
  confidence: RcaConfidence;
  blast_radius: { entries: BlastRadiusEntry[]; truncated: boolean };
  mitigations: Mitigation[];
  graph: GraphCoverage;
  /** Every piece of evidence cited anywhere in the report. */
  evidence: EvidenceItem[];
  summary: RcaSummary;
}

/** One line of `listIncidents`. */
export interface IncidentListItem {
  incident_id: string;
  status: string;
  severity: string;
  dataset_urns: string[];
  /** RFC 3339, from the listing sort key. */
  opened_at: string;
}

/** The blast radius of a dataset, outside of any incident. */
export interface DatasetBlastRadius {
  dataset_urn: string;
  /** Column asked about, when one was. */
  column?: string;
  entries: BlastRadiusEntry[];
  truncated: boolean;
}
