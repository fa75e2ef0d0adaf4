/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON (HTTP answers, AdmissionReviews). */
import { request } from 'node:http';

import { HEADERS, validateEvidence } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { StaticRegistrySource } from '../registry/yaml-registry-source';
import { createSidecar, type Sidecar } from '../sidecar';
import { InMemoryRecordSink } from '../sink/in-memory-record-sink';
import { orderEvent, registryDocuments } from '../testing/fixtures';
import { RecordingBus } from '../testing/recording-bus';

function call(
  url: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: string; json: () => any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const produce = (url: string, records: unknown[]) =>
  call(url, 'POST', '/v1/produce', JSON.stringify({ records }));

describe('sidecar HTTP hop', () => {
  let sidecar: Sidecar;
  let url: string;
  const sink = new InMemoryRecordSink();
  const bus = new RecordingBus();

  beforeAll(async () => {
    sidecar = createSidecar({
      registry: new StaticRegistrySource(registryDocuments('enforce')),
      sink,
      evidenceBus: bus,
      port: 0,
      maxBodyBytes: 1024 * 1024,
      registryTtlMs: 0,
    });
    url = await sidecar.start();
  });
  afterAll(async () => {
    await sidecar.close();
  });

  it('gates, produces, publishes valid Evidence v1 and answers per record', async () => {
    const res = await produce(url, [
      {
        topic: 'orders.created',
        key: 'o-1',
        value: JSON.stringify(orderEvent()),
        headers: {
          [HEADERS.producerService]: 'orders-svc',
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          [HEADERS.eventTime]: '2026-11-25T10:00:00Z',
        },
      },
    ]);
    expect(res.status).toBe(200);
    const [result] = res.json().results;
    expect(result).toMatchObject({
      index: 0,
      status: 'produced',
      topic: 'orders.created',
      outcome: 'PASS',
      reasonCodes: ['SCHEMA_UNREGISTERED'],
    });
    expect(result.evidenceId).toMatch(/^ev_[0-9a-f]{32}$/);
    expect(sink.records('orders.created')).toHaveLength(1);
    const evidence = bus.evidence().at(-1);
    expect(validateEvidence(evidence)).toBeTruthy();
    expect(evidence).toMatchObject({
      evidence_id: result.evidenceId,
      dataset_urn: 'urn:dp:orders:created',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      event_time: '2026-11-25T10:00:00Z',
      producer: { service: 'orders-svc', identity_confidence: 'HIGH', identity_method: 'header' },
      contract: { id: 'urn:dp:orders:created', version: '1.0.0' },
      result: 'PASS',
      enforcement: 'enforce',
      source: 'sidecar',
      sample_weight: 1,
    });
    // Redacted sample: the declared PII field is never copied.
    expect((evidence?.sample as Record<string, unknown>).email).toBe('[REDACTED]');
    expect(bus.published.at(-1)?.message.key).toBe('urn:dp:orders:created');
    // evidence records carry no Kafka headers: the value says what it is (schema_version)
    expect(bus.published.at(-1)?.message.headers).toBeUndefined();
    expect(bus.evidence().at(-1)?.schema_version).toBe('evidence/v1');
    expect(bus.topics.get('signal_factory.evidence')).toBe(64);
  });

  it('quarantines FAIL under enforce with reason-code and source-topic headers', async () => {
    const bad = orderEvent({ amount: 'lots', notes: 'my ssn is 078-05-1123' });
    const res = await produce(url, [
      { topic: 'orders.created', key: 'o-2', value: JSON.stringify(bad) },
    ]);
    const [result] = res.json().results;
    expect(result).toMatchObject({
      status: 'quarantined',
      topic: 'orders.created.quarantine',
      outcome: 'FAIL',
    });
    expect(result.reasonCodes).toEqual(
      expect.arrayContaining([
        'TYPE_MISMATCH:amount',
        'PII_DETECTED:ssn:notes',
        'IDENTITY_UNVERIFIED',
      ]),
    );
    const [q] = sink.records('orders.created.quarantine');
    expect(q?.headers[HEADERS.sourceTopic]).toBe('orders.created');
    expect(q?.headers[HEADERS.reasonCodes]).toContain('TYPE_MISMATCH:amount');
    const evidence = bus.evidence().at(-1) as Record<string, any>;
    expect(evidence.pii_findings).toEqual([{ type: 'ssn', path: 'notes' }]);
    expect(JSON.stringify(evidence)).not.toContain('078-05-1123');
    expect(evidence.producer).toMatchObject({
      service: 'orders-svc',
      identity_confidence: 'MEDIUM',
    });
  });

  it('marks non-JSON values UNPARSEABLE_VALUE, rejects records without topic, never fails the batch', async () => {
    const res = await produce(url, [
      { topic: 'orders.created', value: 'not json {' },
      { value: '{}' },
      { topic: 'bad topic!', value: '{}' },
      { topic: 'unknown.topic', value: '{"a":1}' },
      { topic: 'orders.created', value: '//79', valueEncoding: 'base64' },
      {
        topic: 'x',
        value: 'a',
        headers: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`h${i}`, 'v'])),
      },
      42,
    ]);
    expect(res.status).toBe(200);
    const results = res.json().results;
    expect(results[0]).toMatchObject({ status: 'quarantined', outcome: 'FAIL' });
    expect(results[0].reasonCodes).toContain('UNPARSEABLE_VALUE');
    expect(results[1]).toMatchObject({
      status: 'rejected',
      error: { code: 'SF_ERR_SIDECAR_RECORD_INVALID', retriable: false },
    });
    expect(results[1].error.message).toContain('topic');
    expect(results[2].status).toBe('rejected');
    expect(results[3]).toMatchObject({ status: 'produced', outcome: 'WARN' });
    expect(results[3].reasonCodes).toContain('UNRESOLVED_TOPIC');
    expect(results[4].reasonCodes).toContain('UNPARSEABLE_VALUE');
    expect(results[5]).toMatchObject({ status: 'rejected' });
    expect(results[5].error.message).toContain('too many headers');
    expect(results[6].status).toBe('rejected');
    const unresolved = bus.evidence().find((e) => e.topic === 'unknown.topic');
    expect(unresolved?.dataset_urn).toBeNull();
    expect(validateEvidence(unresolved)).toBeTruthy();
  });

  it('handles 1,000-deep nesting and hostile strings without crashing', async () => {
    const deep = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    const hostile = JSON.stringify({ notes: `${'(a+)+$'.repeat(2000)}${'a'.repeat(30_000)}!` });
    const res = await produce(url, [
      { topic: 'orders.created', value: deep },
      { topic: 'unknown.topic', value: hostile },
    ]);
    const results = res.json().results;
    expect(results[0].reasonCodes).toContain('NESTING_TOO_DEEP');
    expect(results[1].status).toBe('produced');
  });

  it('answers 415, 400 and 413', async () => {
    expect(
      (await call(url, 'POST', '/v1/produce', '{}', { 'content-type': 'text/plain' })).status,
    ).toBe(415);
    const malformed = await call(url, 'POST', '/v1/produce', '{"records": [');
    expect(malformed.status).toBe(400);
    expect(malformed.json().error.code).toBe('SF_ERR_SIDECAR_BAD_REQUEST');
    expect((await call(url, 'POST', '/v1/produce', '{"nope":1}')).status).toBe(400);
    expect(
      (await call(url, 'POST', '/v1/produce', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).status,
    ).toBe(400);
    const big = await produce(url, [
      { topic: 'orders.created', value: 'x'.repeat(2 * 1024 * 1024) },
    ]);
    expect(big.status).toBe(413);
    expect(big.json().error.code).toBe('SF_ERR_SIDECAR_BODY_TOO_LARGE');
    expect((await call(url, 'GET', '/nope')).status).toBe(404);
  });

  it('answers an HTTP header flood with 431 and keeps serving', async () => {
    const flood = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`x-flood-${i}`, 'y'.repeat(100)]),
    );
    const res = await call(url, 'POST', '/v1/produce', '{"records":[]}', {
      'content-type': 'application/json',
      ...flood,
    }).catch((error: NodeJS.ErrnoException) => ({
      status: error.code === 'ECONNRESET' ? 431 : 0,
      body: '',
      json: () => ({}),
    }));
    expect(res.status).toBe(431);
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
  });

  it('serves health, readiness, metrics and trust', async () => {
    expect((await call(url, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await call(url, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, registry: { loaded: true, stale: false } });
    const metrics = (await call(url, 'GET', '/metrics')).body;
    expect(metrics).toMatch(/sf_sidecar_records_total\{status="produced",source="sidecar"\} \d+/);
    expect(metrics).toMatch(/sf_sidecar_reason_codes_total\{gate="G4",code="TYPE_MISMATCH"\} 1/);
    expect(metrics).toContain('sf_sidecar_request_duration_seconds_bucket');
    expect(metrics).toContain('sf_sidecar_queue_depth 0');
    expect(metrics).toContain('sf_sidecar_registry_stale 0');
    const trust = await call(url, 'GET', '/v1/trust?dataset=urn:dp:orders:created&window=5m');
    expect(trust.status).toBe(200);
    const report = trust.json();
    expect(report.records).toBeGreaterThanOrEqual(3);
    expect(report.fail).toBeGreaterThanOrEqual(2);
    expect(report.lastFailure.reasonCodes.length).toBeGreaterThan(0);
    expect(report.recommendation).toBe('quarantine');
    expect((await call(url, 'GET', '/v1/trust?window=5m')).status).toBe(400);
    expect((await call(url, 'GET', '/v1/trust?dataset=x&window=5y')).status).toBe(400);
  });

  it('reports sink failures per record as retriable errors and not-ready', async () => {
    sink.failNext(1);
    const res = await produce(url, [
      { topic: 'orders.created', value: JSON.stringify(orderEvent()) },
    ]);
    expect(res.json().results[0]).toMatchObject({ status: 'error', error: { retriable: true } });
    expect((await call(url, 'GET', '/readyz')).status).toBe(503);
    await produce(url, [{ topic: 'orders.created', value: JSON.stringify(orderEvent()) }]);
    expect((await call(url, 'GET', '/readyz')).status).toBe(200);
  });

  it('reports evidence failures without asking for a resend', async () => {
    bus.fail = true;
    try {
      const res = await produce(url, [
        { topic: 'orders.created', value: JSON.stringify(orderEvent()) },
      ]);
      expect(res.json().results[0]).toMatchObject({
        status: 'error',
        error: { code: 'SF_ERR_SIDECAR_EVIDENCE_FAILED', retriable: false },
      });
      expect(res.json().results[0].offset).toBeDefined();
    } finally {
      bus.fail = false;
    }
  });

  it('survives fuzzed request bodies (always a JSON answer with 200/400/413)', async () => {
    const record = fc.record(
      {
        topic: fc.oneof(
          fc.constantFrom('orders.created', 'unknown.t', ''),
          fc.string({ maxLength: 20 }),
          fc.integer(),
        ),
        key: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(null), fc.integer()),
        value: fc.oneof(
          fc.json({ maxDepth: 4 }),
          fc.string({ maxLength: 200 }),
          fc.constant(null),
          fc.anything(),
        ),
        valueEncoding: fc.constantFrom('utf8', 'base64', 'latin1'),
        headers: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.array(record, { maxLength: 8 }).map((records) => JSON.stringify({ records })),
      fc.string({ maxLength: 200 }),
      fc.json(),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await call(url, 'POST', '/v1/produce', b);
        expect([200, 400, 413]).toContain(res.status);
        const parsed = res.json();
        if (res.status === 200) expect(Array.isArray(parsed.results)).toBe(true);
        else expect(parsed.error.code).toMatch(/^SF_ERR_SIDECAR_/);
      }),
      { numRuns: 150 },
    );
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('sidecar on an injected clock (now option)', () => {
  it('stamps evidence, default record timestamps, trust windows and registry age with it', async () => {
    const start = Date.UTC(2026, 0, 15, 9, 0, 0);
    const clock = createTestClock(start);
    const bus = new RecordingBus();
    const sidecar = createSidecar({
      registry: new StaticRegistrySource(registryDocuments('observe')),
      sink: new InMemoryRecordSink(),
      evidenceBus: bus,
      port: 0,
      registryTtlMs: 0,
      now: clock.now,
    });
    const url = await sidecar.start();
    try {
      expect(sidecar.registry.status.lastSuccessAt).toBe(start);
      clock.advance(90_000);
      const res = await produce(url, [
        {
          topic: 'orders.created',
          key: 'o-1',
          value: JSON.stringify({ ...orderEvent(), customer_id: undefined }),
          headers: { [HEADERS.producerService]: 'orders-svc' },
        },
      ]);
      expect(res.status).toBe(200);
      const evidence = bus.evidence().at(-1);
      expect(validateEvidence(evidence)).toBeTruthy();
      // Simulated time, not wall time; a record without a timestamp is stamped with it too.
      expect(evidence?.processing_time).toBe(new Date(start + 90_000).toISOString());
      expect(evidence?.event_time).toBe(new Date(start + 90_000).toISOString());
      const trust = () => call(url, 'GET', '/v1/trust?dataset=urn:dp:orders:created&window=5m');
      expect((await trust()).json().records).toBe(1);
      clock.advance(10 * 60_000); // the record is 10 simulated minutes old: outside a 5 min window
      expect((await trust()).json().records).toBe(0);
      const metrics = (await call(url, 'GET', '/metrics')).body;
      expect(metrics).toContain('sf_sidecar_registry_age_seconds 690');
    } finally {
      await sidecar.close();
    }
  });

  it('rejects a clock that is not a function', () => {
    expect(() =>
      createSidecar({
        registry: new StaticRegistrySource(registryDocuments('observe')),
        sink: new InMemoryRecordSink(),
        evidenceBus: new RecordingBus(),
        now: 5 as unknown as () => number,
      }),
    ).toThrow(/now/);
  });
});
