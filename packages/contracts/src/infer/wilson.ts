/**
 * Lower bound of the Wilson score interval for `successes` out of `trials` (z = 1.96, 95 %):
 * 20 of 20 gives 0.84, 10,000 of 10,000 gives 0.9996. 0 when there were no trials.
 */
export function wilsonLowerBound(successes: number, trials: number, z = 1.96): number {
  if (trials <= 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - margin) / (1 + z2 / trials));
}
