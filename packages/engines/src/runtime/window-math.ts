import type { WindowBounds } from './signal-engine';

/** Start of the epoch-aligned tumbling window that holds `time`. */
export function windowStart(time: number, windowMs: number): number {
  return Math.floor(time / windowMs) * windowMs;
}

/** The epoch-aligned tumbling window that holds `time`. */
export function windowOf(time: number, windowMs: number): WindowBounds {
  const start = windowStart(time, windowMs);
  return { start, end: start + windowMs };
}

/** RFC 3339 (UTC, milliseconds) of an epoch-millisecond time. */
export function iso(time: number): string {
  return new Date(time).toISOString();
}

/** Parses an RFC 3339 time; `NaN` when it cannot. Accepts more than 3 fractional digits and leap second 60. */
export function parseTime(text: string): number {
  const direct = Date.parse(text);
  if (!Number.isNaN(direct)) return direct;
  // Trim sub-millisecond digits and map a leap second onto the next second.
  const m = /^(.*T\d\d:\d\d:)(\d\d)(?:\.(\d+))?(.*)$/i.exec(text);
  if (m === null) return Number.NaN;
  const seconds = Number(m[2]);
  const fraction = (m[3] ?? '').slice(0, 3);
  const base = Date.parse(
    `${m[1]}${String(Math.min(seconds, 59)).padStart(2, '0')}${fraction ? `.${fraction}` : ''}${m[4]}`,
  );
  return seconds === 60 ? base + 1000 : base;
}

/** Compares Kafka offsets given as decimal strings without losing precision. */
export function compareOffsets(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
