// Shared by the incident unit tests and the real-server test (not part of the package surface).
import { randomBytes } from 'node:crypto';
import type { Signal, SignalType } from '@signal-factory/core';

let counter = 0;
// Unique per process: signal vertices in a shared Gremlin Server must not collide across runs.
const RUN = randomBytes(3).toString('hex');

export const SIG_A = `sha256:${'a'.repeat(64)}`;
export const SIG_B = `sha256:${'b'.repeat(64)}`;

/** A valid Signal v1 with sensible defaults. */
export function makeSignal(
  overrides: Partial<Signal> & { dataset_urn: string; now: number },
): Signal {
  counter += 1;
  const { now, ...rest } = overrides;
  return {
    schema_version: 'signal/v1',
    signal_id: `sig-${RUN}-${counter}`,
    signal_type: 'CONTRACT' as SignalType,
    state: 'CRITICAL',
    metrics: { compliance_rate: 0.42 },
    failure_signature_ids: [],
    reason: 'Compliance 42% is below the 95% SLO',
    engine: 'contract@0.0.0',
    emitted_at: new Date(now).toISOString(),
    defaults_applied: [],
    window: {
      start: new Date(now - 300_000).toISOString(),
      end: new Date(now).toISOString(),
    },
    ...rest,
  };
}
