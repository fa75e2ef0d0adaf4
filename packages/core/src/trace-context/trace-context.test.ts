import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSharedSpecJson } from '../../test/support/shared-specs';
import { isSignalFactoryError } from '../errors/signal-factory-error';
import { extractTraceContext, type TraceContextOutcome } from './extract-trace-context';
import { formatTraceparent, parseTraceparent, tryParseTraceparent } from './traceparent';
import { formatTracestate, parseTracestate } from './tracestate';

interface Vectors {
  traceparent_cases: Array<{
    header: string;
    valid: boolean;
    reason: string;
    expected?: { version: string; trace_id: string; parent_id: string; trace_flags: string };
  }>;
  tracestate_cases: Array<{
    header: string;
    valid: boolean;
    reason: string;
    parsed?: Record<string, string>;
  }>;
  request_scenarios: Array<{
    name: string;
    headers: Array<{ name: string; value: string }>;
    outcome: TraceContextOutcome;
    expected_tracestate?: Record<string, string> | string;
    notes?: string;
  }>;
}

const vectors = readSharedSpecJson<Vectors>('trace-context', 'trace-context-test-vectors.json');

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(isSignalFactoryError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return;
  }
  throw new Error('expected a throw');
}

describe('traceparent test vectors', () => {
  it('covers the whole file', () => {
    expect(vectors.traceparent_cases.length).toBe(44);
    expect(vectors.tracestate_cases.length).toBe(25);
    expect(vectors.request_scenarios.length).toBe(50);
  });

  it.each(vectors.traceparent_cases.map((c) => [c.reason, c] as const))('%s', (_reason, c) => {
    if (!c.valid) {
      expectCode(() => parseTraceparent(c.header), 'SF_ERR_TRACEPARENT_INVALID');
      expect(tryParseTraceparent(c.header)).toBeUndefined();
      return;
    }
    const parsed = parseTraceparent(c.header);
    const expected = c.expected!;
    expect(parsed.version).toBe(expected.version);
    expect(parsed.traceId).toBe(expected.trace_id);
    expect(parsed.parentId).toBe(expected.parent_id);
    expect(parsed.traceFlags.toString(16).padStart(2, '0')).toBe(expected.trace_flags);
    expect(parsed.sampled).toBe((parseInt(expected.trace_flags, 16) & 1) === 1);
    // Outgoing: always version 00, unknown flag bits zeroed, re-parseable.
    const out = formatTraceparent(parsed);
    expect(out).toBe(
      `00-${expected.trace_id}-${expected.parent_id}-${(parseInt(expected.trace_flags, 16) & 3).toString(16).padStart(2, '0')}`,
    );
    expect(parseTraceparent(out).traceId).toBe(expected.trace_id);
  });
});

describe('tracestate test vectors', () => {
  it.each(vectors.tracestate_cases.map((c) => [c.reason, c] as const))('%s', (_reason, c) => {
    if (!c.valid) {
      expectCode(() => parseTracestate(c.header), 'SF_ERR_TRACESTATE_INVALID');
      return;
    }
    const parsed = parseTracestate(c.header);
    if (c.parsed) expect(Object.fromEntries(parsed)).toEqual(c.parsed);
    // Round trip: formatting the members and parsing again gives the same list.
    expect(parseTracestate(formatTracestate(parsed))).toEqual(parsed);
  });
});

describe('request scenarios', () => {
  it.each(vectors.request_scenarios.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const shape of ['list', 'tuples'] as const) {
      const headers =
        shape === 'list' ? c.headers : c.headers.map((h) => [h.name, h.value] as const);
      const result = extractTraceContext(headers);
      expect(result.outcome).toBe(c.outcome);
      if (typeof c.expected_tracestate === 'object') {
        expect(Object.fromEntries(result.tracestate)).toEqual(c.expected_tracestate);
        expect(result.tracestate.map(([k]) => k)).toEqual(Object.keys(c.expected_tracestate));
      } else if (c.notes?.includes('foo=1 or foo=2')) {
        expect(result.tracestate).toHaveLength(1);
        expect(['1', '2']).toContain(result.tracestate[0]![1]);
      }
      if (c.outcome.startsWith('continue')) {
        expect(result.traceparent?.traceId).toMatch(/^[0-9a-f]{32}$/);
      } else {
        expect(result.traceparent).toBeUndefined();
        expect(result.tracestate).toEqual([]);
      }
    }
  });

  it('reads record-style headers with Buffer and array values (kafkajs IHeaders)', () => {
    const result = extractTraceContext({
      TraceParent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      tracestate: [Buffer.from('rojo=1'), 'congo=2'],
      other: undefined,
    });
    expect(result.outcome).toBe('continue_trace');
    expect(result.traceparent?.sampled).toBe(true);
    expect(result.tracestate).toEqual([
      ['rojo', '1'],
      ['congo', '2'],
    ]);
  });

  it('treats an invalid single traceparent as a restart and never throws', () => {
    expect(extractTraceContext([{ name: 'traceparent', value: 'garbage' }]).outcome).toBe(
      'restart_trace',
    );
    expect(extractTraceContext(null).outcome).toBe('start_new_trace');
    expect(extractTraceContext(42 as never).outcome).toBe('start_new_trace');
  });
});

describe('formatTraceparent', () => {
  it('derives flags from sampled and zeroes unknown bits', () => {
    const ids = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7' };
    expect(formatTraceparent({ ...ids, sampled: true })).toBe(
      `00-${ids.traceId}-${ids.parentId}-01`,
    );
    expect(formatTraceparent(ids)).toBe(`00-${ids.traceId}-${ids.parentId}-00`);
    expect(formatTraceparent({ ...ids, traceFlags: 0xff })).toBe(
      `00-${ids.traceId}-${ids.parentId}-03`,
    );
  });

  it('rejects malformed ids and flags with a typed error', () => {
    const ids = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7' };
    expectCode(() => formatTraceparent({ ...ids, traceId: 'ABC' }), 'SF_ERR_TRACEPARENT_INVALID');
    expectCode(
      () => formatTraceparent({ ...ids, parentId: '0'.repeat(16) }),
      'SF_ERR_TRACEPARENT_INVALID',
    );
    expectCode(() => formatTraceparent({ ...ids, traceFlags: 256 }), 'SF_ERR_TRACEPARENT_INVALID');
    expectCode(() => formatTraceparent(null as never), 'SF_ERR_TRACEPARENT_INVALID');
  });
});

describe('formatTracestate', () => {
  it('joins members and enforces the limits', () => {
    expect(
      formatTracestate([
        ['rojo', '00f067aa0ba902b7'],
        ['congo', 't61rcWkgMzE'],
      ]),
    ).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(formatTracestate(new Map([['a', '1']]))).toBe('a=1');
    const many = Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'] as [string, string]);
    expectCode(() => formatTracestate(many), 'SF_ERR_TRACESTATE_INVALID');
    expectCode(() => formatTracestate([['Bad', 'v']]), 'SF_ERR_TRACESTATE_INVALID');
    expectCode(() => formatTracestate([['k', 'a,b']]), 'SF_ERR_TRACESTATE_INVALID');
    expectCode(() => formatTracestate('k=v' as never), 'SF_ERR_TRACESTATE_INVALID');
  });
});

describe('fuzz: parsers never throw anything but their typed error', () => {
  it('parseTraceparent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (input) => {
        try {
          const parsed = parseTraceparent(input);
          expect(parseTraceparent(formatTraceparent(parsed)).traceId).toBe(parsed.traceId);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('SF_ERR_TRACEPARENT_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parseTraceparent accepts every well-formed header', () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
    fc.assert(
      fc.property(
        hex(32),
        hex(16),
        fc.integer({ min: 0, max: 255 }),
        (traceId, parentId, flags) => {
          fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(parentId));
          const header = `00-${traceId}-${parentId}-${flags.toString(16).padStart(2, '0')}`;
          const parsed = parseTraceparent(header);
          expect(parsed).toEqual({
            version: '00',
            traceId,
            parentId,
            traceFlags: flags,
            sampled: (flags & 1) === 1,
          });
        },
      ),
    );
  });

  it('parseTracestate', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string()), fc.anything()), (input) => {
        try {
          const parsed = parseTracestate(input);
          expect(parseTracestate(formatTracestate(parsed))).toEqual(parsed);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('SF_ERR_TRACESTATE_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('extractTraceContext never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(() => extractTraceContext(input as never)).not.toThrow();
      }),
    );
  });
});
