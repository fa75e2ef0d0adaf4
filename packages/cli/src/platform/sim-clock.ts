/**
 * The platform's clock. `now()` is what every component reads (sidecar processing time, engine
 * windows and ticks, incident times, copilot cache). In simulated mode time moves only when the
 * simulator says so; in wall mode it is `Date.now`.
 */
export interface PlatformClock {
  /** Current time, epoch ms. */
  now: () => number;
  /** True when time moves only through `set`/`advance`. */
  readonly simulated: boolean;
  /** Moves simulated time to `epochMs` (never backwards). No effect on a wall clock. */
  set(epochMs: number): number;
}

/** A simulated clock starting at `startMs`. */
export function createSimulatedClock(startMs: number): PlatformClock {
  if (!Number.isFinite(startMs)) throw new RangeError('startMs must be a finite number');
  let current = startMs;
  return {
    now: () => current,
    simulated: true,
    set(epochMs: number): number {
      if (Number.isFinite(epochMs) && epochMs > current) current = epochMs;
      return current;
    },
  };
}

/** The wall clock. */
export function createWallClock(): PlatformClock {
  return { now: () => Date.now(), simulated: false, set: () => Date.now() };
}
