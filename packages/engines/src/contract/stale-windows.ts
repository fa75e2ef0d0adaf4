/**
 * Drops open windows older than the one being closed: the runtime skipped them (catch-up limit)
 * and will never close them, so they would otherwise stay in state forever.
 */
export function dropStaleWindows(open: Record<string, unknown>, start: number): number {
  let dropped = 0;
  for (const key of Object.keys(open)) {
    if (Number(key) < start) {
      delete open[key];
      dropped += 1;
    }
  }
  return dropped;
}
