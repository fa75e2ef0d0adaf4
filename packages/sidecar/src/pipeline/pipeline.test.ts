import { validateEvidence } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import { buildEvidence, redact } from '../evidence/build-evidence';
import { decideSample } from '../evidence/sampler';
import { buildSnapshot } from '../registry/build-snapshot';
import { StaticRegistrySource } from '../registry/yaml-registry-source';
import { createSidecar } from '../sidecar';
import { InMemoryRecordSink } from '../sink/in-memory-record-sink';
import { orderEvent, registryDocuments } from '../testing/fixtures';
import { RecordingBus } from '../testing/recording-bus';
import { decodeRecord } from '../http/decode-request';
import { GatePipeline } from './gate-pipeline';
import type { IncomingRecord } from './record-processor';

const snapshot = (docs = registryDocuments('enforce')) =>
  buildSnapshot(docs.map((document, i) => ({ origin: String(i), document })));

describe('GatePipeline', () => {
  const pipeline = new GatePipeline(snapshot(), { maxInspectBytes: 4096, maxDepth: 8 });
  const run = (value: string | Buffer, topic = 'orders.created') =>
    pipeline.run({
      topic,
      value: typeof value === 'string' ? Buffer.from(value) : value,
      headers: {},
    });

  it('runs the five gates in order and unions their reason codes', () => {
    const r = run(JSON.stringify(orderEvent({ amount: 'x' })));
    expect(r.gates.map((g) => g.gate)).toEqual(['G1', 'G2', 'G3', 'G4', 'G5']);
    expect(r.result).toBe('FAIL');
    expect(r.reasonCodes).toEqual(
      expect.arrayContaining(['IDENTITY_UNVERIFIED', 'TYPE_MISMATCH:amount']),
    );
    expect(r.datasetUrn).toBe('urn:dp:orders:created');
    expect(r.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('does not inspect values over the size or depth limit, and flags invalid UTF-8', () => {
    expect(run('x'.repeat(5000)).reasonCodes).toContain('RECORD_TOO_LARGE');
    expect(run(`{"a":${'['.repeat(20)}${']'.repeat(20)}}`).reasonCodes).toContain(
      'NESTING_TOO_DEEP',
    );
    expect(run(`"${'['.repeat(20)}"`).reasonCodes).not.toContain('NESTING_TOO_DEEP');
    const bad = run(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
    expect(bad.reasonCodes).toContain('UNPARSEABLE_VALUE');
    expect(bad.gates.find((g) => g.gate === 'G5')?.result).toBe('SKIP');
  });

  it('reuses the text the HTTP layer decoded only when it is exactly the UTF-8 of the value', () => {
    const limits = { maxHeaders: 8, maxHeaderBytes: 1024 };
    const json = JSON.stringify(orderEvent({ notes: 'ünïcödé ✓' }));
    const good = decodeRecord({ topic: 'orders.created', value: json }, limits) as IncomingRecord;
    expect(good.text).toBe(json);
    expect(good.value.toString('utf8')).toBe(json);
    // A lone surrogate becomes U+FFFD in the bytes: the text would differ, so it is not passed on.
    const lone = decodeRecord({ topic: 'orders.created', value: '{"a":"\ud800"}' }, limits);
    expect((lone as IncomingRecord).text).toBeUndefined();
    // fresh pipelines: G3 learns shapes, so both runs must start from the same state
    const withText = new GatePipeline(snapshot()).run({ ...good, headers: {} });
    const withoutText = new GatePipeline(snapshot()).run({
      topic: good.topic,
      value: good.value,
      headers: {},
    });
    expect(withText.result).toBe(withoutText.result);
    expect(withText.reasonCodes).toEqual(withoutText.reasonCodes);
    expect(withText.fingerprint).toBe(withoutText.fingerprint);
  });

  it('scans non-JSON text for PII', () => {
    expect(run('plain text with 078-05-1123', 'unknown.topic').reasonCodes).toEqual(
      expect.arrayContaining(['UNPARSEABLE_VALUE', 'PII_DETECTED:ssn']),
    );
  });

  it('fails open with GATE_ERROR when a gate throws', () => {
    const snap = snapshot();
    const contracts = new Map(snap.contracts);
    contracts.set('urn:dp:orders:created', [
      {
        id: 'boom',
        version: '1',
        piiFields: [],
        validate: () => {
          throw new Error('bug');
        },
      },
    ]);
    const p = new GatePipeline({ ...snap, contracts });
    const r = p.run({ topic: 'orders.created', value: Buffer.from('{}'), headers: {} });
    expect(r.gates.find((g) => g.gate === 'G4')).toMatchObject({
      result: 'PASS',
      reason_codes: ['GATE_ERROR'],
    });
  });
});

describe('evidence', () => {
  it('samples PASS by evidence id with an unbiased weight; FAIL and WARN always kept', () => {
    expect(decideSample('FAIL', 0.01, 'ev_ffffffff')).toEqual({ keep: true, weight: 1 });
    expect(decideSample('WARN', 0.01, 'ev_ffffffff')).toEqual({ keep: true, weight: 1 });
    expect(decideSample('PASS', 0.25, 'ev_00000001')).toEqual({ keep: true, weight: 4 });
    expect(decideSample('PASS', 0.25, 'ev_ffffffff').keep).toBe(false);
    let kept = 0;
    let weight = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = decideSample(
        'PASS',
        0.1,
        `ev_${((i * 2654435761) % 2 ** 32).toString(16).padStart(8, '0')}`,
      );
      if (d.keep) {
        kept++;
        weight += d.weight;
      }
    }
    expect(kept).toBeGreaterThan(1500);
    expect(kept).toBeLessThan(2500);
    expect(Math.abs(weight - 20_000) / 20_000).toBeLessThan(0.25);
  });

  it('redacts declared and detected PII paths, including inside arrays', () => {
    const value = { email: 'a@b.io', lines: [{ memo: 'x' }, { memo: 'y' }], n: 1 };
    expect(redact(value, new Set(['email', 'lines[].memo']))).toEqual({
      email: '[REDACTED]',
      lines: [{ memo: '[REDACTED]' }, { memo: '[REDACTED]' }],
      n: 1,
    });
  });

  it('builds content-derived deterministic ids when no offset is known', () => {
    const p = new GatePipeline(snapshot());
    const value = Buffer.from(JSON.stringify(orderEvent()));
    const run = p.run({ topic: 'orders.created', value, headers: {} });
    const make = () =>
      buildEvidence({
        run,
        topic: 'orders.created',
        coordinates: undefined,
        key: 'o-1',
        value,
        headers: { 'x-obs-event-time': '2026-11-25T10:00:00Z' },
        timestamp: undefined,
        now: Date.now(),
        enforcement: 'observe',
        source: 'sdk',
        sampleWeight: 1,
        includeSample: false,
      });
    const a = make();
    expect(validateEvidence(a)).toBeTruthy();
    expect(make().evidence_id).toBe(a.evidence_id);
    expect(a.record_key_hash).toMatch(/^sha256:/);
  });
});

describe('createSidecar options', () => {
  it('reports every invalid option with its path', () => {
    let error: unknown;
    try {
      createSidecar({
        registry: {} as never,
        sink: new InMemoryRecordSink(),
        evidenceBus: new RecordingBus(),
        port: 70_000,
        maxBodyBytes: -1,
        maxInFlightRecords: 0,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'SF_ERR_SIDECAR_OPTIONS_INVALID' });
    const paths = (
      error as { details: { problems: Array<{ path: string }> } }
    ).details.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['registry', 'port', 'maxBodyBytes', 'maxInFlightRecords']),
    );
  });

  it('close() is idempotent', async () => {
    const sidecar = createSidecar({
      registry: new StaticRegistrySource([]),
      sink: new InMemoryRecordSink(),
      evidenceBus: new RecordingBus(),
      port: 0,
    });
    await sidecar.start();
    await Promise.all([sidecar.close(), sidecar.close()]);
    await sidecar.close();
  });
});
