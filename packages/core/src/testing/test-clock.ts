/** A manual clock for TTL and time-window tests: time moves only when told to. */
export interface TestClock {
  /** Current time in epoch milliseconds; pass as `now` to components that accept a clock. */
  now: () => number;
  /** Moves the clock forward by `ms` milliseconds (must be ≥ 0) and returns the new time. */
  advance(ms: number): number;
  /** Sets the clock to an absolute epoch-millisecond time (may move backwards) and returns it. */
  set(epochMs: number): number;
}

/** Creates a manual clock starting at `startMs` (default 2026-01-01T00:00:00Z). */
export function createTestClock(startMs = Date.UTC(2026, 0, 1)): TestClock {
  if (!Number.isFinite(startMs)) throw new RangeError('startMs must be a finite number');
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number): number {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms) needs a finite ms ≥ 0');
      current += ms;
      return current;
    },
    set(epochMs: number): number {
      if (!Number.isFinite(epochMs)) throw new RangeError('set(epochMs) needs a finite number');
      current = epochMs;
      return current;
    },
  };
}
