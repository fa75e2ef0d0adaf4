import type { Incident, SignalState, StateItem, StateStore } from '@signal-factory/core';
import { isSignalFactoryError, PORT_ERROR_CODES } from '@signal-factory/core';
import { INCIDENT_ERROR_CODES, incidentError } from './errors';

/** The state of one (dataset, signal type) inside an incident. */
export interface MemberState {
  state: SignalState;
  /** Epoch ms the member entered this state. */
  since: number;
  signal_id: string;
}

/** `incident#<id>` / `member#<dataset URN>|<signal type>`: one tracked (dataset, type) pair. */
export interface MemberItem extends MemberState {
  dataset_urn: string;
  signal_type: string;
  /** Fields its bad records fail on (from the signals' reason codes); absent when unknown. */
  fields?: string[];
}

/** `cause#<key>` / `claim`: the incident that owns a grouping key. */
export interface CauseClaim {
  incident_id: string;
  /** Epoch ms the claim was written. */
  claimed_at: number;
}

/** `<dataset URN>` / `incident#<opened_at>#<id>`. */
export interface DatasetIncidentRef {
  incident_id: string;
  status: Incident['status'];
  resolved_at?: string;
}

export const isConditionFailed = (error: unknown): boolean =>
  isSignalFactoryError(error) && error.code === PORT_ERROR_CODES.STATE_CONDITION_FAILED;

const incidentKey = (id: string) => ({ pk: `incident#${id}`, sk: 'incident' });
const memberKey = (id: string, urn: string, type: string) => ({
  pk: `incident#${id}`,
  sk: `member#${urn}|${type}`,
});
const claimKey = (key: string) => ({ pk: `cause#${key}`, sk: 'claim' });

/**
 * The IncidentIndex layout of docs/protocols/signals-and-incidents.md over the StateStore port.
 * Incident and member items change only through conditional writes (`expectedVersion`), so two
 * manager instances never overwrite each other; listing and per-dataset items are derived copies.
 */
export class IncidentRepository {
  readonly #store: StateStore;
  readonly #table: string;
  readonly #maxAttempts: number;

  constructor(store: StateStore, table: string, maxAttempts: number) {
    this.#store = store;
    this.#table = table;
    this.#maxAttempts = maxAttempts;
  }

  async getIncident(id: string): Promise<{ incident: Incident; version: number } | undefined> {
    const item = await this.#store.get(this.#table, incidentKey(id));
    return item === undefined
      ? undefined
      : { incident: item.data as unknown as Incident, version: item.version };
  }

  /** Writes a new incident; fails with SF_ERR_STATE_CONDITION_FAILED when the id exists. */
  async createIncident(incident: Incident): Promise<void> {
    await this.#store.put(this.#table, incidentKey(incident.incident_id), toData(incident), {
      expectedVersion: 0,
    });
  }

  /**
   * Read-modify-write with a version check, retried on conflict. `change` returns the new document,
   * or undefined to leave it alone. Returns what was stored before and after (after = before when
   * unchanged), or undefined when the incident does not exist.
   */
  async mutateIncident(
    id: string,
    change: (current: Incident) => Incident | undefined,
  ): Promise<{ before: Incident; after: Incident; changed: boolean } | undefined> {
    type Out = { before: Incident; after: Incident; changed: boolean } | undefined;
    return this.#mutate<Out>(incidentKey(id), (data) => {
      if (data === undefined) return { result: undefined };
      const before = data as unknown as Incident;
      const after = change(structuredClone(before));
      if (after === undefined) return { result: { before, after: before, changed: false } };
      return { write: toData(after), result: { before, after, changed: true } };
    });
  }

  /** Every member of an incident (one item each, so a join writes one small item). */
  async getMembers(id: string): Promise<MemberItem[]> {
    const items = await this.#store.query(this.#table, `incident#${id}`, { skPrefix: 'member#' });
    return items.map((item) => item.data as unknown as MemberItem);
  }

  /**
   * Read-modify-write of one member with a version check. `change` gets the current member (or
   * undefined) and returns the new one, or undefined to leave it. Returns the member before.
   */
  async mutateMember(
    id: string,
    urn: string,
    type: string,
    change: (current: MemberItem | undefined) => MemberItem | undefined,
  ): Promise<MemberItem | undefined> {
    return this.#mutate<MemberItem | undefined>(memberKey(id, urn, type), (data) => {
      const current = data as unknown as MemberItem | undefined;
      const next = change(current === undefined ? undefined : { ...current });
      return next === undefined ? { result: current } : { write: toData(next), result: current };
    });
  }

  async getClaim(key: string): Promise<{ claim: CauseClaim; version: number } | undefined> {
    const item = await this.#store.get(this.#table, claimKey(key));
    return item === undefined
      ? undefined
      : { claim: item.data as unknown as CauseClaim, version: item.version };
  }

  /** Conditional claim write: `expectedVersion` 0 when absent, else the version read. */
  async putClaim(key: string, claim: CauseClaim, expectedVersion: number): Promise<void> {
    await this.#store.put(this.#table, claimKey(key), toData(claim), { expectedVersion });
  }

  /** Newest incidents of a dataset (per-dataset lookup items). */
  async datasetIncidents(urn: string, limit: number): Promise<DatasetIncidentRef[]> {
    const items = await this.#store.query(this.#table, urn, {
      skPrefix: 'incident#',
      descending: true,
      limit,
    });
    return items.map((item) => item.data as unknown as DatasetIncidentRef);
  }

  /** Newest incidents first, from the listing partition. */
  async listIncidents(limit: number): Promise<StateItem[]> {
    return this.#store.query(this.#table, 'incidents', { descending: true, limit });
  }

  /**
   * Keeps the listing and per-dataset lookup items in step with the incident. `datasets` limits the
   * per-dataset writes (a join touches only the joining dataset; status changes touch all).
   */
  async writeIndexes(
    incident: Incident,
    datasets: readonly string[] = incident.dataset_urns,
  ): Promise<void> {
    const sk = `${incident.opened_at}#${incident.incident_id}`;
    await this.#store.put(
      this.#table,
      { pk: 'incidents', sk },
      {
        incident_id: incident.incident_id,
        status: incident.status,
        severity: incident.severity,
        dataset_urns: [...incident.dataset_urns],
      },
    );
    for (const urn of datasets) {
      const ref: Record<string, string> = {
        incident_id: incident.incident_id,
        status: incident.status,
      };
      if (incident.resolved_at !== undefined) ref.resolved_at = incident.resolved_at;
      await this.#store.put(this.#table, { pk: urn, sk: `incident#${sk}` }, ref);
    }
  }

  async #mutate<R>(
    key: { pk: string; sk: string },
    step: (data: StateItem['data'] | undefined) => { write?: StateItem['data']; result: R },
  ): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const item = await this.#store.get(this.#table, key);
      const { write, result } = step(item?.data);
      if (write === undefined) return result;
      try {
        await this.#store.put(this.#table, key, write, { expectedVersion: item?.version ?? 0 });
        return result;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        if (attempt >= this.#maxAttempts) {
          throw incidentError(
            INCIDENT_ERROR_CODES.CONFLICT,
            `Gave up after ${attempt} conflicting writes to ${key.pk}/${key.sk}`,
            {
              cause: error,
              retriable: true,
              details: { pk: key.pk, sk: key.sk, attempts: attempt },
            },
          );
        }
      }
    }
  }
}

function toData(value: object): StateItem['data'] {
  // Drop undefined members: the store accepts JSON only.
  return JSON.parse(JSON.stringify(value)) as StateItem['data'];
}
