import type { JsonValue, SignalState } from '@signal-factory/core';

/** What the runtime persists per dataset and engine (`engine#<type>` item). Plain JSON. */
export interface RuntimeDoc {
  v: 1;
  /** The engine's own state. */
  engine: JsonValue;
  /** End of the last closed window (epoch ms): every window before it is closed and never counted again. */
  closedThrough: number;
  /** Last applied offset per evidence partition: a redelivered record is skipped, never counted twice. */
  offsets: { [partition: string]: string };
  /** Instance holding the lease. */
  owner: string;
  /** Lease expiry (epoch ms of the processing clock). */
  leaseUntil: number;
  /** State of the last emitted signal. */
  lastState: SignalState | null;
  /** When the last signal was emitted (epoch ms); 0 = never. */
  lastEmitAt: number;
  /** Late-beyond-grace and future-clamped evidence since the last closed window. */
  late: number;
  future: number;
  /** Emission counter, part of deterministic signal ids. */
  seq: number;
}

export function isRuntimeDoc(value: unknown): value is RuntimeDoc {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return (
    d.v === 1 &&
    typeof d.closedThrough === 'number' &&
    typeof d.offsets === 'object' &&
    d.offsets !== null &&
    typeof d.leaseUntil === 'number' &&
    'engine' in d
  );
}
