/**
 * ODCS date/timestamp/time `logicalTypeOptions.format` values are Java-style patterns
 * (`yyyy-MM-dd HH:mm:ss`). This turns one into an anchored regular expression, or returns
 * `undefined` when it uses letters we do not understand.
 */
export function temporalPatternToRegExp(format: string): RegExp | undefined {
  let out = '^';
  let i = 0;
  while (i < format.length) {
    const c = format[i] as string;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) return undefined;
      const literal = end === i + 1 ? "'" : format.slice(i + 1, end);
      out += escape(literal);
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (format[i + n] === c) n += 1;
      const piece = letter(c, n);
      if (piece === undefined) return undefined;
      out += piece;
      i += n;
      continue;
    }
    out += escape(c);
    i += 1;
  }
  return new RegExp(`${out}$`);
}

function letter(c: string, n: number): string | undefined {
  switch (c) {
    case 'y':
    case 'u':
      return n === 2 ? '\\d{2}' : '\\d{4}';
    case 'M':
    case 'd':
    case 'H':
    case 'h':
    case 'm':
    case 's':
      return n === 1 ? '\\d{1,2}' : '\\d{2}';
    case 'D':
      return '\\d{1,3}';
    case 'S':
      return `\\d{${n}}`;
    case 'a':
      return '(?:AM|PM|am|pm)';
    case 'X':
      return n === 1
        ? '(?:Z|[+-]\\d{2}(?:\\d{2})?)'
        : n === 2
          ? '(?:Z|[+-]\\d{4})'
          : '(?:Z|[+-]\\d{2}:\\d{2})';
    case 'x':
      return n === 3 ? '[+-]\\d{2}:\\d{2}' : '[+-]\\d{2}(?:\\d{2})?';
    case 'Z':
      return '(?:Z|[+-]\\d{2}:?\\d{2})';
    default:
      return undefined;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Milliseconds since the epoch for a date, timestamp or time value; NaN when not parseable. */
export function temporalMillis(value: unknown, logicalType: string): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  let s = value.trim();
  if (logicalType === 'time') s = `1970-01-01T${s}`;
  s = s.replace(' ', 'T');
  if (
    /^\d{4}-\d{2}-\d{2}T[^Zz+-]*$/.test(s) ||
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)
  ) {
    s += 'Z';
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  return Date.parse(s);
}
