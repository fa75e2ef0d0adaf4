import type { GraphStore, Incident, IncidentSeverity, SignalType } from '@signal-factory/core';
import type { LineageIngestor, LineageQueries } from '@signal-factory/lineage';
import type { IncidentTransition } from '../alerting/types';

/** What the manager needs to know about a dataset; supplied by the `datasetInfo` callback. */
export interface IncidentDatasetInfo {
  /** 1 (most critical) … 3. Default `defaultTier`. */
  tier?: 1 | 2 | 3;
  /** Owning team: routes alerts and fills `Incident.route.team`. Default `default`. */
  team?: string;
  /** Service that produces the dataset, used when a signal carries no `producer`. */
  producerService?: string;
}

/** The lineage pieces the manager uses (what `createLineageGraph` returns fits). */
export interface IncidentLineage {
  /** Writes Signal and Incident vertices and TRIGGERED / CAUSED edges. */
  ingestor?: LineageIngestor;
  /** Deployment lookups (`deploymentAt`), writers (`writersOf`) and downstream (`blastRadius`). */
  queries?: LineageQueries;
  /** The graph itself, for the upstream walk (Job -READS-> Dataset). */
  store?: GraphStore;
}

/** One lifecycle change, as published on the incidents topic and handed to `onChange`. */
export interface IncidentChange {
  transition: IncidentTransition | 'joined';
  incident: Incident;
  /** The signal behind the change (absent for acknowledge, resolve and auto-resolve). */
  signal_id?: string;
  /** True for a resolve made by the auto-resolver. */
  auto?: boolean;
}

/** What `handleSignal` did with one signal. */
export interface HandleSignalResult {
  action:
    | 'opened'
    | 'joined'
    | 'reopened'
    | 'escalated'
    | 'updated'
    | 'duplicate'
    | 'recovered'
    | 'ignored';
  incident_id?: string;
  /** Why a signal was ignored (`invalid`, `not_critical`). */
  reason?: string;
  /** Which rule joined the signal to an existing incident. */
  joined_by?:
    'failure_signature' | 'deployment' | 'dataset' | 'upstream_dataset' | 'downstream_dataset';
}

export interface IncidentManagerStats {
  signals: number;
  invalid: number;
  opened: number;
  joined: number;
  reopened: number;
  escalated: number;
  acknowledged: number;
  resolved: number;
  autoResolved: number;
  duplicates: number;
  conflicts: number;
  publishFailures: number;
  graphFailures: number;
  alertFailures: number;
  lookupFailures: number;
}

/** Where the manager writes, per the signals-and-incidents protocol. */
export const INCIDENTS_TOPIC = 'signal_factory.incidents';
export const SIGNALS_TOPIC = 'signal_factory.signals';
export const INCIDENTS_GROUP_ID = 'signal_engines.incidents';
export const INCIDENT_TRANSITION_HEADER = 'x-sf-incident-transition';

/** Severity per signal type and tier override. */
export type SeverityOverrides = Partial<
  Record<SignalType, readonly [IncidentSeverity, IncidentSeverity, IncidentSeverity]>
>;
