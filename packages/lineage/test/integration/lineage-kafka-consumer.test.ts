import { randomUUID } from 'node:crypto';
import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startLineageBusConsumer } from '../../src/bus/lineage-bus-consumer';
import { GremlinGraphStore } from '../../src/gremlin/gremlin-graph-store';
import { createLineageGraph } from '../../src/lineage-graph';
import { createDatasetResolver } from '../../src/resolver/dataset-resolver';

const run = randomUUID().slice(0, 8);

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('OpenLineage and deployment events from Kafka into the Gremlin graph', () => {
  const bus = new KafkaEvidenceBus({
    brokers: [inject('kafkaBrokers')],
    clientId: `sf-lineage-it-${run}`,
    consumer: {
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 100,
      retryBackoffMs: 50,
    },
    closeTimeoutMs: 20_000,
  });
  const store = new GremlinGraphStore({ url: inject('gremlinUrl') });
  afterAll(async () => {
    await bus.close();
    await store.close();
  });

  it('consumes through the EvidenceBus port, ingests valid records and counts bad ones', async () => {
    const topic = `sf-lineage-it-${run}`;
    await bus.ensureTopic(topic, { partitions: 2 });
    const graph = createLineageGraph({
      store,
      resolver: createDatasetResolver({
        exact: { [`raw.orders.${run}`]: `urn:dp:orders:created-${run}` },
      }),
    });
    const consumer = await startLineageBusConsumer({
      bus,
      ingestor: graph.ingestor,
      topics: [topic],
      groupId: `sf-lineage-${run}`,
    });
    await bus.publish(topic, [
      {
        key: 'ol',
        value: JSON.stringify({
          eventType: 'COMPLETE',
          eventTime: '2026-01-15T10:00:00Z',
          producer: 'https://example.com/p',
          schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
          run: { runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8' },
          job: { namespace: 'it', name: `reader-${run}` },
          inputs: [{ namespace: 'kafka://broker:9092', name: `raw.orders.${run}` }],
        }),
      },
      {
        key: 'deploy',
        value: JSON.stringify({
          service: `svc-${run}`,
          version: '1.0.0',
          time: '2026-01-15T09:00:00Z',
        }),
      },
      { key: 'bad', value: '{"eventTime": "x"' },
    ]);
    await waitFor(() => consumer.counts.ingested + consumer.counts.rejected >= 3);
    expect(consumer.counts).toEqual({ ingested: 2, rejected: 1 });
    expect(await graph.queries.readersOf(`urn:dp:orders:created-${run}`)).toEqual([
      { id: `job:it:reader-${run}`, label: 'Job', confidence: 'HIGH' },
    ]);
    expect((await graph.queries.deploymentAt(`svc-${run}`, '2026-01-15T10:00:00Z'))?.version).toBe(
      '1.0.0',
    );
    await consumer.close();
  });
});
