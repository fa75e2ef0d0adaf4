import { describeEvidenceBusContract } from '@signal-factory/core/testing';
import { inject } from 'vitest';
import { KafkaEvidenceBus } from '../../src/index';

// The evidence topic of a real deployment has 64 partitions; so do the contract's topics here.
describeEvidenceBusContract('KafkaEvidenceBus', async () => ({
  bus: new KafkaEvidenceBus({
    brokers: [inject('kafkaBrokers')],
    clientId: 'sf-contract',
    consumer: {
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 100,
      retryBackoffMs: 50,
    },
  }),
  partitions: 64,
  topicPrefix: 'sf-contract-kafka',
  deliveryTimeoutMs: 30_000,
}));
