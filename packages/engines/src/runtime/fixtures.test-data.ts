import {
  InMemoryEvidenceBus,
  InMemoryStateStore,
  type Evidence,
  type Signal,
} from '@signal-factory/core';
import { createTestClock, type TestClock } from '@signal-factory/core/testing';
import { createEngineRuntime, type EngineRuntime } from './engine-runtime';
import type { EngineRuntimeOptions } from './options';

let seq = 0;

/** A valid Evidence v1 document for `urn` at `eventTime` (epoch ms). */
export function evidence(
  urn: string,
  eventTime: number,
  overrides: Partial<Evidence> = {},
): Evidence {
  seq += 1;
  return {
    schema_version: 'evidence/v1',
    evidence_id: `ev_${seq.toString(16).padStart(32, '0')}`,
    dataset_urn: urn,
    topic: urn.replace(/^urn:dp:/, '').replace(/:/g, '.'),
    producer: { service: 'orders-svc', identity_confidence: 'HIGH', identity_method: 'header' },
    event_time: new Date(eventTime).toISOString(),
    processing_time: new Date(eventTime).toISOString(),
    gates: [],
    result: 'PASS',
    reason_codes: [],
    pii_findings: [],
    sample_weight: 1,
    enforcement: 'observe',
    source: 'sidecar',
    ...overrides,
  };
}

export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0); // a Wednesday

export interface Harness {
  bus: InMemoryEvidenceBus;
  state: InMemoryStateStore;
  clock: TestClock;
  signals: Signal[];
  runtime: EngineRuntime;
  publish(items: Evidence[]): Promise<void>;
}

export async function harness(
  options: Omit<EngineRuntimeOptions, 'bus' | 'state'> & {
    bus?: InMemoryEvidenceBus;
    state?: InMemoryStateStore;
    start?: number;
  },
): Promise<Harness> {
  const { bus: givenBus, state: givenState, start, ...rest } = options;
  const clock = (rest.clock as TestClock | undefined) ?? createTestClock(start ?? T0);
  const bus = givenBus ?? new InMemoryEvidenceBus({ now: () => clock.now() });
  const state = givenState ?? new InMemoryStateStore({ now: () => clock.now() });
  const signals: Signal[] = [];
  const runtime = createEngineRuntime({
    autoTick: false,
    signalSink: (s) => {
      signals.push(s);
    },
    ...rest,
    clock,
    bus,
    state,
  });
  await runtime.start();
  return {
    bus,
    state,
    clock,
    signals,
    runtime,
    async publish(items) {
      await bus.publish(
        'signal_factory.evidence',
        items.map((e) => ({ key: e.dataset_urn ?? 'unresolved', value: JSON.stringify(e) })),
      );
    },
  };
}

/** Evidence spread evenly over [from, to). */
export function stream(
  urn: string,
  from: number,
  to: number,
  count: number,
  overrides: Partial<Evidence> = {},
): Evidence[] {
  const out: Evidence[] = [];
  const step = (to - from) / count;
  for (let i = 0; i < count; i++) out.push(evidence(urn, Math.floor(from + i * step), overrides));
  return out;
}
