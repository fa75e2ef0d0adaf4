import type { Logger as EnginesLogger } from '@signal-factory/core';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';

/** Options of `createSchemaDriftEngine` / `new SchemaDriftEngine()`. All optional. */
export interface SchemaDriftEngineOptions {
  /**
   * Registered (expected) fingerprints of a dataset, e.g. from the registry the sidecar's gate G3
   * uses. Called at start and at every window close (not per record). When it returns a non-empty
   * list, only those fingerprints (and accepted additive ones) are the baseline and no learning
   * happens. Default: none (the baseline is learned from the first records).
   */
  expectedFingerprints?: (datasetUrn: string) => Iterable<string> | undefined;
  /** State of a window whose only drift is additive: `WARNING` or `OK` (with the drift in metrics). Default `WARNING`. */
  additiveState?: 'WARNING' | 'OK';
  /** Additive shapes join the baseline this long (event time) after they were first seen, ms. Default 3,600,000 (1 h). */
  acceptAdditiveAfterMs?: number;
  /**
   * Shapes of unknown impact (no contract verdict, no usable sample) join the baseline this long
   * after first seen, ms, so an unclassifiable new shape warns for a day, not forever. Default 86,400,000 (24 h).
   */
  acceptUnknownAfterMs?: number;
  /** Weighted records of a breaking shape needed for CRITICAL; fewer is WARNING. Default 5. */
  minBreakingRecords?: number;
  /**
   * Weighted baseline records learned before new shapes count as drift. Learning is measured in
   * event time from the first window with evidence: it lasts at least that window and until this
   * many records were seen. Default 50.
   */
  learnMinRecords?: number;
  /** Windows (event time, from the first with evidence) after which learning ends whatever the count. Default 3. */
  learnMaxWindows?: number;
  /** Drifted fingerprints remembered per dataset (least recently seen evicted). Default 64. */
  maxCandidates?: number;
  /** Baseline fingerprints remembered per dataset (oldest evicted). Default 64. */
  maxBaseline?: number;
  /** Distinct field paths in the learned baseline shape; beyond it shapes are no longer compared (bounds state size). Default 256. */
  maxShapePaths?: number;
  /** Drifted fingerprints not seen for this long (event time) are forgotten, ms. Default 7 days. */
  candidateTtlMs?: number;
  /** Engine version in `engine` (`schema-drift@<version>`). */
  version?: string;
  /** pino-compatible logger; silent by default. */
  logger?: EnginesLogger;
}

export interface ResolvedDriftOptions {
  expectedFingerprints: ((datasetUrn: string) => Iterable<string> | undefined) | undefined;
  additiveState: 'WARNING' | 'OK';
  acceptAdditiveAfterMs: number;
  acceptUnknownAfterMs: number;
  minBreakingRecords: number;
  learnMinRecords: number;
  learnMaxWindows: number;
  maxCandidates: number;
  maxBaseline: number;
  maxShapePaths: number;
  candidateTtlMs: number;
  version: string;
  logger: EnginesLogger | undefined;
}

export const DRIFT_ENGINE_VERSION = '0.1.0';

/** Validates and fills in defaults; throws `SF_ERR_ENGINES_OPTIONS_INVALID` naming every problem. */
export function resolveDriftOptions(options: SchemaDriftEngineOptions = {}): ResolvedDriftOptions {
  if (typeof options !== 'object' || options === null) {
    throw optionsError('schema drift engine', [{ path: '', message: 'must be an object' }]);
  }
  const problems: OptionProblem[] = [];
  if (
    options.expectedFingerprints !== undefined &&
    typeof options.expectedFingerprints !== 'function'
  )
    problems.push({
      path: 'expectedFingerprints',
      message: 'must be a function (datasetUrn) => string[]',
    });
  if (
    options.additiveState !== undefined &&
    options.additiveState !== 'WARNING' &&
    options.additiveState !== 'OK'
  )
    problems.push({ path: 'additiveState', message: "must be 'WARNING' or 'OK'" });
  checkNumber(problems, 'acceptAdditiveAfterMs', options.acceptAdditiveAfterMs, { min: 0 });
  checkNumber(problems, 'acceptUnknownAfterMs', options.acceptUnknownAfterMs, { min: 0 });
  checkNumber(problems, 'minBreakingRecords', options.minBreakingRecords, { min: 0 });
  checkNumber(problems, 'learnMinRecords', options.learnMinRecords, { min: 0 });
  checkNumber(problems, 'candidateTtlMs', options.candidateTtlMs, { min: 1 });
  for (const key of ['learnMaxWindows', 'maxCandidates', 'maxBaseline', 'maxShapePaths'] as const)
    checkNumber(problems, key, options[key], { min: 1, integer: true });
  if (
    options.version !== undefined &&
    (typeof options.version !== 'string' || options.version === '')
  )
    problems.push({ path: 'version', message: 'must be a non-empty string' });
  if (problems.length > 0) throw optionsError('schema drift engine', problems);
  return {
    expectedFingerprints: options.expectedFingerprints,
    additiveState: options.additiveState ?? 'WARNING',
    acceptAdditiveAfterMs: options.acceptAdditiveAfterMs ?? 3_600_000,
    acceptUnknownAfterMs: options.acceptUnknownAfterMs ?? 86_400_000,
    minBreakingRecords: options.minBreakingRecords ?? 5,
    learnMinRecords: options.learnMinRecords ?? 50,
    learnMaxWindows: options.learnMaxWindows ?? 3,
    maxCandidates: options.maxCandidates ?? 64,
    maxBaseline: options.maxBaseline ?? 64,
    maxShapePaths: options.maxShapePaths ?? 256,
    candidateTtlMs: options.candidateTtlMs ?? 7 * 24 * 3_600_000,
    version: options.version ?? DRIFT_ENGINE_VERSION,
    logger: options.logger,
  };
}
