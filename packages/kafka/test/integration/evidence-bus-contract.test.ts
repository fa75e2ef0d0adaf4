import { describeEvidenceBusContract } from '@signal-factory/core/testing';
import { inject } from 'vitest';
import { KafkaEvidenceBus } from '../../src/index';

// Both producer clients pass the same contract. The evidence topic of a real deployment has 64
// partitions; so do the contract's topics here.
for (const client of ['platformatic', 'kafkajs'] as const) {
  describeEvidenceBusContract(`KafkaEvidenceBus (${client} producer)`, async () => ({
    bus: new KafkaEvidenceBus({
      brokers: [inject('kafkaBrokers')],
      clientId: 'sf-contract',
      producer: { client },
      consumer: {
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        maxWaitTimeMs: 100,
        retryBackoffMs: 50,
      },
    }),
    partitions: 64,
    topicPrefix: `sf-contract-${client}`,
    deliveryTimeoutMs: 30_000,
  }));
}
