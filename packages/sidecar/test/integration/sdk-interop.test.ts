import { HEADERS } from '@signal-factory/core';
import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { createProducer } from '@signal-factory/producer-sdk';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  KafkaRecordSink,
  StaticRegistrySource,
  createSidecar,
  readKafkaRange,
  type Sidecar,
} from '../../src/index';
import { orderEvent, registryDocuments } from '../../src/testing/fixtures';

/** The producer SDK's sidecar transport and this sidecar speak the same protocol (docs/protocols/sidecar-hop.md). */
describe('producer SDK → sidecar → Kafka', () => {
  const brokers = [inject('kafkaBrokers')];
  const kafka = new Kafka({ clientId: 'sdk-interop-it', brokers, logLevel: logLevel.NOTHING });
  const topic = `interop.${Date.now().toString(36)}`;
  const evidenceTopic = `signal_factory.evidence.interop-${Date.now().toString(36)}`;
  let sidecar: Sidecar;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 2 }, { topic: `${topic}.quarantine` }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    sidecar = createSidecar({
      registry: new StaticRegistrySource([
        ...registryDocuments('enforce'),
        { kind: 'Dataset', urn: 'urn:dp:interop:orders', enforcement: 'enforce', topics: [topic] },
        { ...(registryDocuments()[4] as object), id: 'urn:dp:interop:orders' },
      ]),
      sink: new KafkaRecordSink({ brokers }),
      evidenceBus: new KafkaEvidenceBus({ brokers }),
      evidenceTopic,
      evidencePartitions: 2,
      port: 0,
      registryTtlMs: 0,
    });
    await sidecar.start();
  });
  afterAll(async () => {
    await sidecar?.close();
  });

  it('sends through the hop with identity headers; FAIL records land in quarantine', async () => {
    const producer = createProducer(kafka, {
      service: { name: 'orders-svc', version: '1.2.3' },
      transport: 'sidecar',
      sidecar: { url: sidecar.url, failMode: 'closed' },
    });
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [
          { key: 'good', value: JSON.stringify(orderEvent({ order_id: 'good' })) },
          { key: 'bad', value: JSON.stringify(orderEvent({ order_id: 'bad', amount: 'lots' })) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const main = await readKafkaRange({ brokers, topic });
    expect(main.map((r) => r.key?.toString())).toEqual(['good']);
    expect(main[0]?.headers[HEADERS.producerService]).toBe('orders-svc');
    expect(main[0]?.headers[HEADERS.enforcement]).toBe('sidecar');
    const quarantine = await readKafkaRange({ brokers, topic: `${topic}.quarantine` });
    expect(quarantine.map((r) => r.key?.toString())).toEqual(['bad']);
    const evidence = (await readKafkaRange({ brokers, topic: evidenceTopic })).map((r) =>
      JSON.parse(r.value.toString()),
    );
    expect(
      evidence.map((e) => [e.result, e.producer.identity_confidence, e.producer.version]).sort(),
    ).toEqual([
      ['FAIL', 'HIGH', '1.2.3'],
      ['PASS', 'HIGH', '1.2.3'],
    ]);
  });
});
