export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Time the breaker stays open before letting one probe through, in ms. */
  resetTimeoutMs: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Called on every state change. Must not throw (it is guarded anyway). */
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

/**
 * Classic three-state breaker. `closed`: requests go through, consecutive failures are
 * counted. `open`: requests are refused until `resetTimeoutMs` has passed. `half-open`: exactly
 * one probe goes through; its success closes the breaker, its failure re-opens it.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #resetTimeoutMs: number;
  readonly #now: () => number;
  readonly #onStateChange: CircuitBreakerOptions['onStateChange'];
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.#threshold = options.failureThreshold;
    this.#resetTimeoutMs = options.resetTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /**
   * Whether a request may try the protected resource now. In half-open, only the first caller
   * gets `true` (the probe) until it reports its outcome.
   */
  allowRequest(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#resetTimeoutMs) return false;
      this.#transition('half-open');
    }
    if (this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  /** The probe never reached the resource (e.g. refused locally): let the next caller probe. */
  abandonProbe(): void {
    this.#probeInFlight = false;
  }

  onSuccess(): void {
    this.#failures = 0;
    this.#probeInFlight = false;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  onFailure(): void {
    this.#probeInFlight = false;
    if (this.#state === 'half-open') {
      this.#open();
      return;
    }
    this.#failures += 1;
    if (this.#state === 'closed' && this.#failures >= this.#threshold) this.#open();
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#transition('open');
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    try {
      this.#onStateChange?.(from, to);
    } catch {
      // observers must not break the breaker
    }
  }
}
