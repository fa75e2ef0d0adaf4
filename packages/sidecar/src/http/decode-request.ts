import { SIDECAR_ERROR_CODES } from '../errors';
import type { IncomingRecord, RejectedRecord } from '../pipeline/record-processor';

/** Limits applied to each record of a produce request. */
export interface RecordLimits {
  /** Most headers per record. Default 64. */
  maxHeaders: number;
  /** Most bytes of all header names and values of one record. Default 65,536. */
  maxHeaderBytes: number;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGITS = /^\d{1,16}$/;

const reject = (message: string): RejectedRecord => ({
  rejected: { code: SIDECAR_ERROR_CODES.RECORD_INVALID, message },
});

/** Decodes one record of `POST /v1/produce`; a problem becomes a per-record rejection, never an exception. */
export function decodeRecord(
  input: unknown,
  limits: RecordLimits,
): IncomingRecord | RejectedRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return reject('record must be an object');
  const r = input as Record<string, unknown>;
  if (r.topic === undefined || r.topic === null || r.topic === '')
    return reject('topic is required');
  if (typeof r.topic !== 'string' || !TOPIC.test(r.topic)) {
    return reject('topic must be 1–249 characters of letters, digits, ".", "_" and "-"');
  }
  const key = r.key ?? null;
  if (key !== null && typeof key !== 'string') return reject('key must be a string or null');
  if (typeof r.value !== 'string')
    return reject('value must be a string (use valueEncoding "base64" for binary)');
  const encoding = r.valueEncoding ?? 'utf8';
  let value: Buffer;
  let text: string | undefined;
  if (encoding === 'utf8') {
    value = Buffer.from(r.value, 'utf8');
    // The gates need the text again: a well-formed string (no lone surrogates) is exactly the
    // UTF-8 decoding of these bytes, so they can skip the isUtf8 + toString round trip.
    if ((r.value as { isWellFormed?: () => boolean }).isWellFormed?.() === true) text = r.value;
  } else if (encoding === 'base64') {
    if (!BASE64.test(r.value)) return reject('value is not valid base64');
    value = Buffer.from(r.value, 'base64');
  } else {
    return reject('valueEncoding must be "utf8" or "base64"');
  }
  const headers: Record<string, string> = {};
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers))
      return reject('headers must be an object of strings');
    const entries = Object.entries(r.headers as Record<string, unknown>);
    if (entries.length > limits.maxHeaders)
      return reject(`too many headers (${entries.length} > ${limits.maxHeaders})`);
    let bytes = 0;
    for (const [name, v] of entries) {
      if (typeof v !== 'string')
        return reject(`header ${JSON.stringify(name.slice(0, 64))} must be a string`);
      bytes += name.length + v.length;
      if (bytes > limits.maxHeaderBytes)
        return reject(`headers exceed ${limits.maxHeaderBytes} bytes`);
      headers[name.toLowerCase()] = v;
    }
  }
  const record: IncomingRecord = { topic: r.topic, key, value, headers };
  if (text !== undefined) record.text = text;
  if (r.partition !== undefined && r.partition !== null) {
    if (
      !Number.isInteger(r.partition) ||
      (r.partition as number) < 0 ||
      (r.partition as number) > 1_000_000
    ) {
      return reject('partition must be a non-negative integer');
    }
    record.partition = r.partition as number;
  }
  if (r.timestamp !== undefined && r.timestamp !== null) {
    const ts =
      typeof r.timestamp === 'number' && Number.isSafeInteger(r.timestamp)
        ? String(r.timestamp)
        : r.timestamp;
    if (typeof ts !== 'string' || !DIGITS.test(ts))
      return reject('timestamp must be epoch milliseconds as a decimal string');
    record.timestamp = ts;
  }
  return record;
}
