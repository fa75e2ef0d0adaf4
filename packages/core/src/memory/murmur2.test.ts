import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPartition, murmur2 } from './murmur2';
import { compareUtf8 } from './utf8-compare';

const encode = (s: string) => new TextEncoder().encode(s);

describe('murmur2 / keyPartition', () => {
  it("matches the Java client's murmur2 test vectors", () => {
    // From Apache Kafka's UtilsTest#testMurmur2 (and kafkajs's default partitioner).
    expect(murmur2(encode('21'))).toBe(-973932308);
    expect(murmur2(encode('foobar'))).toBe(-790332482);
    expect(murmur2(encode('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(encode('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(encode('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(encode('abc'))).toBe(479470107);
    expect(murmur2(encode(''))).toBe(275646681);
    expect(murmur2(encode('urn:dp:orders:created'))).toBe(-1097946682);
    expect(murmur2(encode('ü✓😀'))).toBe(-405095684);
  });

  it('maps every key into range, stably', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 256 }), (key, n) => {
        const p = keyPartition(key, n);
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
        expect(keyPartition(key, n)).toBe(p);
      }),
    );
  });

  it('spreads keys over partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8_000; i++) counts[keyPartition(`urn:dp:d:n${i}`, 8)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});

describe('compareUtf8', () => {
  it('orders like the UTF-8 bytes (DynamoDB sort keys)', () => {
    // Well-formed strings built from the characters where UTF-16 and UTF-8 orders disagree.
    const unit = fc.constantFrom(
      '\u0000',
      '#',
      'B',
      'a',
      'é',
      '\uD7FF',
      '\uE000',
      '\uFFFF',
      '😀',
      '\u{10FFFF}',
    );
    const text = fc.string({ unit, maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const expected = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(Math.sign(compareUtf8(a, b))).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
    expect(compareUtf8('\u{1F600}', '\uFFFF')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFFFF').toBe(true); // why UTF-16 order is not enough
  });
});
