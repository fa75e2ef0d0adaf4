/** Parsing of the scenario format's times, durations and rates. Pure functions. */

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * `60m`, `30s`, `7d`, `1h30m`, `250ms` → milliseconds. Undefined when malformed. Zero is allowed
 * (callers decide whether it makes sense).
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const m of trimmed.matchAll(DURATION_PART_RE)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
  }
  return Math.round(total);
}

/** Milliseconds → the shortest readable duration (`7m`, `1h30m`, `45s`, `1d`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  if (rest > 0) out += `${Math.round(rest)}ms`;
  return sign + out;
}

const ISO_RE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO-8601 instant → epoch ms (a date alone is midnight UTC; no zone means UTC). */
export function parseIsoTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (!ISO_RE.test(trimmed)) return undefined;
  let normalized = trimmed.replace(' ', 'T');
  if (/T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/i.test(normalized)) normalized += 'Z';
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A scenario time: ISO-8601, or an offset from `start` (`+58m`, `+30s`, `+1h5m`, `-2h`).
 * Returns epoch ms, or undefined when malformed.
 */
export function parseScenarioTime(text: string, start: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('+') || trimmed.startsWith('-')) {
    const d = parseDuration(trimmed.slice(1));
    if (d === undefined) return undefined;
    return trimmed.startsWith('+') ? start + d : start - d;
  }
  return parseIsoTime(trimmed);
}

/** Epoch ms → `+58m` relative to start. */
export function formatOffset(ms: number, start: number): string {
  const d = ms - start;
  return d >= 0 ? `+${formatDuration(d)}` : formatDuration(d);
}

const RATE_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

const RATE_RE = /^(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)$/i;

/** `250/min`, `4/s`, `1000/h`, `20000/d` → events per millisecond. Undefined when malformed. */
export function parseRate(text: string): number | undefined {
  const m = RATE_RE.exec(text.trim());
  if (m === null) return undefined;
  const unit = RATE_UNITS[(m[2] as string).toLowerCase()];
  if (unit === undefined) return undefined;
  return Number(m[1]) / unit;
}
