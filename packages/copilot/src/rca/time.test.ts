import { describe, expect, it } from 'vitest';
import { decodeIdPart } from './graph-reader';
import { clockTime, humanDuration, parseMs } from './time';

describe('time helpers', () => {
  it('formats durations the way a person reads them', () => {
    expect(humanDuration(364)).toBe('364 ms');
    expect(humanDuration(2_000)).toBe('2 s');
    expect(humanDuration(-119_000)).toBe('119 s');
    expect(humanDuration(48 * 60_000 + 2_000)).toBe('48 min');
    expect(humanDuration(5 * 3_600_000 + 58 * 60_000)).toBe('5 h 58 min');
    expect(humanDuration(3 * 3_600_000)).toBe('3 h');
    expect(humanDuration(50 * 3_600_000)).toBe('2 d 2 h');
  });

  it('parses and prints times', () => {
    expect(parseMs('2026-01-15T09:58:02Z')).toBe(Date.parse('2026-01-15T09:58:02Z'));
    expect(parseMs('nope')).toBeUndefined();
    expect(parseMs(undefined)).toBeUndefined();
    expect(parseMs(Number.NaN)).toBeUndefined();
    expect(clockTime('2026-01-15T09:58:02.364Z')).toBe('09:58:02');
    expect(clockTime(undefined)).toBe('unknown');
  });

  it('decodes the parts vertexIds encodes', () => {
    expect(decodeIdPart('a%3Ab%7Cc%23d%25e')).toBe('a:b|c#d%e');
    expect(decodeIdPart('plain%20x')).toBe('plain%20x');
  });
});
