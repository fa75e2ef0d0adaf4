/** Epoch ms of an RFC 3339 string, or undefined. */
export function parseMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `HH:MM:SS` in UTC, the way an on-call engineer reads a time. */
export function clockTime(value: string | number | undefined): string {
  const ms = typeof value === 'number' ? value : parseMs(value);
  if (ms === undefined) return 'unknown';
  return new Date(ms).toISOString().slice(11, 19);
}

/** `364 ms`, `42 s`, `7 min`, `3 h 5 min`, `2 d 4 h`. */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const s = Math.round(abs / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(abs / 60_000);
  if (min < 120) return `${min} min`;
  const h = Math.floor(abs / 3_600_000);
  if (h < 48) {
    const rest = Math.round((abs - h * 3_600_000) / 60_000);
    return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
  }
  const d = Math.floor(abs / 86_400_000);
  const rest = Math.round((abs - d * 86_400_000) / 3_600_000);
  return rest === 0 ? `${d} d` : `${d} d ${rest} h`;
}
