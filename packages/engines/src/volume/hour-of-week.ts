const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Buckets of the weekly baseline: one per hour of the week, 0 = Monday 00:00–01:00 UTC. */
export const HOURS_PER_WEEK = 168;

/** Hour of the week (0 = Monday 00:00 UTC … 167 = Sunday 23:00 UTC) of an epoch-ms time. */
export function hourOfWeek(time: number): number {
  // 1970-01-01 was a Thursday (index 3 when Monday is 0).
  const day = (((Math.floor(time / DAY) + 3) % 7) + 7) % 7;
  const hour = Math.floor((((time % DAY) + DAY) % DAY) / HOUR);
  return day * 24 + hour;
}

/** `Sat 10:00 UTC` for a bucket index. */
export function hourOfWeekLabel(index: number): string {
  const day = DAYS[Math.floor(index / 24)] ?? '?';
  return `${day} ${String(index % 24).padStart(2, '0')}:00 UTC`;
}
