import { canonicalize } from '../canonical/canonicalize';
import { sha256Hex } from '../canonical/sha256';
import { CORE_ERROR_CODES } from '../errors/codes';
import { SignalFactoryError } from '../errors/signal-factory-error';

/** Identity of a record by its Kafka coordinates (sidecar after produce, tap, replay). */
export interface KafkaRecordIdentity {
  /** Dataset URN, `null` when unresolved. */
  datasetUrn: string | null;
  topic: string;
  partition: number;
  /** Offset as kafkajs gives it (decimal string), or a number / bigint. */
  offset: string | number | bigint;
}

/** Identity of a record by content, when no offset is known yet (SDK, batch runs). */
export interface ContentRecordIdentity {
  datasetUrn: string | null;
  producerService: string;
  /** W3C trace id of the produce call; give it or `recordKey` (or both). */
  traceId?: string;
  /** Record key (as text) — hashed, never stored. */
  recordKey?: string;
  /** Event time, RFC 3339. */
  eventTime: string;
  /** Digest of the record value, e.g. `sha256:<hex>` of its bytes. */
  valueDigest: string;
}

/** Evidence id: `ev_` and the first 32 hex digits (128 bits) of a SHA-256. */
export type EvidenceId = `ev_${string}`;

const OFFSET = /^(0|[1-9][0-9]{0,18})$/;

function invalid(path: string, what: string): never {
  throw new SignalFactoryError(CORE_ERROR_CODES.ARGUMENT_INVALID, `evidenceId: ${path} ${what}`, {
    details: { path },
  });
}

function urnOf(input: { datasetUrn?: unknown }): string | null {
  const urn = input.datasetUrn;
  if (urn !== null && (typeof urn !== 'string' || urn.length === 0))
    invalid('datasetUrn', 'must be a URN string or null');
  return urn;
}

/**
 * Deterministic evidence id: the same record always gets the same id, so replays and
 * redeliveries dedupe. Kafka coordinates win when present; otherwise the id derives from the
 * producer, trace id / record key, event time and value digest.
 * @throws SignalFactoryError `SF_ERR_CORE_ARGUMENT_INVALID` naming the faulty field.
 */
export function evidenceId(input: KafkaRecordIdentity | ContentRecordIdentity): EvidenceId {
  if (typeof input !== 'object' || input === null) invalid('input', 'must be an object');
  const datasetUrn = urnOf(input);
  let tuple: unknown[];
  if ('offset' in input && input.offset !== undefined) {
    const { topic, partition, offset } = input;
    if (typeof topic !== 'string' || topic.length === 0)
      invalid('topic', 'must be a non-empty string');
    if (!Number.isSafeInteger(partition) || partition < 0)
      invalid('partition', 'must be an integer >= 0');
    const text =
      typeof offset === 'string'
        ? offset
        : typeof offset === 'number' || typeof offset === 'bigint'
          ? String(offset)
          : '';
    if (!OFFSET.test(text)) invalid('offset', 'must be a non-negative integer');
    tuple = ['kafka', datasetUrn, topic, partition, text];
  } else {
    const { producerService, traceId, recordKey, eventTime, valueDigest } =
      input as ContentRecordIdentity;
    if (typeof producerService !== 'string' || producerService.length === 0) {
      invalid('producerService', 'must be a non-empty string');
    }
    if (traceId !== undefined && typeof traceId !== 'string')
      invalid('traceId', 'must be a string');
    if (recordKey !== undefined && typeof recordKey !== 'string')
      invalid('recordKey', 'must be a string');
    if (traceId === undefined && recordKey === undefined)
      invalid('traceId', 'or recordKey is required');
    if (typeof eventTime !== 'string' || eventTime.length === 0)
      invalid('eventTime', 'must be an RFC 3339 string');
    if (typeof valueDigest !== 'string' || valueDigest.length === 0)
      invalid('valueDigest', 'must be a non-empty string');
    tuple = [
      'content',
      datasetUrn,
      producerService,
      traceId ?? null,
      recordKey ?? null,
      eventTime,
      valueDigest,
    ];
  }
  let canonical: string;
  try {
    canonical = canonicalize(tuple);
  } catch (cause) {
    // Only lone UTF-16 surrogates get here: every other field was checked above.
    throw new SignalFactoryError(
      CORE_ERROR_CODES.ARGUMENT_INVALID,
      'evidenceId: a string contains a lone UTF-16 surrogate',
      {
        cause,
        details: { path: 'input' },
      },
    );
  }
  return `ev_${sha256Hex(canonical).slice(0, 32)}`;
}
