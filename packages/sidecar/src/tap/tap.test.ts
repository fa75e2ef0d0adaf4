import { HEADERS, InMemoryEvidenceBus, validateEvidence } from '@signal-factory/core';
import { waitFor } from '@signal-factory/core/testing';
import { describe, expect, it } from 'vitest';

import { SidecarMetrics } from '../http/metrics';
import { silentLogger } from '../logger';
import { GatePipeline } from '../pipeline/gate-pipeline';
import { RecordProcessor, type ConsumedRecord } from '../pipeline/record-processor';
import { buildSnapshot } from '../registry/build-snapshot';
import { EvidencePublisher } from '../evidence/evidence-publisher';
import { InMemoryRecordSink } from '../sink/in-memory-record-sink';
import { ORDERS_CONTRACT, orderEvent, registryDocuments } from '../testing/fixtures';
import { RecordingBus } from '../testing/recording-bus';
import { TrustTracker } from '../trust/trust-tracker';
import { replay } from './replay';
import { startTap } from './tap';

function setup(documents = registryDocuments('enforce')) {
  const pipeline = new GatePipeline(
    buildSnapshot(documents.map((document, i) => ({ origin: String(i), document }))),
  );
  const bus = new RecordingBus();
  const processor = new RecordProcessor({
    pipeline: () => pipeline,
    sink: new InMemoryRecordSink(),
    publisher: new EvidencePublisher(bus),
    metrics: new SidecarMetrics(),
    trust: new TrustTracker(),
    logger: silentLogger,
  });
  return { pipeline, bus, processor };
}

const rec = (
  offset: number,
  value: unknown,
  headers: Record<string, string> = {},
  topic = 'orders.created',
): ConsumedRecord => ({
  topic,
  partition: 0,
  offset: String(offset),
  key: `k${offset}`,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers,
  timestamp: 1_764_064_800_000 + offset,
});

describe('tap mode', () => {
  it('consumes raw topics by consumer group, judges raw and bypassed records, skips sidecar ones', async () => {
    const { bus, processor } = setup();
    const raw = new InMemoryEvidenceBus({ defaultPartitions: 2 });
    const value = JSON.stringify(orderEvent());
    await raw.publish('orders.created', [
      { key: 'a', value, headers: {} },
      { key: 'b', value, headers: { [HEADERS.enforcement]: 'bypassed' } },
      { key: 'c', value, headers: { [HEADERS.enforcement]: 'sidecar' } },
      { key: 'd', value: 'not json', headers: {} },
    ]);
    const tap = await startTap({ bus: raw, topics: ['orders.created'], processor });
    try {
      await waitFor(() => bus.evidence().length >= 3, { message: 'tap evidence' });
    } finally {
      await tap.close();
      await raw.close();
    }
    const evidence = bus.evidence();
    expect(evidence).toHaveLength(3);
    expect(evidence.every((e) => e.source === 'tap')).toBe(true);
    expect(evidence.map((e) => e.enforcement).sort()).toEqual(['bypassed', 'enforce', 'enforce']);
    expect(evidence.find((e) => e.result === 'FAIL')?.reason_codes).toContain('UNPARSEABLE_VALUE');
    for (const e of evidence) expect(validateEvidence(e)).toBeTruthy();
  });

  it('gives the same evidence id to the same record judged twice (dedupe on redelivery)', async () => {
    const { processor } = setup();
    const a = await processor.judge([rec(7, orderEvent())], { source: 'tap', publish: false });
    const b = await processor.judge([rec(7, orderEvent())], { source: 'tap', publish: false });
    expect(a[0]?.evidence.evidence_id).toBe(b[0]?.evidence.evidence_id);
  });
});

describe('replay', () => {
  it('re-runs an offset range and a time range', async () => {
    const { processor } = setup();
    const records = [
      rec(0, orderEvent()),
      rec(1, orderEvent({ amount: 'x' })),
      rec(2, 'garbage'),
      rec(3, orderEvent()),
    ];
    const all = await replay(records, { processor });
    expect(all).toMatchObject({ records: 4, fail: 2 });
    expect(all.reasonCodes).toMatchObject({ TYPE_MISMATCH: 1, UNPARSEABLE_VALUE: 2 });
    expect((await replay(records, { processor, fromOffset: 1, toOffset: 3 })).records).toBe(2);
    expect((await replay(records, { processor, fromTime: 1_764_064_800_003 })).records).toBe(1);
  });

  it('reports which quarantined records pass a new contract version', async () => {
    const { processor } = setup();
    const quarantined = [
      rec(
        0,
        orderEvent({ amount: '12.50' }),
        { [HEADERS.sourceTopic]: 'orders.created' },
        'orders.created.quarantine',
      ),
      rec(
        1,
        orderEvent({ currency: undefined, amount: 'x' }),
        { [HEADERS.sourceTopic]: 'orders.created' },
        'orders.created.quarantine',
      ),
    ];
    const before = await replay(quarantined, { processor });
    expect(before.nowPassing).toBe(0);
    // v2 accepts amounts as strings.
    const v2 = structuredClone(ORDERS_CONTRACT) as typeof ORDERS_CONTRACT;
    v2.version = '2.0.0';
    const amount = v2.schema[0]?.properties.find((p) => p.name === 'amount');
    if (amount !== undefined) amount.logicalType = 'string';
    const docs = [...registryDocuments('enforce').filter((d) => d !== ORDERS_CONTRACT), v2];
    const next = new GatePipeline(
      buildSnapshot(docs.map((document, i) => ({ origin: String(i), document }))),
    );
    const after = await replay(quarantined, { processor, pipeline: next });
    expect(after.nowPassing).toBe(1);
    expect(after.released).toEqual([
      { topic: 'orders.created.quarantine', partition: 0, offset: '0' },
    ]);
  });
});
