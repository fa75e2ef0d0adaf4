import { SignalFactoryError } from '@signal-factory/core';
import type { RecordViolation, SfRecordMetadata } from './types';

/** Stable error codes thrown by the producer SDK. */
export const SDK_ERROR_CODES = {
  /** Options failed validation at construction; `details.problems` lists each path. */
  invalidOptions: 'SF_ERR_SDK_INVALID_OPTIONS',
  /** A record value could not be serialised (not a string/Buffer/null and not JSON-serialisable). */
  notSerialisable: 'SF_ERR_SDK_RECORD_NOT_SERIALISABLE',
  /** Block mode: records violated their contract; `violations` lists reason codes per record. */
  contractViolation: 'SF_ERR_SDK_CONTRACT_VIOLATION',
  /** Block mode: the contract could not be loaded, so records cannot be checked. */
  contractUnavailable: 'SF_ERR_SDK_CONTRACT_UNAVAILABLE',
  /** The sidecar is unreachable, slow, or answered 5xx, and the SDK is fail-closed. */
  sidecarUnavailable: 'SF_ERR_SDK_SIDECAR_UNAVAILABLE',
  /** The sidecar answered something that is not the documented protocol. */
  sidecarBadResponse: 'SF_ERR_SDK_SIDECAR_BAD_RESPONSE',
  /** The sidecar processed the batch but reported `rejected`/`error` for some records. */
  sidecarRecordFailed: 'SF_ERR_SDK_SIDECAR_RECORD_FAILED',
  /** The bounded sidecar queue stayed full longer than `sidecar.enqueueTimeoutMs`. */
  queueFull: 'SF_ERR_SDK_QUEUE_FULL',
  /** `send` was called after `disconnect()`. */
  closed: 'SF_ERR_SDK_CLOSED',
} as const;

export type SdkErrorCode = (typeof SDK_ERROR_CODES)[keyof typeof SDK_ERROR_CODES];

/** One problem found in the options, with its path (e.g. `sidecar.batchSize`). */
export interface OptionProblem {
  path: string;
  message: string;
}

/** Thrown by `instrument`/`createProducer` when options are invalid; lists every problem. */
export class InvalidOptionsError extends SignalFactoryError {
  readonly problems: OptionProblem[];
  constructor(problems: OptionProblem[]) {
    super(
      SDK_ERROR_CODES.invalidOptions,
      `invalid producer-sdk options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { retriable: false, details: { problems } },
    );
    this.name = 'InvalidOptionsError';
    this.problems = problems;
  }
}

/** A record the SDK refused to send, with why. */
export interface RejectedRecord extends RecordViolation {
  /** `SF_ERR_SDK_CONTRACT_VIOLATION` or `SF_ERR_SDK_RECORD_NOT_SERIALISABLE`. */
  code: string;
}

/**
 * Some records were refused before sending (block mode or not serialisable). `sent` holds what
 * was sent anyway when `validation.partialSends` is on; otherwise nothing was sent.
 */
export class RecordsRejectedError extends SignalFactoryError {
  readonly rejected: RejectedRecord[];
  readonly sent: SfRecordMetadata[];
  constructor(code: string, rejected: RejectedRecord[], sent: SfRecordMetadata[]) {
    super(
      code,
      `${rejected.length} record(s) rejected before sending: ${rejected
        .slice(0, 5)
        .map((r) => `${r.topic}[${r.index}] ${r.reasonCodes.join(',')}`)
        .join('; ')}${rejected.length > 5 ? '; …' : ''}`,
      { retriable: false, details: { rejected, sentPartitions: sent.length } },
    );
    this.name = 'RecordsRejectedError';
    this.rejected = rejected;
    this.sent = sent;
  }
}

/** Per-record failure reported by the sidecar. */
export interface SidecarRecordFailure {
  topic: string;
  index: number;
  status: 'rejected' | 'error';
  code: string;
  message: string;
  retriable: boolean;
}

/** The sidecar acknowledged the batch but could not write some records. */
export class SidecarRecordError extends SignalFactoryError {
  readonly failures: SidecarRecordFailure[];
  constructor(failures: SidecarRecordFailure[]) {
    super(
      SDK_ERROR_CODES.sidecarRecordFailed,
      `the sidecar could not write ${failures.length} record(s): ${failures
        .slice(0, 3)
        .map((f) => `${f.topic}[${f.index}] ${f.code}`)
        .join('; ')}`,
      { retriable: failures.every((f) => f.retriable), details: { failures } },
    );
    this.name = 'SidecarRecordError';
    this.failures = failures;
  }
}

export function sdkError(
  code: SdkErrorCode,
  message: string,
  options: { cause?: unknown; retriable?: boolean; details?: Record<string, unknown> } = {},
): SignalFactoryError {
  return new SignalFactoryError(code, message, options);
}
