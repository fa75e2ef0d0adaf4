import type {
  BatchHandler,
  ConsumedMessage,
  EvidenceBus,
  SubscribeOptions,
} from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import { InMemoryEvidenceBus, InMemoryGraphStore } from '@signal-factory/core';
import { createLineageGraph } from '../lineage-graph';
import { startLineageBusConsumer } from './lineage-bus-consumer';

/** A bus that hands the test's batches to the subscribed handler, as a consumer group would. */
class ScriptedBus implements EvidenceBus {
  handler: BatchHandler | undefined;
  options: SubscribeOptions | undefined;
  closed = false;
  async ensureTopic(): Promise<void> {}
  async publish(): Promise<never[]> {
    return [];
  }
  async subscribe(options: SubscribeOptions, handler: BatchHandler) {
    this.options = options;
    this.handler = handler;
    return { close: async () => void (this.closed = true) };
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  deliver(values: string[]): Promise<void> {
    const batch: ConsumedMessage[] = values.map((value, i) => ({
      topic: 'lineage',
      partition: 0,
      offset: String(i),
      key: 'k',
      value,
      headers: {},
      timestamp: 0,
    }));
    return (this.handler as BatchHandler)(batch);
  }
}

describe('startLineageBusConsumer', () => {
  it('ingests OpenLineage, LineageSpec and deployment events; bad records are counted, not redelivered', async () => {
    const bus = new ScriptedBus();
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const rejected: string[] = [];
    const consumer = await startLineageBusConsumer({
      bus,
      ingestor: graph.ingestor,
      topics: ['lineage'],
      onRejected: (message, result) => {
        rejected.push(`${message.offset}:${result.code}`);
        throw new Error('a throwing hook changes nothing');
      },
    });
    expect(bus.options).toMatchObject({
      groupId: 'signal-factory.lineage',
      topics: ['lineage'],
      fromBeginning: true,
    });
    await bus.deliver([
      JSON.stringify({
        kind: 'LineageSpec',
        producer: { job: { name: 'j' } },
        inputs: [{ dataset: 'urn:dp:a:b' }],
        confidence: 'HIGH',
      }),
      JSON.stringify({ service: 'svc', version: '1', time: '2026-01-01T00:00:00Z' }),
      JSON.stringify({
        eventTime: '2026-01-01T00:00:00Z',
        producer: 'https://p',
        schemaURL: 'https://s',
        job: { namespace: 'n', name: 'j2' },
        inputs: [{ namespace: 'x', name: 'urn:dp:a:b' }],
      }),
      '{not json',
      JSON.stringify({
        eventTime: 'x',
        producer: 'https://p',
        schemaURL: 'https://s',
        run: {},
        job: { namespace: 'n', name: 'j' },
      }),
    ]);
    expect(consumer.counts).toEqual({ ingested: 3, rejected: 2 });
    expect(rejected).toEqual([
      '3:SF_ERR_LINEAGE_PAYLOAD_MALFORMED',
      '4:SF_ERR_LINEAGE_OPENLINEAGE_INVALID',
    ]);
    expect((await graph.queries.readersOf('urn:dp:a:b')).map((r) => r.id)).toEqual([
      'job:lineage-spec:j',
      'job:n:j2',
    ]);
    await consumer.close();
    expect(bus.closed).toBe(true);
  });

  it('works end to end on the embedded evidence bus', async () => {
    const bus = new InMemoryEvidenceBus();
    await bus.ensureTopic('lineage');
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const consumer = await startLineageBusConsumer({
      bus,
      ingestor: graph.ingestor,
      topics: ['lineage'],
    });
    await bus.publish('lineage', [
      {
        key: 'a',
        value: JSON.stringify({
          kind: 'LineageSpec',
          producer: { job: { name: 'j' } },
          outputs: [{ dataset: 'urn:dp:a:b' }],
          confidence: 'LOW',
        }),
      },
      { key: 'a', value: '[]' },
    ]);
    for (let i = 0; i < 200 && consumer.counts.ingested < 1; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(consumer.counts).toEqual({ ingested: 1, rejected: 0 });
    expect(await graph.queries.writersOf('urn:dp:a:b')).toEqual([
      { id: 'job:lineage-spec:j', label: 'Job', confidence: 'LOW' },
    ]);
    await consumer.close();
    await bus.close();
  });

  it('throws on a store failure so the bus redelivers the batch', async () => {
    const bus = new ScriptedBus();
    const store = new InMemoryGraphStore();
    store.upsertVertex = () => Promise.reject(new Error('graph down'));
    await startLineageBusConsumer({
      bus,
      ingestor: createLineageGraph({ store }).ingestor,
      topics: ['lineage'],
    });
    await expect(
      bus.deliver([JSON.stringify({ service: 'svc', version: '1', time: '2026-01-01T00:00:00Z' })]),
    ).rejects.toThrow('graph down');
  });

  it('validates its options', async () => {
    await expect(
      startLineageBusConsumer({ bus: {} as never, ingestor: {} as never, topics: [] }),
    ).rejects.toMatchObject({
      code: 'SF_ERR_LINEAGE_OPTIONS_INVALID',
      details: { problems: [{ path: 'bus' }, { path: 'ingestor' }, { path: 'topics' }] },
    });
  });
});
