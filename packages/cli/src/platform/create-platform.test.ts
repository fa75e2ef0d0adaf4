import { describe, expect, it } from 'vitest';

import { createPlatform } from './create-platform';
import { createSimulatedClock } from './sim-clock';

describe('createPlatform', () => {
  it('reports every bad option with its path before creating anything', async () => {
    await expect(
      createPlatform({
        config: { kafka: { brokers: [] } },
        topics: { evidence: '' },
        passSampleRates: { 1: 1, 2: 0, 3: 2 },
        drainTimeoutMs: -1,
      }),
    ).rejects.toMatchObject({
      code: 'SF_ERR_CLI_PLATFORM_OPTIONS_INVALID',
      details: {
        problems: expect.arrayContaining([
          expect.objectContaining({ path: 'config.kafka.brokers' }),
          expect.objectContaining({ path: 'topics.evidence' }),
          expect.objectContaining({ path: 'passSampleRates.2' }),
          expect.objectContaining({ path: 'passSampleRates.3' }),
          expect.objectContaining({ path: 'drainTimeoutMs' }),
        ]),
      },
    });
  });

  it('sends through the producer SDK and the gates; identity follows the dataset', async () => {
    const start = Date.UTC(2026, 0, 15, 9);
    const clock = createSimulatedClock(start);
    const platform = await createPlatform({ clock });
    try {
      await platform.start();
      await platform.registerDataset({
        urn: 'urn:dp:a:header',
        topic: 'a.header',
        producer: 'svc-a',
        identity: 'header',
        tier: 1,
      });
      await platform.registerDataset({
        urn: 'urn:dp:a:pattern',
        topic: 'a.pattern',
        producer: 'svc-b',
        identity: 'topic-pattern',
        tier: 1,
      });
      await platform.registerDataset({
        urn: 'urn:dp:a:none',
        topic: 'a.none',
        producer: 'svc-c',
        identity: 'none',
        tier: 1,
      });
      const evidence: Array<{
        topic: string;
        producer: Record<string, unknown>;
        processing_time: string;
      }> = [];
      await platform.bus.subscribe(
        { groupId: 'test', topics: [platform.topics.evidence] },
        async (batch) => {
          for (const m of batch) evidence.push(JSON.parse(m.value));
        },
      );
      clock.set(start + 1_000);
      for (const [urn, topic, service] of [
        ['urn:dp:a:header', 'a.header', 'svc-a'],
        ['urn:dp:a:pattern', 'a.pattern', 'svc-b'],
        ['urn:dp:a:none', 'a.none', 'svc-c'],
      ] as const) {
        await platform.producer(urn, service, '1.0').send({
          topic,
          messages: [{ key: 'k', value: '{"x":1}', timestamp: String(start + 500) }],
        });
      }
      await platform.settle();
      const by = Object.fromEntries(evidence.map((e) => [e.topic, e]));
      expect(by['a.header']?.producer).toMatchObject({
        service: 'svc-a',
        version: '1.0',
        identity_confidence: 'HIGH',
      });
      expect(by['a.pattern']?.producer).toMatchObject({
        service: 'svc-b',
        identity_confidence: 'MEDIUM',
      });
      expect(by['a.none']?.producer).toMatchObject({
        service: 'unknown',
        identity_confidence: 'LOW',
      });
      // processing time is the simulated clock, not the wall clock
      expect(by['a.header']?.processing_time).toBe(new Date(start + 1_000).toISOString());
    } finally {
      await platform.close();
    }
  });
});
