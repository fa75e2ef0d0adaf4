import type { Logger as EnginesLogger } from '@signal-factory/core';
import { checkNumber, optionsError, type OptionProblem } from '../runtime/errors';
import type { FailureSignatureSink } from '../signatures/failure-signature-sink';

/** Options of `createContractEngine` / `new ContractEngine()`. All optional. */
export interface ContractEngineOptions {
  /**
   * Width of the WARNING band above the dataset's `complianceMin`: compliance below
   * `complianceMin + warningMargin` (capped at 1) is WARNING. 0 disables the band. Default 0.02.
   */
  warningMargin?: number;
  /**
   * Weighted records a judged window needs before it may be CRITICAL (the minimum-sample guard):
   * with fewer, a window that would be CRITICAL is WARNING and is pooled with the following
   * windows until the pool reaches this size. Default 20.
   */
  minRecords?: number;
  /** Most consecutive small windows pooled before judging anyway (still capped at WARNING). Default 12. */
  maxPooledWindows?: number;
  /**
   * `judge`: a producer (service + version) with enough records and compliance below
   * `complianceMin` makes the signal CRITICAL even when the dataset as a whole complies (a canary
   * breaking the contract). `report`: producers only appear in metrics. Default `judge`.
   */
  producerCompliance?: 'judge' | 'report';
  /** Whether WARN records (identity fallback, schema drift note, PII warning) comply. Default true. */
  warnCountsAsPass?: boolean;
  /**
   * FAIL records whose only failures are UNKNOWN_FIELD (a closed contract meeting an added field:
   * every declared field is still right) in `observe` or `bypassed` mode: `warn` counts them like
   * WARN records (compliant unless `warnCountsAsPass` is false), so an additive field never pages;
   * `fail` counts them as failures. In `enforce` mode they were quarantined and always count as
   * failures. Their failure signatures are recorded either way. Default `warn`.
   */
  additiveFailures?: 'warn' | 'fail';
  /**
   * Reason-code prefixes with zero tolerance: one FAIL record carrying such a code makes the
   * window CRITICAL whatever the compliance ratio (a leaked SSN is a breach, not a 0.5 % quality
   * dip). Default `['PII_DETECTED']`; `[]` judges them by compliance like every other code.
   */
  zeroToleranceReasonCodes?: readonly string[];
  /** Receives new and refreshed failure signatures at window close. Default: none. */
  signatureSink?: FailureSignatureSink;
  /** Least processing time between two refreshes of one signature's count / last seen, ms. Default 900,000 (15 min). */
  signatureRefreshMs?: number;
  /**
   * Quiet time after which a failure signature seen again starts a new episode, ms: its episode
   * start and producer are handed to the sink at once so the graph links INTRODUCED from the
   * deployment current then (a bug rolled back and re-introduced by a later version). A failing
   * producer version never seen with it also starts an episode. Default: one window length.
   */
  signatureEpisodeGapMs?: number;
  /** Failure signatures remembered per dataset (least recently seen evicted; an evicted one seen again is re-submitted, which the writer deduplicates). Default 25. */
  maxSignaturesPerDataset?: number;
  /** Producers tracked per window; more are counted under `~other`. Default 20. */
  maxProducersPerWindow?: number;
  /** Distinct reason codes tracked per window; more are counted under `~other`. Default 50. */
  maxReasonCodesPerWindow?: number;
  /** Reason codes listed in a verdict. Default 5. */
  topReasonCodes?: number;
  /** Failure signature ids listed in a verdict. Default 20. */
  maxSignatureIdsPerSignal?: number;
  /** Engine version in `engine` (`contract@<version>`). Default the package's engine version. */
  version?: string;
  /** pino-compatible logger; silent by default. */
  logger?: EnginesLogger;
}

/** Options with defaults applied. */
export interface ResolvedContractOptions {
  warningMargin: number;
  minRecords: number;
  maxPooledWindows: number;
  producerCompliance: 'judge' | 'report';
  warnCountsAsPass: boolean;
  additiveFailures: 'warn' | 'fail';
  zeroToleranceReasonCodes: readonly string[];
  signatureSink: FailureSignatureSink | undefined;
  signatureRefreshMs: number;
  /** Undefined: one window length. */
  signatureEpisodeGapMs: number | undefined;
  maxSignaturesPerDataset: number;
  maxProducersPerWindow: number;
  maxReasonCodesPerWindow: number;
  topReasonCodes: number;
  maxSignatureIdsPerSignal: number;
  version: string;
  logger: EnginesLogger | undefined;
}

export const CONTRACT_ENGINE_VERSION = '0.1.0';

/** Validates and fills in defaults; throws `SF_ERR_ENGINES_OPTIONS_INVALID` naming every problem. */
export function resolveContractOptions(
  options: ContractEngineOptions = {},
): ResolvedContractOptions {
  const problems: OptionProblem[] = [];
  if (typeof options !== 'object' || options === null) {
    throw optionsError('contract engine', [{ path: '', message: 'must be an object' }]);
  }
  checkNumber(problems, 'warningMargin', options.warningMargin, { min: 0, max: 1 });
  checkNumber(problems, 'minRecords', options.minRecords, { min: 0 });
  checkNumber(problems, 'maxPooledWindows', options.maxPooledWindows, { min: 1, integer: true });
  checkNumber(problems, 'signatureRefreshMs', options.signatureRefreshMs, { min: 0 });
  checkNumber(problems, 'signatureEpisodeGapMs', options.signatureEpisodeGapMs, { min: 1 });
  for (const key of [
    'maxSignaturesPerDataset',
    'maxProducersPerWindow',
    'maxReasonCodesPerWindow',
    'topReasonCodes',
    'maxSignatureIdsPerSignal',
  ] as const) {
    checkNumber(problems, key, options[key], { min: 1, integer: true });
  }
  if (
    options.producerCompliance !== undefined &&
    options.producerCompliance !== 'judge' &&
    options.producerCompliance !== 'report'
  ) {
    problems.push({ path: 'producerCompliance', message: "must be 'judge' or 'report'" });
  }
  if (options.warnCountsAsPass !== undefined && typeof options.warnCountsAsPass !== 'boolean') {
    problems.push({ path: 'warnCountsAsPass', message: 'must be a boolean' });
  }
  if (
    options.additiveFailures !== undefined &&
    options.additiveFailures !== 'warn' &&
    options.additiveFailures !== 'fail'
  ) {
    problems.push({ path: 'additiveFailures', message: "must be 'warn' or 'fail'" });
  }
  const zero = options.zeroToleranceReasonCodes as unknown;
  if (
    zero !== undefined &&
    (!Array.isArray(zero) || zero.some((c) => typeof c !== 'string' || c === ''))
  ) {
    problems.push({
      path: 'zeroToleranceReasonCodes',
      message: 'must be an array of non-empty strings',
    });
  }
  const sink = options.signatureSink as unknown;
  if (
    sink !== undefined &&
    (typeof sink !== 'object' ||
      sink === null ||
      typeof (sink as { submit?: unknown }).submit !== 'function')
  ) {
    problems.push({ path: 'signatureSink', message: 'must have a submit(updates) method' });
  }
  if (
    options.version !== undefined &&
    (typeof options.version !== 'string' || options.version === '')
  ) {
    problems.push({ path: 'version', message: 'must be a non-empty string' });
  }
  if (problems.length > 0) throw optionsError('contract engine', problems);
  return {
    warningMargin: options.warningMargin ?? 0.02,
    minRecords: options.minRecords ?? 20,
    maxPooledWindows: options.maxPooledWindows ?? 12,
    producerCompliance: options.producerCompliance ?? 'judge',
    warnCountsAsPass: options.warnCountsAsPass ?? true,
    additiveFailures: options.additiveFailures ?? 'warn',
    zeroToleranceReasonCodes: options.zeroToleranceReasonCodes ?? ['PII_DETECTED'],
    signatureSink: options.signatureSink,
    signatureRefreshMs: options.signatureRefreshMs ?? 900_000,
    signatureEpisodeGapMs: options.signatureEpisodeGapMs,
    maxSignaturesPerDataset: options.maxSignaturesPerDataset ?? 25,
    maxProducersPerWindow: options.maxProducersPerWindow ?? 20,
    maxReasonCodesPerWindow: options.maxReasonCodesPerWindow ?? 50,
    topReasonCodes: options.topReasonCodes ?? 5,
    maxSignatureIdsPerSignal: options.maxSignatureIdsPerSignal ?? 20,
    version: options.version ?? CONTRACT_ENGINE_VERSION,
    logger: options.logger,
  };
}
