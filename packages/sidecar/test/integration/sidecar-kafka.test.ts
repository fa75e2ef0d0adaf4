/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON (HTTP answers, AdmissionReviews). */
import { request } from 'node:http';

import { HEADERS, validateEvidence } from '@signal-factory/core';
import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  GatePipeline,
  KafkaRecordSink,
  StaticRegistrySource,
  buildSnapshot,
  createSidecar,
  readKafkaRange,
  replay,
  type Sidecar,
} from '../../src/index';
import { ORDERS_CONTRACT, orderEvent, registryDocuments } from '../../src/testing/fixtures';

function post(url: string, body: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/produce`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, ...JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('sidecar against a real Kafka broker', () => {
  const brokers = [inject('kafkaBrokers')];
  const kafka = new Kafka({ clientId: 'sidecar-it', brokers, logLevel: logLevel.NOTHING });
  const suffix = Date.now().toString(36);
  const topic = `orders.created`;
  const evidenceTopic = `signal_factory.evidence.it-${suffix}`;
  let sidecar: Sidecar;
  let url: string;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 3 },
        { topic: `${topic}.quarantine`, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    sidecar = createSidecar({
      registry: new StaticRegistrySource(registryDocuments('enforce')),
      sink: new KafkaRecordSink({ brokers }),
      evidenceBus: new KafkaEvidenceBus({ brokers }),
      evidenceTopic,
      evidencePartitions: 4,
      port: 0,
      registryTtlMs: 0,
    });
    url = await sidecar.start();
  });
  afterAll(async () => {
    await sidecar?.close();
  });

  it('produces, quarantines and publishes evidence that reads back from Kafka', async () => {
    const before = await readKafkaRange({ brokers, topic });
    const records = [
      {
        topic,
        key: `a-${suffix}`,
        value: JSON.stringify(orderEvent({ order_id: `a-${suffix}` })),
        headers: { [HEADERS.producerService]: 'orders-svc' },
      },
      {
        topic,
        key: `b-${suffix}`,
        value: JSON.stringify(orderEvent({ order_id: `b-${suffix}` })),
        headers: { [HEADERS.producerService]: 'orders-svc' },
      },
      {
        topic,
        key: `c-${suffix}`,
        value: JSON.stringify(orderEvent({ order_id: `c-${suffix}`, amount: 'lots' })),
      },
    ];
    const res = await post(url, { records });
    expect(res.status).toBe(200);
    const [a, b, c] = res.results;
    expect(a).toMatchObject({ status: 'produced', topic, outcome: 'PASS' });
    expect(b).toMatchObject({ status: 'produced', topic });
    expect(c).toMatchObject({
      status: 'quarantined',
      topic: `${topic}.quarantine`,
      outcome: 'FAIL',
    });

    // The records are where the acknowledgement says (exact partition and offset).
    const after = await readKafkaRange({ brokers, topic });
    const added = after.filter(
      (r) => !before.some((x) => x.partition === r.partition && x.offset === r.offset),
    );
    for (const result of [a, b]) {
      const found = added.find(
        (r) => r.partition === result.partition && r.offset === result.offset,
      );
      expect(found, `record at ${result.partition}@${result.offset}`).toBeDefined();
      expect(JSON.parse(found?.value.toString() ?? '{}').order_id).toBe(
        records[res.results.indexOf(result)]?.key,
      );
    }
    const quarantined = await readKafkaRange({ brokers, topic: `${topic}.quarantine` });
    const q = quarantined.find((r) => r.partition === c.partition && r.offset === c.offset);
    expect(q?.headers[HEADERS.sourceTopic]).toBe(topic);
    expect(q?.headers[HEADERS.reasonCodes]).toContain('TYPE_MISMATCH:amount');

    // Evidence: one per record, valid v1, keyed by dataset URN, ids match the answers.
    const evidence = await readKafkaRange({ brokers, topic: evidenceTopic });
    const parsed = evidence.map((e) => ({
      key: e.key?.toString(),
      value: JSON.parse(e.value.toString()),
    }));
    for (const result of [a, b, c]) {
      const e = parsed.find((p) => p.value.evidence_id === result.evidenceId);
      expect(e, result.evidenceId).toBeDefined();
      expect(validateEvidence(e?.value)).toBeTruthy();
      expect(e?.key).toBe('urn:dp:orders:created');
      expect(e?.value.offset).toBe(result.offset);
    }

    // Replay the quarantine topic against a contract version that accepts string amounts.
    const v2 = structuredClone(ORDERS_CONTRACT) as typeof ORDERS_CONTRACT;
    v2.version = '2.0.0';
    const amount = v2.schema[0]?.properties.find((p) => p.name === 'amount');
    if (amount !== undefined) amount.logicalType = 'string';
    const docs = [...registryDocuments('enforce').filter((d) => d !== ORDERS_CONTRACT), v2];
    const next = new GatePipeline(
      buildSnapshot(docs.map((document, i) => ({ origin: String(i), document }))),
    );
    const report = await replay(quarantined, { processor: sidecar.processor, pipeline: next });
    expect(report.nowPassing).toBeGreaterThanOrEqual(1);
    expect(report.released).toContainEqual({
      topic: `${topic}.quarantine`,
      partition: c.partition,
      offset: c.offset,
    });
  });

  it('answers per-record errors (not a crash) when the broker rejects a record', async () => {
    const res = await post(url, { records: [{ topic, value: 'x'.repeat(2 * 1024 * 1024) }] });
    expect(res.status).toBe(200);
    expect(res.results[0]).toMatchObject({
      status: 'error',
      error: { code: 'SF_ERR_SIDECAR_PRODUCE_FAILED' },
    });
  });
});
