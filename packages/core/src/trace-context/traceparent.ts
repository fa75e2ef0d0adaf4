import { CORE_ERROR_CODES } from '../errors/codes';
import { describeValue } from '../errors/describe-value';
import { SignalFactoryError } from '../errors/signal-factory-error';

/** A parsed W3C `traceparent` header. */
export interface Traceparent {
  /** Two lowercase hex digits; `00` today, higher versions are parsed with version-00 rules. */
  version: string;
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits (the caller's span id), not all zero. */
  parentId: string;
  /** Trace flags as a number 0–255 (bit 0x01 sampled, 0x02 random trace id). */
  traceFlags: number;
  /** True when the sampled flag (0x01) is set. */
  sampled: boolean;
}

/** What `formatTraceparent` needs. */
export interface TraceparentInput {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  parentId: string;
  /** Flags 0–255; bits other than sampled (0x01) and random (0x02) are zeroed on output. Default: from `sampled`. */
  traceFlags?: number;
  /** Used when `traceFlags` is absent. Default false. */
  sampled?: boolean;
}

/** Flag bits this implementation understands and propagates (Trace Context level 2). */
export const KNOWN_TRACE_FLAGS = 0x03;

const HEX2 = /^[0-9a-f]{2}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const PARENT_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);
const OWS = /^[ \t]+|[ \t]+$/g;

function fail(what: string): never {
  throw new SignalFactoryError(
    CORE_ERROR_CODES.TRACEPARENT_INVALID,
    `Invalid traceparent: ${what}`,
    {
      details: { problem: what },
    },
  );
}

/**
 * Parses a `traceparent` header value per W3C Trace Context: surrounding spaces and tabs (HTTP OWS)
 * are ignored; version `ff` is invalid; version `00` is exactly 55 characters; a higher version may
 * carry more fields after a `-`, which are ignored.
 * @throws SignalFactoryError `SF_ERR_TRACEPARENT_INVALID` naming the faulty field.
 */
export function parseTraceparent(header: unknown): Traceparent {
  if (typeof header !== 'string') fail(`expected a string, got ${describeValue(header)}`);
  const value = header.replace(OWS, '');
  const version = value.slice(0, 2);
  if (!HEX2.test(version)) fail('version must be 2 lowercase hex digits');
  if (version === 'ff') fail('version ff is forbidden');
  if (value[2] !== '-') fail('version must be 2 hex digits followed by "-"');
  const traceId = value.slice(3, 35);
  if (!TRACE_ID.test(traceId) || value[35] !== '-')
    fail('trace-id must be 32 lowercase hex digits');
  if (traceId === ZERO_TRACE_ID) fail('trace-id must not be all zeros');
  const parentId = value.slice(36, 52);
  if (!PARENT_ID.test(parentId) || value[52] !== '-')
    fail('parent-id must be 16 lowercase hex digits');
  if (parentId === ZERO_PARENT_ID) fail('parent-id must not be all zeros');
  const flags = value.slice(53, 55);
  if (!HEX2.test(flags)) fail('trace-flags must be 2 lowercase hex digits');
  if (value.length > 55) {
    if (version === '00') fail('version 00 must be exactly 55 characters');
    if (value[55] !== '-') fail('trace-flags must be followed by the end of the value or "-"');
  }
  const traceFlags = Number.parseInt(flags, 16);
  return { version, traceId, parentId, traceFlags, sampled: (traceFlags & 0x01) === 0x01 };
}

/** Non-throwing `parseTraceparent`: `undefined` when the header is absent or invalid. */
export function tryParseTraceparent(header: unknown): Traceparent | undefined {
  try {
    return parseTraceparent(header);
  } catch {
    return undefined;
  }
}

/**
 * Formats a version-00 `traceparent`. Unknown flag bits are zeroed, as the spec requires for
 * outgoing requests.
 * @throws SignalFactoryError `SF_ERR_TRACEPARENT_INVALID` on malformed ids or flags.
 */
export function formatTraceparent(input: TraceparentInput): string {
  if (typeof input !== 'object' || input === null)
    fail(`expected an object, got ${describeValue(input)}`);
  const { traceId, parentId, traceFlags, sampled } = input;
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId))
    fail('trace-id must be 32 lowercase hex digits');
  if (traceId === ZERO_TRACE_ID) fail('trace-id must not be all zeros');
  if (typeof parentId !== 'string' || !PARENT_ID.test(parentId))
    fail('parent-id must be 16 lowercase hex digits');
  if (parentId === ZERO_PARENT_ID) fail('parent-id must not be all zeros');
  let flags: number;
  if (traceFlags === undefined) flags = sampled === true ? 0x01 : 0x00;
  else if (Number.isInteger(traceFlags) && traceFlags >= 0 && traceFlags <= 0xff)
    flags = traceFlags;
  else fail('trace-flags must be an integer from 0 to 255');
  const hex = (flags & KNOWN_TRACE_FLAGS).toString(16).padStart(2, '0');
  return `00-${traceId}-${parentId}-${hex}`;
}
