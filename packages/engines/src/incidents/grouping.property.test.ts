import type { Incident } from '@signal-factory/core';
import { checkIncident, InMemoryStateStore } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSignal } from './fixtures.test-data';
import { IncidentManager } from './incident-manager';

const DATASETS = ['urn:dp:a:one', 'urn:dp:a:two', 'urn:dp:b:three', 'urn:dp:b:four'];
const SIGNATURES = ['1', '2', '3', '4', '5'].map((c) => `sha256:${c.repeat(64)}`);

const arbSignal = fc.record({
  dataset: fc.integer({ min: 0, max: DATASETS.length - 1 }),
  signatures: fc.uniqueArray(fc.integer({ min: 0, max: SIGNATURES.length - 1 }), { maxLength: 2 }),
  type: fc.constantFrom('CONTRACT' as const, 'FRESHNESS' as const, 'DQ' as const),
  tier: fc.constantFrom(1 as const, 2 as const, 3 as const),
});

describe('grouping property (no lineage, no resolves)', () => {
  it('matches the reference model: the first claimed key (signatures, then dataset) decides; incidents stay valid', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbSignal, { minLength: 1, maxLength: 12 }), async (inputs) => {
        const clock = createTestClock(Date.parse('2026-11-25T10:00:00Z'));
        const store = new InMemoryStateStore();
        let ids = 0;
        const manager = new IncidentManager({
          store,
          now: clock.now,
          datasetInfo: () => ({ tier: inputs[0]?.tier ?? 2 }),
          tickIntervalMs: 0,
          newId: () => `inc-${++ids}`,
        });
        // Reference model: grouping keys in priority order (each signature, then the dataset);
        // the first key already claimed decides the incident; free keys are claimed by it.
        const claims = new Map<string, string>();
        let opened = 0;
        const incidentOf = new Map<string, string>();
        for (const input of inputs) {
          clock.advance(1_000);
          const signal = makeSignal({
            dataset_urn: DATASETS[input.dataset] as string,
            signal_type: input.type,
            failure_signature_ids: input.signatures.map((i) => SIGNATURES[i] as string),
            now: clock.now(),
          });
          const keys = [...input.signatures.map((i) => `s${i}`), `d${input.dataset}`];
          const holder = keys.map((k) => claims.get(k)).find((id) => id !== undefined);
          const expected = holder ?? `inc-${++opened}`;
          for (const k of keys) if (!claims.has(k)) claims.set(k, expected);
          const result = await manager.handleSignal(signal);
          expect(result.incident_id).toBe(expected);
          expect(result.action === 'opened').toBe(holder === undefined);
          incidentOf.set(signal.signal_id, expected);
        }
        const listing = await store.query('IncidentIndex', 'incidents');
        expect(listing).toHaveLength(opened);
        for (const item of listing) {
          const got = await store.get('IncidentIndex', {
            pk: `incident#${String(item.data.incident_id)}`,
            sk: 'incident',
          });
          const incident = got?.data as unknown as Incident;
          expect(checkIncident(incident).valid).toBe(true);
          // Each recorded signal id sits in the incident the model put it in.
          for (const id of incident.signal_ids)
            expect(incidentOf.get(id)).toBe(incident.incident_id);
          // The listing copy agrees with the incident.
          expect(item.data.status).toBe(incident.status);
          expect(item.data.dataset_urns).toEqual(incident.dataset_urns);
        }
        await manager.close();
      }),
      { numRuns: 60 },
    );
  });
});
