import type { Incident, Signal } from '@signal-factory/core';

/** What the simulator reports while it plays. */
export type ProgressEvent =
  | {
      kind: 'start';
      scenario: string;
      description?: string;
      start: number;
      end: number;
      seed: number;
      backends: { bus: string; state: string; graph: string };
      datasets: number;
      jobs: number;
    }
  | { kind: 'history'; from: number; to: number; windows: number; records: number }
  | {
      kind: 'tick';
      time: number;
      records: number;
      evidence: number;
      signals: number;
      incidents: number;
    }
  | { kind: 'deployment'; time: number; service: string; version: string; commit?: string }
  | { kind: 'signal'; time: number; signal: Signal; previous?: string }
  | { kind: 'incident'; time: number; incident: Incident; transition: string }
  | { kind: 'rca'; incidentId: string; text: string }
  | { kind: 'done'; simulatedMs: number; wallMs: number; records: number; evidence: number };

const pad = (n: number): string => String(n).padStart(2, '0');

function clockText(time: number, start: number): string {
  const d = new Date(time);
  const offset = Math.round((time - start) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${Math.abs(offset)}m`;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function metricText(signal: Signal): string {
  const m = signal.metrics;
  const pick = [
    'compliance_rate',
    'compliance',
    'count',
    'records',
    'delay_seconds',
    'lag_seconds',
  ];
  for (const k of pick) {
    const v = m[k];
    if (v !== undefined) return ` ${k}=${typeof v === 'number' ? Number(v.toFixed(3)) : v}`;
  }
  return '';
}

/**
 * Formats progress as the lines `npm start` and `signal-factory simulate` print: simulated time,
 * counts every five simulated minutes, deployments, signal state changes and incidents as they
 * happen.
 */
export function createProgressPrinter(
  write: (line: string) => void,
): (event: ProgressEvent) => void {
  let start = 0;
  return (event) => {
    switch (event.kind) {
      case 'start':
        start = event.start;
        write(
          `▶ scenario ${event.scenario}${event.description === undefined ? '' : ` — ${event.description}`}\n` +
            `  simulated ${new Date(event.start).toISOString()} → ${new Date(event.end).toISOString()} · seed ${event.seed}\n` +
            `  platform: bus ${event.backends.bus} · state ${event.backends.state} · graph ${event.backends.graph} · ` +
            `${event.datasets} dataset(s) · ${event.jobs} lineage job(s)\n`,
        );
        return;
      case 'history':
        write(
          `  history warm-up: ${fmt(event.records)} records in ${event.windows} windows ` +
            `(${new Date(event.from).toISOString()} → ${new Date(event.to).toISOString()}), as weighted evidence\n`,
        );
        return;
      case 'tick':
        write(
          `[${clockText(event.time, start)}] records ${fmt(event.records)} · evidence ${fmt(event.evidence)} · ` +
            `signals ${fmt(event.signals)} · incidents ${event.incidents}\n`,
        );
        return;
      case 'deployment':
        write(
          `[${clockText(event.time, start)}] ⇪ deploy ${event.service} ${event.version}` +
            `${event.commit === undefined ? '' : ` (commit ${event.commit})`}\n`,
        );
        return;
      case 'signal': {
        const s = event.signal;
        write(
          `[${clockText(event.time, start)}] ◆ signal ${s.signal_type} ${s.dataset_urn} ` +
            `${event.previous ?? s.previous_state ?? '—'} → ${s.state}${metricText(s)}: ${s.reason}\n`,
        );
        return;
      }
      case 'incident': {
        const i = event.incident;
        write(
          `[${clockText(event.time, start)}] ✖ incident ${event.transition.toUpperCase()} ${i.incident_id} ` +
            `${i.severity} ${i.dataset_urns.join(', ')} — ${i.title}\n`,
        );
        return;
      }
      case 'rca':
        write(`\n${event.text}\n`);
        return;
      case 'done':
        write(
          `■ played ${Math.round(event.simulatedMs / 60_000)} simulated minutes in ${(event.wallMs / 1000).toFixed(1)} s ` +
            `(${(event.simulatedMs / 60_000 / Math.max(event.wallMs / 1000, 0.001)).toFixed(0)} simulated min/s) · ` +
            `${fmt(event.records)} records · ${fmt(event.evidence)} evidence\n`,
        );
    }
  };
}
