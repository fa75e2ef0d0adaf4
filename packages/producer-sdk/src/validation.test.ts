import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADERS } from '@signal-factory/core';
import { loadContract } from '@signal-factory/contracts';
import { instrument } from './instrument';
import { InMemoryKafkaProducer } from './testing';
import { ORDERS_CONTRACT } from './test-support/paths';
import type { RecordViolation } from './types';

const base = { service: { name: 'orders-svc' }, env: {} };
const good = (id: string) =>
  JSON.stringify({
    order_id: id,
    customer_id: 'C123456',
    amount: 10,
    currency: 'EUR',
    created_at: '2026-11-25T10:00:00Z',
  });
const bad = (id: string) =>
  JSON.stringify({
    order_id: id,
    customer_id: 'nope',
    amount: -1,
    currency: 'JPY',
    created_at: '2026-11-25T10:00:00Z',
  });

describe('client-side validation', () => {
  it('warn: sends everything, reports reason codes to the hook and the counter, sets contract headers', async () => {
    const raw = new InMemoryKafkaProducer();
    const seen: RecordViolation[][] = [];
    const producer = instrument(raw, {
      ...base,
      contracts: [{ file: ORDERS_CONTRACT, topics: ['orders.created'] }],
      validation: { mode: 'warn', onViolation: (v) => seen.push(v) },
    });
    await producer.sf.ready();
    expect(producer.sf.contracts()[0]).toMatchObject({
      state: 'ready',
      id: 'urn:dp:orders:created',
      version: '3.0.0',
    });
    await producer.send({
      topic: 'orders.created',
      messages: [{ value: good('o1') }, { value: bad('o2') }],
    });
    expect(raw.transport.records).toHaveLength(2);
    for (const r of raw.transport.records) {
      expect(r.headers[HEADERS.contractId]).toBe('urn:dp:orders:created');
      expect(r.headers[HEADERS.contractVersion]).toBe('3.0.0');
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual([
      {
        topic: 'orders.created',
        index: 1,
        contractId: 'urn:dp:orders:created',
        contractVersion: '3.0.0',
        reasonCodes: [
          'PATTERN_MISMATCH:customer_id',
          'OUT_OF_RANGE:amount',
          'ENUM_VIOLATION:currency',
        ],
      },
    ]);
    expect(producer.sf.metrics()).toMatchObject({
      recordsValidated: 2,
      recordsViolating: 1,
      recordsSent: 2,
    });
  });

  it('only validates topics the contract is bound to', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, {
      ...base,
      contracts: [{ file: ORDERS_CONTRACT, topics: ['orders.created'] }],
      validation: { mode: 'block' },
    });
    await producer.send({ topic: 'other', messages: [{ value: bad('x') }] });
    expect(raw.transport.records[0]!.headers[HEADERS.contractId]).toBeUndefined();
  });

  it('block: rejects the batch with reason codes per record and sends nothing by default', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, {
      ...base,
      contracts: [{ contract: loadContract(readFileSync(ORDERS_CONTRACT, 'utf8')) }],
      validation: { mode: 'block' },
    });
    const err = await producer
      .send({
        topic: 'orders.created',
        messages: [{ value: good('o1') }, { value: bad('o2') }, { value: 'not json' }],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'SF_ERR_SDK_CONTRACT_VIOLATION',
      retriable: false,
      sent: [],
    });
    const rejected = (err as { rejected: { index: number; reasonCodes: string[] }[] }).rejected;
    expect(rejected.map((r) => [r.index, r.reasonCodes])).toEqual([
      [1, ['PATTERN_MISMATCH:customer_id', 'OUT_OF_RANGE:amount', 'ENUM_VIOLATION:currency']],
      [2, ['UNPARSEABLE_VALUE:$']],
    ]);
    expect(raw.transport.records).toHaveLength(0);
  });

  it('block with partialSends: sends the valid records and still reports the rejected ones', async () => {
    const raw = new InMemoryKafkaProducer();
    const producer = instrument(raw, {
      ...base,
      contracts: [{ file: ORDERS_CONTRACT }],
      validation: { mode: 'block', partialSends: true },
    });
    const err = await producer
      .send({
        topic: 'orders.created',
        messages: [{ value: good('o1') }, { value: bad('o2') }, { value: good('o3') }],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_ERR_SDK_CONTRACT_VIOLATION' });
    expect((err as { sent: unknown[] }).sent).toEqual([
      { topicName: 'orders.created', partition: 0, errorCode: 0, baseOffset: '0' },
    ]);
    expect(raw.transport.records.map((r) => JSON.parse(String(r.value)).order_id)).toEqual([
      'o1',
      'o3',
    ]);
  });

  it('a contract that fails to load: warn still sends and says why; block refuses with CONTRACT_UNAVAILABLE', async () => {
    const warnings: unknown[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (o: object, m?: string) => warnings.push([o, m]),
    };
    const raw = new InMemoryKafkaProducer();
    const warn = instrument(raw, {
      ...base,
      logger,
      contracts: [{ file: '/nonexistent/contract.yaml' }],
    });
    await expect(warn.send({ topic: 't', messages: [{ value: bad('1') }] })).resolves.toHaveLength(
      1,
    );
    const status = warn.sf.contracts()[0]!;
    expect(status.state).toBe('failed');
    expect(status.error?.code).toMatch(/^SF_ERR_/);
    expect(warnings.length).toBeGreaterThan(0);

    const block = instrument(new InMemoryKafkaProducer(), {
      ...base,
      contracts: [{ file: '/nonexistent/contract.yaml' }],
      validation: { mode: 'block' },
    });
    await expect(
      block.send({ topic: 't', messages: [{ value: good('1') }] }),
    ).rejects.toMatchObject({
      code: 'SF_ERR_SDK_CONTRACT_UNAVAILABLE',
    });
  });

  it('refreshes a file contract and keeps the last good version when a refresh fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-sdk-'));
    const file = join(dir, 'c.yaml');
    await copyFile(ORDERS_CONTRACT, file);
    const producer = instrument(new InMemoryKafkaProducer(), {
      ...base,
      contracts: [{ file, refreshIntervalMs: 0 }],
    });
    await producer.sf.ready();
    expect(producer.sf.contracts()[0]!.version).toBe('3.0.0');
    await writeFile(
      file,
      readFileSync(ORDERS_CONTRACT, 'utf8').replace('version: 3.0.0', 'version: 3.1.0'),
    );
    await producer.sf.refreshContracts();
    expect(producer.sf.contracts()[0]!.version).toBe('3.1.0');
    await writeFile(file, 'this: is: not: odcs');
    await producer.sf.refreshContracts();
    expect(producer.sf.contracts()[0]).toMatchObject({ state: 'ready', version: '3.1.0' });
    expect(producer.sf.contracts()[0]!.error).toBeDefined();
  });

  it('loads a contract from a registry URL', async () => {
    const yaml = readFileSync(ORDERS_CONTRACT, 'utf8');
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(yaml);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/contracts/orders`;
      const raw = new InMemoryKafkaProducer();
      const producer = instrument(raw, {
        ...base,
        contracts: [{ url }],
        validation: { mode: 'block' },
      });
      await expect(
        producer.send({ topic: 'orders.created', messages: [{ value: bad('1') }] }),
      ).rejects.toMatchObject({
        code: 'SF_ERR_SDK_CONTRACT_VIOLATION',
      });
      await producer.sf.refreshContracts();
      expect(hits).toBe(2);
      expect(producer.sf.contracts()[0]).toMatchObject({
        state: 'ready',
        id: 'urn:dp:orders:created',
      });
      await producer.disconnect();
    } finally {
      server.close();
    }
  });
});
