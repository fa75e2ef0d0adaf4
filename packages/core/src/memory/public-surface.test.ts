import { describe, expect, it } from 'vitest';
import * as core from '../index';
import * as testing from '../testing';

describe('ports public surface', () => {
  it('exports the in-memory ports, withRetry and the port error codes from the root', () => {
    for (const name of [
      'InMemoryEvidenceBus',
      'InMemoryStateStore',
      'InMemoryGraphStore',
      'withRetry',
      'isRetriable',
      'edgeId',
      'keyPartition',
    ] as const) {
      expect(typeof core[name], name).toBe('function');
    }
    const codes = Object.values(core.PORT_ERROR_CODES);
    for (const code of codes) expect(code).toMatch(/^SF_ERR_[A-Z]+(_[A-Z]+)+$/);
    expect(new Set(codes).size).toBe(codes.length);
    // Port codes never collide with the rest of core's codes.
    const coreCodes = new Set<string>(Object.values(core.CORE_ERROR_CODES));
    for (const code of codes) expect(coreCodes.has(code), code).toBe(false);
    expect(core.PORT_ERROR_CODES.STATE_CONDITION_FAILED).toBe('SF_ERR_STATE_CONDITION_FAILED');
    expect(core.PORT_ERROR_CODES.GRAPH_MISSING_VERTEX).toBe('SF_ERR_GRAPH_MISSING_VERTEX');
  });

  it('exports the contract suites and helpers from ./testing', () => {
    for (const name of [
      'describeEvidenceBusContract',
      'describeStateStoreContract',
      'describeGraphStoreContract',
      'waitFor',
      'sleep',
      'createTestClock',
      'InMemoryEvidenceBus',
      'InMemoryStateStore',
      'InMemoryGraphStore',
    ] as const) {
      expect(typeof testing[name], name).toBe('function');
    }
  });
});

describe('waitFor and createTestClock', () => {
  it('waitFor resolves once the predicate holds and names the condition on timeout', async () => {
    let n = 0;
    await testing.waitFor(() => ++n >= 3, { intervalMs: 1 });
    expect(n).toBe(3);
    await expect(
      testing.waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 30, intervalMs: 5, message: () => 'the thing' },
      ),
    ).rejects.toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/the thing/),
        cause: expect.any(Error),
      }),
    );
  });

  it('createTestClock moves only when told', () => {
    const clock = testing.createTestClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.advance(500)).toBe(1_500);
    expect(clock.now()).toBe(1_500);
    expect(clock.set(10)).toBe(10);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
