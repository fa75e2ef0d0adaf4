import { fullFormats } from 'ajv-formats/dist/formats.js';

type FormatDefinition = { validate: (text: string) => boolean; compare: unknown };
const full = fullFormats['date-time'] as unknown as FormatDefinition;

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number): boolean =>
  year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** The digit at `i` (0-9), or -1. */
function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(text: string, i: number): number {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * True when `text` is `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with every field in range: the form
 * `Date#toISOString` writes, so nearly every timestamp on the evidence bus. False means "not
 * this form, or not valid", never "invalid RFC 3339": the caller asks the full check then.
 */
function isValidUtcForm(text: string): boolean {
  const n = text.length;
  if (n < 20 || text.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  )
    return false;
  const hi = twoDigits(text, 0);
  const lo = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const year = hi * 100 + lo;
  if (day > (month === 2 && isLeapYear(year) ? 29 : (DAYS[month] as number))) return false;
  if (n === 20) return true;
  // A fraction: a dot and at least one digit before the Z.
  if (text[19] !== '.' || n < 22) return false;
  for (let i = 20; i < n - 1; i++) if (digit(text, i) < 0) return false;
  return true;
}

/**
 * JSON Schema `date-time` (RFC 3339 with a time zone), exactly as ajv-formats' full check, with a
 * fast path for the canonical UTC form: ajv-formats splits and runs two regular expressions per
 * value, ~0.5 µs, three times per evidence record in every engine.
 */
export function isRfc3339DateTime(text: string): boolean {
  return isValidUtcForm(text) || full.validate(text);
}

/** ajv format definition of `date-time` with the fast path (same comparison as ajv-formats). */
export const dateTimeFormat = {
  type: 'string' as const,
  validate: isRfc3339DateTime,
  compare: full.compare as (a: string, b: string) => number | undefined,
};
