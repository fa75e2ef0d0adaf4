import type { Incident, Signal, Subscription } from '@signal-factory/core';

import type { Platform } from '../platform/create-platform';

/** Something the platform concluded, as the simulator reports it. */
export type PlatformEvent =
  | { kind: 'signal'; signal: Signal; change: boolean }
  | { kind: 'incident'; incident: Incident; transition: string };

/**
 * Watches the signals and incidents topics (the engines → copilot protocol) with consumer groups
 * of its own, so the simulator sees exactly what any other reader of the platform would.
 */
export class PlatformObserver {
  readonly signals: Signal[] = [];
  readonly #incidents = new Map<string, Incident>();
  readonly #order: string[] = [];
  readonly #lastState = new Map<string, string>();
  readonly #subscriptions: Subscription[] = [];
  readonly #listeners: Array<(event: PlatformEvent) => void> = [];
  invalid = 0;

  /** Every incident seen, latest version of each, in the order they opened. */
  get incidents(): Incident[] {
    return this.#order.map((id) => this.#incidents.get(id) as Incident);
  }

  onEvent(listener: (event: PlatformEvent) => void): void {
    this.#listeners.push(listener);
  }

  async start(platform: Platform, groupPrefix: string): Promise<void> {
    this.#subscriptions.push(
      await platform.bus.subscribe(
        {
          groupId: `${groupPrefix}signal_factory.cli.observer.signals`,
          topics: [platform.topics.signals],
        },
        async (batch) => {
          for (const m of batch) {
            const signal = parse<Signal>(m.value);
            if (signal === undefined || typeof signal.signal_id !== 'string') {
              this.invalid += 1;
              continue;
            }
            this.signals.push(signal);
            const key = `${signal.dataset_urn}\u0000${signal.signal_type}`;
            const change = this.#lastState.get(key) !== signal.state;
            this.#lastState.set(key, signal.state);
            this.#emit({ kind: 'signal', signal, change });
          }
        },
      ),
    );
    this.#subscriptions.push(
      await platform.bus.subscribe(
        {
          groupId: `${groupPrefix}signal_factory.cli.observer.incidents`,
          topics: [platform.topics.incidents],
        },
        async (batch) => {
          for (const m of batch) {
            const value = parse<Record<string, unknown>>(m.value);
            // The manager publishes `{ transition, incident }` changes; accept a bare Incident too.
            const incident = (
              value !== undefined && typeof value.incident === 'object' ? value.incident : value
            ) as Incident | undefined;
            if (incident === undefined || typeof incident.incident_id !== 'string') {
              this.invalid += 1;
              continue;
            }
            const transition =
              (typeof value?.transition === 'string' ? value.transition : undefined) ??
              m.headers['x-sf-incident-transition'] ??
              incident.status.toLowerCase();
            if (!this.#incidents.has(incident.incident_id)) this.#order.push(incident.incident_id);
            this.#incidents.set(incident.incident_id, incident);
            this.#emit({ kind: 'incident', incident, transition });
          }
        },
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#subscriptions.map((s) => s.close()));
  }

  #emit(event: PlatformEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a progress printer must never break the simulation
      }
    }
  }
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
