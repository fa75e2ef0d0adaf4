import { InMemoryStateStore } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import { withWallClockExpiry } from './wall-clock-expiry';

const SIM_START = Date.parse('2026-01-15T09:00:00Z');

describe('withWallClockExpiry', () => {
  it('keeps a simulated run’s 14-day history readable on the wall clock', async () => {
    let wall = Date.parse('2026-11-26T03:00:00Z');
    const wallReader = new InMemoryStateStore({ now: () => wall });
    const offset = Math.floor((wall - SIM_START) / 1000);
    const simWriter = withWallClockExpiry(wallReader, offset);
    const expiresAt = Math.floor(SIM_START / 1000) + 14 * 86_400;
    await simWriter.put('SignalState', { pk: 'signals#x', sk: 'a' }, { v: 1 }, { expiresAt });

    // Unshifted, the item would have expired in January; shifted, it lives 14 days from now.
    expect((await wallReader.get('SignalState', { pk: 'signals#x', sk: 'a' }))?.data).toEqual({
      v: 1,
    });
    wall += 15 * 86_400_000;
    expect(await wallReader.get('SignalState', { pk: 'signals#x', sk: 'a' })).toBeUndefined();
  });

  it('changes nothing for live runs or writes without expiry', async () => {
    const store = new InMemoryStateStore();
    expect(withWallClockExpiry(store, 0)).toBe(store);
    const shifted = withWallClockExpiry(store, 3600);
    const item = await shifted.put('T', { pk: 'p', sk: 's' }, { a: 1 });
    expect(item.expiresAt).toBeUndefined();
  });
});
