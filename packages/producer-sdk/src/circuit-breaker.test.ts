import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';

function breaker() {
  let now = 0;
  const changes: string[] = [];
  const b = new CircuitBreaker({
    failureThreshold: 3,
    resetTimeoutMs: 1000,
    now: () => now,
    onStateChange: (from: BreakerState, to: BreakerState) => changes.push(`${from}->${to}`),
  });
  return { b, changes, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures only', () => {
    const { b } = breaker();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.allowRequest()).toBe(false);
  });

  it('lets exactly one probe through after the reset timeout and closes on its success', () => {
    const { b, changes, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(999);
    expect(b.allowRequest()).toBe(false);
    advance(1);
    expect(b.allowRequest()).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allowRequest()).toBe(false);
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(b.allowRequest()).toBe(true);
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('re-opens when the probe fails and waits a full timeout again', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(1000);
    expect(b.allowRequest()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    advance(500);
    expect(b.allowRequest()).toBe(false);
    advance(500);
    expect(b.allowRequest()).toBe(true);
  });

  it('lets the next caller probe when a probe is abandoned before reaching the resource', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(1000);
    expect(b.allowRequest()).toBe(true);
    expect(b.allowRequest()).toBe(false);
    b.abandonProbe();
    expect(b.allowRequest()).toBe(true);
    expect(b.state).toBe('half-open');
  });

  it('survives a throwing observer', () => {
    const b = new CircuitBreaker({
      failureThreshold: 1,
      resetTimeoutMs: 10,
      onStateChange: () => {
        throw new Error('observer');
      },
    });
    expect(() => b.onFailure()).not.toThrow();
    expect(b.state).toBe('open');
  });
});
