import {
  InMemoryEvidenceBus,
  InMemoryGraphStore,
  InMemoryStateStore,
  type EvidenceBus,
  type GraphStore,
  type StateStore,
} from '@signal-factory/core';
import { InMemoryRecordSink, type RecordSink } from '@signal-factory/sidecar';

import type { PlatformConfig } from '../config/platform-config';
import { withWallClockExpiry } from './wall-clock-expiry';

/** The four backends of a platform: embedded where the config has no section, real otherwise. */
export interface Backends {
  bus: EvidenceBus;
  state: StateStore;
  graph: GraphStore;
  /** Where the sidecar writes the records themselves. */
  sink: RecordSink;
  /** Which of them are real (for logs and the `up` banner). */
  kinds: {
    bus: 'embedded' | 'kafka';
    state: 'embedded' | 'dynamodb';
    graph: 'embedded' | 'gremlin';
  };
}

/**
 * Creates the backends. Real clients are imported lazily, so the embedded platform never loads
 * kafkajs, the AWS SDK or the Gremlin client.
 */
export async function createBackends(config: PlatformConfig, now: () => number): Promise<Backends> {
  let bus: EvidenceBus;
  let sink: RecordSink;
  if (config.kafka !== undefined) {
    const { KafkaEvidenceBus } = await import('@signal-factory/kafka');
    const { KafkaRecordSink } = await import('@signal-factory/sidecar');
    bus = new KafkaEvidenceBus({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId ?? 'signal-factory',
      ...(config.kafka.partitions === undefined
        ? {}
        : { defaultPartitions: config.kafka.partitions }),
      consumer: { maxWaitTimeMs: config.kafka.maxWaitTimeMs ?? 100 },
      producer: { lingerMs: 2, client: config.kafka.client ?? 'platformatic' },
    });
    sink = new KafkaRecordSink({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId ?? 'signal-factory'}-sidecar`,
      client: config.kafka.client ?? 'platformatic',
    });
  } else {
    // Retention by count keeps a long-running embedded platform's memory bounded.
    bus = new InMemoryEvidenceBus({ now, maxRecordsPerPartition: 200_000 });
    sink = new InMemoryRecordSink();
  }
  let state: StateStore;
  if (config.dynamodb !== undefined) {
    const { DynamoDbStateStore } = await import('@signal-factory/dynamodb');
    const d = config.dynamodb;
    const store = new DynamoDbStateStore({
      ...(d.endpoint === undefined ? {} : { endpoint: d.endpoint }),
      region: d.region ?? 'us-east-1',
      ...(d.tablePrefix === undefined ? {} : { tablePrefix: d.tablePrefix }),
      clock: now,
    });
    if (d.createTables ?? d.endpoint !== undefined) await store.ensureTables();
    state = withWallClockExpiry(store, Math.floor((Date.now() - now()) / 1000));
  } else {
    state = new InMemoryStateStore({ now });
  }
  let graph: GraphStore;
  if (config.gremlin !== undefined) {
    const { GremlinGraphStore } = await import('@signal-factory/lineage');
    graph = new GremlinGraphStore({
      url: config.gremlin.url,
      ...(config.gremlin.traversalSource === undefined
        ? {}
        : { traversalSource: config.gremlin.traversalSource }),
    });
  } else {
    graph = new InMemoryGraphStore();
  }
  return {
    bus,
    state,
    graph,
    sink,
    kinds: {
      bus: config.kafka === undefined ? 'embedded' : 'kafka',
      state: config.dynamodb === undefined ? 'embedded' : 'dynamodb',
      graph: config.gremlin === undefined ? 'embedded' : 'gremlin',
    },
  };
}
