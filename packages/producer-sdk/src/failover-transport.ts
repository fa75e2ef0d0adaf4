import { HEADERS } from '@signal-factory/core';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';
import { SDK_ERROR_CODES, sdkError, SidecarRecordError, type SidecarRecordFailure } from './errors';
import type { ResolvedSidecarOptions } from './options';
import { aggregateMetadata, SidecarTransport, type SidecarOutcome } from './sidecar-transport';
import type { ProducerTransport, TransportRecord, TransportSendOptions } from './transport';
import type { SfRecordMetadata } from './types';

export interface FailoverHooks {
  /** Records produced directly because the sidecar was unavailable. */
  onBypass?: (count: number, reason: Error | undefined) => void;
  onSidecarFailure?: (error: Error) => void;
  onBreakerChange?: (from: BreakerState, to: BreakerState) => void;
}

/** Marks a record as produced without the sidecar, unless the application set the header. */
function bypassed(r: TransportRecord): TransportRecord {
  const current = r.headers[HEADERS.enforcement];
  // in place: the headers object may be a proxy shielding the application's trace context
  if (current === undefined || current === 'sidecar') r.headers[HEADERS.enforcement] = 'bypassed';
  return r;
}

/**
 * The sidecar hop guarded by a circuit breaker. Only the records whose request failed as
 * "unavailable" (connection error, timeout, 5xx, garbage answer) are produced directly, so an
 * acknowledged record is never sent twice by the switch; fail-closed rejects them instead.
 */
export class FailoverTransport implements ProducerTransport {
  readonly name = 'sidecar';
  readonly #sidecar: SidecarTransport;
  readonly #direct: ProducerTransport;
  readonly #breaker: CircuitBreaker;
  readonly #failMode: 'open' | 'closed';
  readonly #hooks: FailoverHooks;

  constructor(
    options: ResolvedSidecarOptions,
    direct: ProducerTransport,
    hooks: FailoverHooks = {},
  ) {
    this.#hooks = hooks;
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      resetTimeoutMs: options.resetTimeoutMs,
      onStateChange: (from, to) => hooks.onBreakerChange?.(from, to),
    });
    this.#sidecar = new SidecarTransport(options, {
      onRequestOutcome: (ok, error) => {
        if (ok) this.#breaker.onSuccess();
        else {
          this.#breaker.onFailure();
          if (error) hooks.onSidecarFailure?.(error);
        }
      },
    });
    this.#direct = direct;
    this.#failMode = options.failMode;
  }

  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  async send(
    records: readonly TransportRecord[],
    options: TransportSendOptions = {},
  ): Promise<SfRecordMetadata[]> {
    if (records.length === 0) return [];
    if (!this.#breaker.allowRequest()) {
      const err = sdkError(
        SDK_ERROR_CODES.sidecarUnavailable,
        'the sidecar circuit breaker is open',
        {
          retriable: true,
        },
      );
      return this.#fallback(records, options, err);
    }
    let outcomes: SidecarOutcome[];
    try {
      outcomes = await this.#sidecar.sendDetailed(records);
    } catch (error) {
      // queue full or closed: no request was made, so this says nothing about the sidecar
      this.#breaker.abandonProbe();
      throw error;
    }
    const failedIdx: number[] = [];
    let reason: Error | undefined;
    const failures: SidecarRecordFailure[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'unavailable') {
        failedIdx.push(i);
        reason ??= o.error;
      } else if (o.status === 'failed') failures.push({ ...o.failure, index: i });
    });
    let metadata = aggregateMetadata(outcomes);
    if (failedIdx.length > 0) {
      const direct = await this.#fallback(
        failedIdx.map((i) => records[i]!),
        options,
        reason,
      );
      metadata = metadata.concat(direct);
    }
    if (failures.length > 0) throw new SidecarRecordError(failures);
    return metadata;
  }

  async #fallback(
    records: readonly TransportRecord[],
    options: TransportSendOptions,
    reason: Error | undefined,
  ): Promise<SfRecordMetadata[]> {
    if (this.#failMode === 'closed') {
      throw sdkError(
        SDK_ERROR_CODES.sidecarUnavailable,
        `the sidecar is unavailable and failMode is "closed": ${records.length} record(s) not sent`,
        { cause: reason, retriable: true, details: { records: records.length } },
      );
    }
    const result = await this.#direct.send(records.map(bypassed), options);
    try {
      this.#hooks.onBypass?.(records.length, reason);
    } catch {
      // observers must not break the data path
    }
    return result;
  }

  async flush(): Promise<void> {
    await this.#sidecar.flush();
    await this.#direct.flush();
  }

  async close(): Promise<void> {
    await this.#sidecar.close();
    await this.#direct.close();
  }
}
