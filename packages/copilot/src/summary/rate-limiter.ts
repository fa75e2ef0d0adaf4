/** A token bucket: `perMinute` calls per minute, refilled continuously, bursting up to `perMinute`. */
export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #blockedUntil = 0;

  constructor(perMinute: number, now: () => number) {
    this.#capacity = perMinute;
    this.#refillPerMs = perMinute / 60_000;
    this.#now = now;
    this.#tokens = perMinute;
    this.#last = now();
  }

  /** Takes one token; false when none is left or the server asked us to wait. */
  tryTake(): boolean {
    const now = this.#now();
    if (now < this.#blockedUntil) return false;
    const elapsed = Math.max(0, now - this.#last);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#refillPerMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** The server said "retry after": take nothing until then. */
  blockFor(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + Math.min(ms, 600_000));
  }
}
