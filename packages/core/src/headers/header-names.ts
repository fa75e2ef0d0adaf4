/**
 * Kafka / HTTP header names Signal Factory reads and writes. Lowercase, as HTTP/2 and Kafka
 * clients deliver them; compare header names case-insensitively when reading HTTP/1.1.
 */
export const HEADERS = {
  /** Name of the producing service; its presence gives HIGH identity confidence (gate G2). */
  producerService: 'x-obs-producer-service',
  /** Version of the producing service (semver, git sha or build id). */
  producerVersion: 'x-obs-producer-version',
  /** Business time of the record, RFC 3339 (freshness is measured on it). */
  eventTime: 'x-obs-event-time',
  /** Id of the data contract the producer validated against. */
  contractId: 'x-obs-contract-id',
  /** Version of that contract. */
  contractVersion: 'x-obs-contract-version',
  /** Enforcement the record went through: `observe`, `enforce` or `bypassed`. */
  enforcement: 'x-obs-enforcement',
  /** Comma-separated reason codes attached to a quarantined or warned record. */
  reasonCodes: 'x-obs-reason-codes',
  /** Original topic of a record forwarded to a quarantine topic. */
  sourceTopic: 'x-obs-source-topic',
} as const;

/** A Signal Factory header name. */
export type HeaderName = (typeof HEADERS)[keyof typeof HEADERS];

/** W3C Trace Context `traceparent` header name. */
export const TRACEPARENT_HEADER = 'traceparent';
/** W3C Trace Context `tracestate` header name. */
export const TRACESTATE_HEADER = 'tracestate';
