import type { Incident, Signal, StateItem, StateStore } from '@signal-factory/core';
import type { IncidentListItem } from '../types';

/** Logical table names, as documented in docs/protocols/signals-and-incidents.md. */
export const TABLES = { SIGNAL_STATE: 'SignalState', INCIDENT_INDEX: 'IncidentIndex' } as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The minimum an incident document needs for RCA; anything else is optional. */
export function incidentShapeProblems(value: unknown): string[] {
  if (!isObject(value)) return ['/ must be an object'];
  const problems: string[] = [];
  if (typeof value.incident_id !== 'string' || value.incident_id === '')
    problems.push('/incident_id must be a non-empty string');
  if (!isStringArray(value.dataset_urns) || value.dataset_urns.length === 0)
    problems.push('/dataset_urns must be a non-empty array of strings');
  if (!isStringArray(value.signal_ids)) problems.push('/signal_ids must be an array of strings');
  for (const key of ['opened_at', 'updated_at'] as const) {
    if (typeof value[key] !== 'string' || Number.isNaN(Date.parse(value[key])))
      problems.push(`/${key} must be an RFC 3339 time`);
  }
  return problems;
}

export function isSignalDoc(value: unknown): value is Signal {
  return (
    isObject(value) &&
    typeof value.signal_id === 'string' &&
    typeof value.dataset_urn === 'string' &&
    typeof value.signal_type === 'string' &&
    typeof value.state === 'string'
  );
}

/** Reads signals and incidents exactly as engines write them (see the protocol page). */
export class StateReader {
  readonly #state: StateStore;

  constructor(state: StateStore) {
    this.#state = state;
  }

  /** The stored incident document (unvalidated) and its version, or undefined. */
  async incident(incidentId: string): Promise<StateItem | undefined> {
    return this.#state.get(TABLES.INCIDENT_INDEX, { pk: `incident#${incidentId}`, sk: 'incident' });
  }

  /** Incidents newest first, from the `incidents` listing partition. */
  async listIncidents(options: { limit: number; status?: string }): Promise<IncidentListItem[]> {
    const items = await this.#state.query(TABLES.INCIDENT_INDEX, 'incidents', {
      descending: true,
      // Filtering by status happens after the read; read more so a page still fills up.
      limit: options.status === undefined ? options.limit : Math.min(options.limit * 10, 10_000),
    });
    const out: IncidentListItem[] = [];
    for (const item of items) {
      const d = item.data;
      const hash = item.sk.lastIndexOf('#');
      const incidentId =
        typeof d.incident_id === 'string' ? d.incident_id : item.sk.slice(hash + 1);
      const entry: IncidentListItem = {
        incident_id: incidentId,
        status: typeof d.status === 'string' ? d.status : 'UNKNOWN',
        severity: typeof d.severity === 'string' ? d.severity : 'UNKNOWN',
        dataset_urns: isStringArray(d.dataset_urns) ? d.dataset_urns : [],
        opened_at: hash > 0 ? item.sk.slice(0, hash) : '',
      };
      if (options.status !== undefined && entry.status !== options.status) continue;
      out.push(entry);
      if (out.length >= options.limit) break;
    }
    return out;
  }

  /** Incidents touching a dataset, newest first: `{ incident_id, status, opened_at }`. */
  async incidentsOfDataset(
    datasetUrn: string,
    limit: number,
  ): Promise<{ incident_id: string; status: string; opened_at: string }[]> {
    const items = await this.#state.query(TABLES.INCIDENT_INDEX, datasetUrn, {
      skPrefix: 'incident#',
      descending: true,
      limit,
    });
    return items.map((item) => {
      const rest = item.sk.slice('incident#'.length);
      const hash = rest.lastIndexOf('#');
      return {
        incident_id:
          typeof item.data.incident_id === 'string' ? item.data.incident_id : rest.slice(hash + 1),
        status: typeof item.data.status === 'string' ? item.data.status : 'UNKNOWN',
        opened_at: hash > 0 ? rest.slice(0, hash) : '',
      };
    });
  }

  /** Latest signal per type of a dataset (`current#<urn>`). */
  async currentSignals(datasetUrn: string): Promise<Signal[]> {
    const items = await this.#state.query(TABLES.SIGNAL_STATE, `current#${datasetUrn}`, {
      limit: 50,
    });
    return items.map((i) => i.data as unknown).filter(isSignalDoc);
  }

  /**
   * OK signals of a dataset emitted between `from` and `to` (RFC 3339): the healthy history the
   * RCA uses to rule out a deployment that ran cleanly before the failure.
   */
  async okSignalsOf(datasetUrn: string, from: string, to: string): Promise<Signal[]> {
    const items = await this.#state.query(TABLES.SIGNAL_STATE, `signals#${datasetUrn}`, {
      skFrom: from,
      skTo: `${to}\uffff`,
      limit: 5_000,
    });
    return items
      .map((i) => i.data as unknown)
      .filter(isSignalDoc)
      .filter((s) => s.state === 'OK');
  }

  /**
   * The incident's signals, by id, from the history of each of its datasets between
   * `opened_at - lookbackMs` and `updated_at`, then from `current#<urn>` for any still missing.
   */
  async signalsOf(incident: Incident, lookbackMs: number): Promise<Map<string, Signal>> {
    const wanted = new Set(incident.signal_ids);
    const found = new Map<string, Signal>();
    if (wanted.size === 0) return found;
    const from = new Date(Date.parse(incident.opened_at) - lookbackMs).toISOString();
    const to = `${incident.updated_at}\uffff`;
    const urns = [...new Set(incident.dataset_urns)];
    const histories = await Promise.all(
      urns.map((urn) =>
        this.#state.query(TABLES.SIGNAL_STATE, `signals#${urn}`, {
          skFrom: from,
          skTo: to,
          limit: 5_000,
        }),
      ),
    );
    for (const items of histories) {
      for (const item of items) {
        const doc = item.data as unknown;
        if (isSignalDoc(doc) && wanted.has(doc.signal_id)) found.set(doc.signal_id, doc);
      }
    }
    if (found.size < wanted.size) {
      const currents = await Promise.all(urns.map((urn) => this.currentSignals(urn)));
      for (const list of currents) {
        for (const doc of list) {
          if (wanted.has(doc.signal_id) && !found.has(doc.signal_id)) found.set(doc.signal_id, doc);
        }
      }
    }
    return found;
  }
}
