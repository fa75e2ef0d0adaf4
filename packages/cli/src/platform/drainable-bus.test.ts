import { InMemoryEvidenceBus } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';

import { DrainableBus } from './drainable-bus';

describe('DrainableBus', () => {
  it('idle() waits for every group, including records published by handlers', async () => {
    const bus = new DrainableBus(new InMemoryEvidenceBus());
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'a', topics: ['in'] }, async (batch) => {
      for (const m of batch) await bus.publish('out', [{ key: m.key, value: `${m.value}!` }]);
    });
    await bus.subscribe({ groupId: 'b', topics: ['out'] }, async (batch) => {
      await new Promise((r) => setTimeout(r, 5));
      for (const m of batch) seen.push(m.value);
    });
    await bus.publish('in', [
      { key: 'k1', value: 'x' },
      { key: 'k2', value: 'y' },
    ]);
    expect(bus.pending).toBeGreaterThan(0);
    await bus.idle(5_000);
    expect(seen.sort()).toEqual(['x!', 'y!']);
    expect(bus.pending).toBe(0);
    expect(bus.published('in')).toBe(2);
    // the embedded bus's offsets stay visible through the wrapper (engines drain by them)
    expect(typeof bus.committedOffsets).toBe('function');
    await bus.close();
  });

  it('a group joining later from the beginning counts what was already published', async () => {
    const bus = new DrainableBus(new InMemoryEvidenceBus());
    await bus.publish('t', [{ key: 'k', value: '1' }]);
    let handled = 0;
    await bus.subscribe({ groupId: 'late', topics: ['t'] }, async (batch) => {
      handled += batch.length;
    });
    await bus.idle(5_000);
    expect(handled).toBe(1);
    await bus.close();
  });

  it('times out with SF_ERR_CLI_DRAIN_TIMEOUT naming the stuck group', async () => {
    const bus = new DrainableBus(new InMemoryEvidenceBus({ retryInitialMs: 1_000 }));
    await bus.subscribe({ groupId: 'stuck', topics: ['t'] }, async () => {
      throw new Error('always fails');
    });
    await bus.publish('t', [{ key: 'k', value: 'v' }]);
    await expect(bus.idle(100)).rejects.toMatchObject({
      code: 'SF_ERR_CLI_DRAIN_TIMEOUT',
      details: { pending: { stuck: 1 } },
    });
    await bus.close();
  });
});
