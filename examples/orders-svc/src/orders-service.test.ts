import { describe, expect, it } from 'vitest';
import { InMemoryKafkaProducer } from '@signal-factory/producer-sdk/testing';
import { DEFAULT_CONTRACT, loadConfig } from './config';
import { startOrdersService } from './orders-service';

describe('orders-svc', () => {
  it('produces the configured number of contract-valid orders with SDK headers', async () => {
    const raw = new InMemoryKafkaProducer();
    const config = { ...loadConfig({}), count: 30, ratePerSecond: 1000 };
    const service = await startOrdersService(config, { kafka: { producer: () => raw } });
    await service.done;
    await service.stop();
    expect(service.produced).toBe(30);
    expect(service.failures).toEqual({});
    const records = raw.transport.records;
    expect(records).toHaveLength(30);
    expect(records[0]!.headers).toMatchObject({
      'x-obs-producer-service': 'orders-svc',
      'x-obs-producer-version': '1.0.0',
      'x-obs-contract-id': 'urn:dp:orders:created',
      'x-obs-contract-version': '3.0.0',
    });
    expect(JSON.parse(String(records[0]!.value))).toMatchObject({
      order_id: 'o-0',
      currency: 'EUR',
    });
  });

  it('in block mode keeps broken orders off the topic and counts them', async () => {
    const raw = new InMemoryKafkaProducer();
    const config = {
      ...loadConfig({ SF_VALIDATION: 'block', ORDERS_INVALID_RATIO: '0.3' }),
      count: 50,
      ratePerSecond: 1000,
    };
    const service = await startOrdersService(config, { kafka: { producer: () => raw } });
    await service.done;
    await service.stop();
    expect(raw.transport.records.length).toBeLessThan(50);
    expect(raw.transport.records.length).toBe(service.produced);
    expect(service.failures.SF_ERR_SDK_CONTRACT_VIOLATION).toBeGreaterThan(0);
  });

  it('reports every bad environment variable at once', () => {
    expect(() =>
      loadConfig({ SF_VALIDATION: 'loud', ORDERS_RATE: '-1', SF_FAIL_MODE: 'ajar' }),
    ).toThrow(/SF_VALIDATION[\s\S]*SF_FAIL_MODE[\s\S]*ORDERS_RATE|SF_VALIDATION[\s\S]*ORDERS_RATE/);
    expect(loadConfig({}).contractFile).toBe(DEFAULT_CONTRACT);
  });
});
