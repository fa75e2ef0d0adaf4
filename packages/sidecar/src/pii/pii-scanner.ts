import { childFieldPath, itemFieldPath } from '@signal-factory/core';
import RE2 from 're2';

import type { PiiFinding, PiiType } from '../types';
import { ibanValid, luhnValid, ssnValid } from './checksums';

/** A match inside one string: `[start, end)` in UTF-16 code units. */
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
}

interface Detector {
  type: PiiType;
  source: string;
  /** Returns the accepted `[start, end)` inside the match, or undefined to reject it. */
  accept: (match: string) => [number, number] | undefined;
}

const ALL_TYPES: readonly PiiType[] = ['ssn', 'email', 'phone', 'credit_card', 'iban'];

/** Overlap priority: checksum-validated types win over looser ones. */
const PRIORITY: Readonly<Record<PiiType, number>> = {
  credit_card: 0,
  iban: 1,
  email: 2,
  ssn: 3,
  phone: 4,
};

function digitsOf(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) out += text[i];
  }
  return out;
}

const whole = (m: string): [number, number] => [0, m.length];

function acceptSsn(m: string): [number, number] | undefined {
  // RE2 has no back-references: both delimiters must be equal (or both absent).
  const d1 = m.charAt(3);
  const isDelim = (c: string): boolean => c === '-' || c === ' ' || c === '.';
  const first = isDelim(d1) ? d1 : '';
  const second = m.charAt(3 + first.length + 2);
  const secondDelim = isDelim(second) ? second : '';
  if (first !== secondDelim) return undefined;
  return ssnValid(digitsOf(m)) ? whole(m) : undefined;
}

function acceptCard(m: string): [number, number] | undefined {
  const digits = digitsOf(m);
  if (digits.length < 13 || digits.length > 19) return undefined;
  if (digits.length === 13 && digits.startsWith('1')) return undefined;
  return luhnValid(digits) ? whole(m) : undefined;
}

function acceptIban(m: string): [number, number] | undefined {
  // The pattern is greedy over spaces and alphanumerics; cut at the country's IBAN length.
  let compact = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i] === ' ') continue;
    compact++;
    if (compact >= 15) {
      const candidate = m.slice(0, i + 1);
      const next = m.charAt(i + 1);
      if ((next === '' || next === ' ') && ibanValid(candidate)) return [0, i + 1];
    }
  }
  return undefined;
}

function phoneDigits(min: number, max: number) {
  return (m: string): [number, number] | undefined => {
    const n = digitsOf(m).length;
    return n >= min && n <= max ? whole(m) : undefined;
  };
}

function acceptNanp(m: string): [number, number] | undefined {
  const digits = digitsOf(m);
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (national.length !== 10) return undefined;
  const area = national.charCodeAt(0) - 48;
  return area >= 2 ? whole(m) : undefined;
}

const DETECTORS: readonly Detector[] = [
  { type: 'ssn', source: String.raw`\b\d{3}[- .]?\d{2}[- .]?\d{4}\b`, accept: acceptSsn },
  {
    type: 'email',
    source: String.raw`[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?:xn--[A-Za-z0-9\-]{1,59}|[A-Za-z]{2,63})\b`,
    accept: whole,
  },
  {
    type: 'credit_card',
    source: String.raw`\b[13456]\d{3}[- ]?\d{3,4}[- ]?\d{3,4}[- ]?\d{3,5}\b`,
    accept: acceptCard,
  },
  {
    type: 'iban',
    source: String.raw`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,40}`,
    accept: acceptIban,
  },
  // E.164 / international "+CC …": 8–15 digits.
  {
    type: 'phone',
    source: String.raw`\+[1-9]\d{0,2}[-. ]?(?:\(\d{1,4}\)[-. ]?)?\d{1,5}(?:[-. ]?\d{1,5}){0,5}\b`,
    accept: phoneDigits(8, 15),
  },
  // North American Numbering Plan: (415) 555-0132, 415-555-0132, 4155550132, 1 415 555 0132.
  {
    type: 'phone',
    source: String.raw`(?:\b1[-. ]?)?(?:\(\d{3}\)|\b\d{3})[-. ]?\d{3}[-. ]?\d{4}\b`,
    accept: acceptNanp,
  },
  // NANP written 3-7: 425 8829090.
  { type: 'phone', source: String.raw`\b[2-9]\d{2}[-. ]\d{7}\b`, accept: whole },
  // National trunk-prefixed forms: IL 09-7625400, JP 090-1234-5678, UK 020 7123 4567.
  { type: 'phone', source: String.raw`\b0\d{1,2}-\d{7}\b`, accept: whole },
  { type: 'phone', source: String.raw`\b0\d{2}-\d{4}-\d{4}\b`, accept: whole },
  { type: 'phone', source: String.raw`\b0\d{2,4} \d{3,4} \d{4}\b`, accept: whole },
  // Chinese mobile numbers: 11 digits starting 13–19.
  { type: 'phone', source: String.raw`\b1[3-9]\d{9}\b`, accept: whole },
];

// Digit groups inside a UUID pass Luhn and the SSN/phone shapes often enough (about 1 UUID in
// 2,500 looks like a card) to flood evidence with false positives on every id field.
const UUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;

function uuidRanges(text: string): Array<[number, number]> {
  if (text.indexOf('-') === -1) return [];
  const ranges: Array<[number, number]> = [];
  for (const m of text.matchAll(UUID)) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

function insideAny(ranges: ReadonlyArray<[number, number]>, start: number, end: number): boolean {
  for (const [from, to] of ranges) if (start < to && end > from) return true;
  return false;
}

export interface PiiScannerOptions {
  /** PII types to detect. Default: all (`ssn`, `email`, `phone`, `credit_card`, `iban`). */
  types?: readonly PiiType[];
  /** Most findings reported per record. Default 32. */
  maxFindings?: number;
  /** Longest string scanned, in UTF-16 units; longer strings are scanned up to this length. Default 65,536. */
  maxStringLength?: number;
}

interface CompiledDetector extends Detector {
  regex: RE2;
}

/**
 * Linear-time PII detection (RE2, no back-tracking) with checksum validation.
 * A single `RE2.Set` pass over the raw record bytes skips clean records cheaply.
 */
export class PiiScanner {
  readonly #detectors: CompiledDetector[];
  readonly #set: InstanceType<typeof RE2.Set>;
  readonly #maxFindings: number;
  readonly #maxStringLength: number;

  constructor(options: PiiScannerOptions = {}) {
    const types = new Set(options.types ?? ALL_TYPES);
    this.#detectors = DETECTORS.filter((d) => types.has(d.type)).map((d) => ({
      ...d,
      regex: new RE2(d.source, 'gu'),
    }));
    this.#set = new RE2.Set(
      this.#detectors.map((d) => d.source),
      'u',
    );
    this.#maxFindings = options.maxFindings ?? 32;
    this.#maxStringLength = options.maxStringLength ?? 65_536;
  }

  /** False when no detector can match anywhere in `bytes` (UTF-8): the record is clean. */
  /** Indices of detectors that match somewhere in `bytes`. */
  hits(bytes: Buffer | string): number[] {
    return this.#set.match(bytes);
  }

  mayContain(bytes: Buffer | string): boolean {
    if (this.#detectors.length === 0) return false;
    return this.#set.test(bytes);
  }

  /** Every accepted PII span in one string, without overlaps. */
  scanString(text: string): PiiSpan[] {
    if (!mayBePii(text)) return [];
    const input = text.length > this.#maxStringLength ? text.slice(0, this.#maxStringLength) : text;
    const hits = this.#set.match(input);
    if (hits.length === 0) return [];
    const spans: PiiSpan[] = [];
    const uuids = uuidRanges(input);
    for (const index of hits) {
      const detector = this.#detectors[index];
      if (detector === undefined) continue;
      for (const match of execAll(detector.regex, input)) {
        const accepted = detector.accept(match[0]);
        if (accepted === undefined) continue;
        const start = match.index + accepted[0];
        const end = start + accepted[1] - accepted[0];
        if (detector.type !== 'email' && insideAny(uuids, start, end)) continue;
        spans.push({ type: detector.type, start, end });
      }
    }
    if (spans.length <= 1) return spans;
    spans.sort(
      (a, b) =>
        PRIORITY[a.type] - PRIORITY[b.type] ||
        b.end - b.start - (a.end - a.start) ||
        a.start - b.start,
    );
    const kept: PiiSpan[] = [];
    for (const span of spans) {
      if (kept.every((k) => span.end <= k.start || span.start >= k.end)) kept.push(span);
    }
    return kept.sort((a, b) => a.start - b.start);
  }

  /**
   * Findings (type and path, never values) in the string values of a parsed record. Paths use dots
   * and `[]` for array items; `skipPaths` are fields the contract declares as PII.
   */
  scanValue(value: unknown, skipPaths: ReadonlySet<string> = EMPTY): PiiFinding[] {
    return this.#walk(value, skipPaths, undefined);
  }

  /**
   * Like `scanValue`, but first runs the detectors once over the record's JSON bytes: only strings
   * that contain an accepted match are scanned field by field. Falls back to `scanValue` when the
   * text has escapes (`\n`, `\u0040`…), which could hide or split a match in the raw text.
   */
  scanRecord(json: Buffer, value: unknown, skipPaths: ReadonlySet<string> = EMPTY): PiiFinding[] {
    // RE2 re-encodes a JS string to UTF-8 on every call; on the Buffer it does not.
    if (json.indexOf(0x5c) !== -1 || json.length > this.#maxStringLength * 4)
      return this.#walk(value, skipPaths, undefined);
    const hits = this.#set.match(json);
    if (hits.length === 0) return [];
    let email = false;
    let digits = false;
    for (const index of hits) {
      if (this.#detectors[index]?.type === 'email') email = true;
      else digits = true;
    }
    // Only strings that can hold what the byte pass saw are scanned with RE2.
    return this.#walk(
      value,
      skipPaths,
      (text) => (email && text.indexOf('@') !== -1) || (digits && hasDigits(text, 8)),
    );
  }

  #walk(
    value: unknown,
    skipPaths: ReadonlySet<string>,
    candidate: ((text: string) => boolean) | undefined,
  ): PiiFinding[] {
    const walk: Walk = { skipPaths, candidate, findings: [], seen: new Set<string>() };
    this.#visit(walk, value, '', null, 0);
    return walk.findings;
  }

  /**
   * Depth-first, in document order. Recursion (bounded by MAX_DEPTH) instead of an explicit stack:
   * no tuple per node, and a path string is built only for objects and for candidate strings.
   */
  #visit(walk: Walk, node: unknown, parent: string, key: string | null, depth: number): void {
    if (typeof node === 'string') {
      if (walk.candidate !== undefined && !walk.candidate(node)) return;
      const path =
        key === null ? parent : key === '[]' ? itemFieldPath(parent) : childFieldPath(parent, key);
      if (walk.skipPaths.has(path === '' ? '$' : path)) return;
      for (const span of this.scanString(node)) {
        const id = `${span.type}|${path}`;
        if (walk.seen.has(id)) continue;
        walk.seen.add(id);
        walk.findings.push({ type: span.type, path: path === '' ? '$' : path });
        if (walk.findings.length >= this.#maxFindings) return;
      }
    } else if (depth < MAX_DEPTH && typeof node === 'object' && node !== null) {
      const path =
        key === null ? parent : key === '[]' ? itemFieldPath(parent) : childFieldPath(parent, key);
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          this.#visit(walk, node[i], path, '[]', depth + 1);
          if (walk.findings.length >= this.#maxFindings) return;
        }
      } else {
        for (const k of Object.keys(node)) {
          this.#visit(walk, (node as Record<string, unknown>)[k], path, k, depth + 1);
          if (walk.findings.length >= this.#maxFindings) return;
        }
      }
    }
  }
}

/** One scan's inputs and outputs, passed down the recursion. */
interface Walk {
  skipPaths: ReadonlySet<string>;
  candidate: ((text: string) => boolean) | undefined;
  findings: PiiFinding[];
  seen: Set<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

/** Every match of a global RE2 (an `exec` loop: RE2's `matchAll` copies the input per match). */
function execAll(regex: RE2, input: string): Array<{ 0: string; index: number }> {
  const out: Array<{ 0: string; index: number }> = [];
  regex.lastIndex = 0;
  for (let m = regex.exec(input); m !== null; m = regex.exec(input)) {
    out.push({ 0: m[0], index: m.index });
    if (m[0].length === 0) regex.lastIndex++;
  }
  return out;
}

/**
 * Cheap necessary condition for any detector: an `@` (email) or at least 8 ASCII digits (every
 * phone, SSN, card and IBAN form has 8 or more). Skips most strings without calling RE2.
 */
function mayBePii(text: string): boolean {
  if (text.length < 6) return false;
  return text.indexOf('@') !== -1 || hasDigits(text, 8);
}

function hasDigits(text: string, min: number): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++digits >= min) return true;
  }
  return false;
}
const MAX_DEPTH = 128;
