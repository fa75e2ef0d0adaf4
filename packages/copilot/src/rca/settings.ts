/** Tuning of the deterministic RCA; every field has a default (see `DEFAULT_RCA_SETTINGS`). */
export interface RcaSettings {
  /** How far before `opened_at` signal history is searched for the incident's signals, ms. Default 6 h. */
  signalLookbackMs: number;
  /** A deploy at most this long before the first bad record is "close" (supports HIGH), ms. Default 15 min. */
  deployCloseWindowMs: number;
  /**
   * Longest deploy → first-bad gap still tied to a deployment by time alone, without an INTRODUCED
   * edge; an INTRODUCED deployment older than this is kept but marked LOW. Ms. Default 2 h.
   * A stall is tied to a deployment only within `deployCloseWindowMs`.
   */
  deployCorrelationWindowMs: number;
  /**
   * A deployment linked by an INTRODUCED edge is ruled out when the failing signal types stayed OK
   * for longer than this after it (the edge then only names the version that was running), ms.
   * Default 45 min: a slow burn within it keeps its deployment (MEDIUM, timing weakens it).
   */
  introducedCleanRunMs: number;
  /** Clock skew tolerated between deploy times and record times, ms. Default 60 s. */
  clockSkewMs: number;
  /** Dataset → job → dataset hops walked upstream to find an upstream incident, 1..3. Default 3. */
  upstreamMaxDepth: number;
  /** An upstream incident opened at most this long after this one still counts as its cause, ms. Default 10 min. */
  upstreamToleranceMs: number;
  /** Hops of the blast radius, 1..3. Default 3. */
  blastRadiusDepth: number;
  /** Most blast-radius entries per report. Default 200. */
  blastRadiusLimit: number;
  /** Most entries whose owner is looked up. Default 50. */
  ownerLookups: number;
}

export const DEFAULT_RCA_SETTINGS: Readonly<RcaSettings> = {
  signalLookbackMs: 6 * 3_600_000,
  deployCloseWindowMs: 15 * 60_000,
  deployCorrelationWindowMs: 2 * 3_600_000,
  introducedCleanRunMs: 45 * 60_000,
  clockSkewMs: 60_000,
  upstreamMaxDepth: 3,
  upstreamToleranceMs: 10 * 60_000,
  blastRadiusDepth: 3,
  blastRadiusLimit: 200,
  ownerLookups: 50,
};
