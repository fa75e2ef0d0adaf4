import { failureSignatureId } from '@signal-factory/core';
import { randomRunId, waitFor } from '@signal-factory/core/testing';
import { EDGE_LABELS, GremlinGraphStore, vertexIds } from '@signal-factory/lineage';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  ENGINES_EXIT,
  runEnginesCommand,
  type EnginesCommandParts,
} from '../../src/cli/run-engines-command';
import { makeSignal } from '../../src/incidents/fixtures.test-data';

// `signal-factory engines` as its own process, with SF_GREMLIN_URL: a CRITICAL signal on the
// signals topic becomes an incident, and the graph holds Incident ← TRIGGERED ← Signal ← CAUSED ←
// FailureSignature.

const gremlinUrl = inject('gremlinUrl');
const run = randomRunId();
const URN = `urn:dp:it${run}:engines-cmd`;
const HASH = failureSignatureId({
  datasetUrn: URN,
  failedGates: ['G4'],
  reasonCodes: ['MISSING_FIELD:customer_id'],
});

describe('runEnginesCommand with a Gremlin URL', () => {
  const check = new GremlinGraphStore({ url: gremlinUrl });
  afterAll(async () => {
    await check.close();
  });

  it('writes incidents and their signals to the graph', async () => {
    const controller = new AbortController();
    let parts: EnginesCommandParts | undefined;
    const running = runEnginesCommand(['run', '--engines', 'contract'], {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: { SF_GREMLIN_URL: gremlinUrl, SF_LOG_LEVEL: 'error' },
      signal: controller.signal,
      onStarted: (_runtime, p) => {
        parts = p;
      },
    });
    try {
      await waitFor(() => parts !== undefined, { timeoutMs: 30_000 });
      expect(parts?.graph).toBeDefined();
      expect(parts?.signatureWriter).toBeDefined();
      const signal = makeSignal({
        dataset_urn: URN,
        now: Date.now(),
        failure_signature_ids: [HASH],
      });
      await parts!.bus.publish('signal_factory.signals', [
        { key: URN, value: JSON.stringify(signal) },
      ]);
      await waitFor(async () => (await parts!.incidents!.list()).length > 0, {
        timeoutMs: 30_000,
      });
      const [incident] = await parts!.incidents!.list();
      // the graph is written asynchronously (vertices, then edges): wait for the whole chain
      const edgesInto = (id: string, label: string) =>
        check.edges(id, { direction: 'in', labels: [label] });
      await waitFor(
        async () =>
          (await edgesInto(vertexIds.incident(incident!.incident_id), EDGE_LABELS.TRIGGERED))
            .length > 0 &&
          (await edgesInto(vertexIds.signal(signal.signal_id), EDGE_LABELS.CAUSED)).length > 0,
        { timeoutMs: 30_000 },
      );
      const triggered = await edgesInto(
        vertexIds.incident(incident!.incident_id),
        EDGE_LABELS.TRIGGERED,
      );
      expect(triggered.map((e) => e.from)).toEqual([vertexIds.signal(signal.signal_id)]);
      const caused = await edgesInto(vertexIds.signal(signal.signal_id), EDGE_LABELS.CAUSED);
      expect(caused.map((e) => e.from)).toEqual([vertexIds.failureSignature(HASH)]);
    } finally {
      controller.abort();
    }
    expect(await running).toBe(ENGINES_EXIT.OK);
  }, 90_000);
});
