import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { canonicalize } from './canonicalize';

const fromHex = (hex: string): number => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
};

const failure = (value: unknown): SignalFactoryError => {
  try {
    canonicalize(value);
  } catch (error) {
    expect(error).toBeInstanceOf(SignalFactoryError);
    return error as SignalFactoryError;
  }
  throw new Error('expected a throw');
};

describe('canonicalize (RFC 8785)', () => {
  it('§3.2.2 example: literals, numbers and strings', () => {
    // The RFC's input, written as JSON text: parse it exactly as a consumer would.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('§3.2.3 example: properties sorted by UTF-16 code units', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B: 0x%s → %s', (hex, expected) => {
    expect(canonicalize(fromHex(hex))).toBe(expected);
  });

  it.each([['7fffffffffffffff'], ['7ff0000000000000'], ['fff0000000000000']])(
    'Appendix B: 0x%s (NaN / Infinity) is an error',
    (hex) => {
      expect(failure(fromHex(hex)).code).toBe('SF_ERR_CANONICAL_UNSUPPORTED');
    },
  );

  it('rejects non-JSON values with a path', () => {
    expect(failure({ a: { b: undefined } }).details).toEqual({
      path: 'a.b',
      problem: 'undefined is not JSON',
    });
    expect(failure([1, Number.NaN]).details?.path).toBe('[1]');
    expect(failure(10n).code).toBe('SF_ERR_CANONICAL_UNSUPPORTED');
    expect(failure(() => 1).code).toBe('SF_ERR_CANONICAL_UNSUPPORTED');
    expect(failure(Symbol('x')).code).toBe('SF_ERR_CANONICAL_UNSUPPORTED');
    expect(failure('\ud800').details?.problem).toMatch(/lone UTF-16 surrogate/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(failure(cyclic).details?.problem).toMatch(/cycle/);
  });

  it('keeps shared (non-cyclic) references and honours toJSON', () => {
    const shared = { x: 1 };
    expect(canonicalize({ b: shared, a: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    expect(canonicalize({ at: new Date('2026-11-25T10:00:00Z') })).toBe(
      '{"at":"2026-11-25T10:00:00.000Z"}',
    );
  });

  it('property: output parses back to an equal value and is invariant under key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reversed = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v !== null && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        ) as unknown;
        expect(canonicalize(reversed)).toBe(text);
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('fuzz: throws only its typed error', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withNullPrototype: true,
          withMap: true,
          withSparseArray: true,
        }),
        (value) => {
          try {
            expect(typeof canonicalize(value)).toBe('string');
          } catch (error) {
            expect((error as SignalFactoryError).code).toBe('SF_ERR_CANONICAL_UNSUPPORTED');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
