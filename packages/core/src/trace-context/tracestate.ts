import { CORE_ERROR_CODES } from '../errors/codes';
import { describeValue } from '../errors/describe-value';
import { SignalFactoryError } from '../errors/signal-factory-error';

/** One `tracestate` list member, `[key, value]`, in header order. */
export type TracestateEntry = [key: string, value: string];

/** Most list members a `tracestate` may carry. */
export const TRACESTATE_MAX_MEMBERS = 32;
/** Longest combined `tracestate` (members joined by `,`) accepted, in characters. */
export const TRACESTATE_MAX_LENGTH = 512;

// Trace Context level 2: key = (lcalpha / DIGIT) 0*255(keychar), keychar includes "@".
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const OWS = /^[ \t]+|[ \t]+$/g;

function fail(what: string): never {
  throw new SignalFactoryError(CORE_ERROR_CODES.TRACESTATE_INVALID, `Invalid tracestate: ${what}`, {
    details: { problem: what },
  });
}

function checkMember(key: string, value: string, index: number): void {
  if (!KEY.test(key)) {
    fail(
      `member ${index} has an invalid key (lowercase letters, digits, "_-*/@", starting with a letter or digit, at most 256 characters)`,
    );
  }
  if (!VALUE.test(value)) {
    fail(
      `member ${index} has an invalid value (1–256 printable ASCII characters without "," or "=", not ending in a space)`,
    );
  }
}

function checkList(entries: readonly TracestateEntry[]): void {
  if (entries.length > TRACESTATE_MAX_MEMBERS)
    fail(`more than ${TRACESTATE_MAX_MEMBERS} list members`);
  let length = entries.length === 0 ? 0 : entries.length - 1;
  for (const [key, value] of entries) length += key.length + 1 + value.length;
  if (length > TRACESTATE_MAX_LENGTH) fail(`longer than ${TRACESTATE_MAX_LENGTH} characters`);
}

/**
 * Parses one or more `tracestate` header values (several headers are combined in order, as HTTP
 * allows). Empty list members and OWS around commas are accepted. A duplicated key keeps its first
 * value. The whole header is rejected — the spec's "discard tracestate" — on any malformed member,
 * more than 32 members, or more than 512 combined characters.
 * @throws SignalFactoryError `SF_ERR_TRACESTATE_INVALID` naming the faulty member.
 */
export function parseTracestate(header: unknown): TracestateEntry[] {
  const values = Array.isArray(header) ? header : [header];
  const entries: TracestateEntry[] = [];
  const seen = new Set<string>();
  let index = 0;
  for (const value of values) {
    if (typeof value !== 'string') fail(`expected a string, got ${describeValue(value)}`);
    for (const rawMember of value.split(',')) {
      const member = rawMember.replace(OWS, '');
      if (member.length === 0) continue;
      const eq = member.indexOf('=');
      if (eq === -1) fail(`member ${index} has no "="`);
      const key = member.slice(0, eq);
      const memberValue = member.slice(eq + 1);
      checkMember(key, memberValue, index);
      index += 1;
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push([key, memberValue]);
    }
  }
  checkList(entries);
  return entries;
}

/** Non-throwing `parseTracestate`: `[]` when absent or invalid (the spec's discard). */
export function tryParseTracestate(header: unknown): TracestateEntry[] {
  try {
    return parseTracestate(header);
  } catch {
    return [];
  }
}

/**
 * Formats members as a `tracestate` header value (`k=v,k2=v2`). Validates keys, values, the member
 * count and the combined length.
 * @throws SignalFactoryError `SF_ERR_TRACESTATE_INVALID`.
 */
export function formatTracestate(entries: Iterable<readonly [string, string]>): string {
  if (typeof entries !== 'object' || entries === null || !(Symbol.iterator in entries)) {
    fail(`expected an iterable of [key, value], got ${describeValue(entries)}`);
  }
  const list: TracestateEntry[] = [];
  let index = 0;
  for (const entry of entries) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') {
      fail(`member ${index} must be a [key, value] pair of strings`);
    }
    checkMember(entry[0], entry[1], index);
    list.push([entry[0], entry[1]]);
    index += 1;
  }
  checkList(list);
  return list.map(([key, value]) => `${key}=${value}`).join(',');
}
