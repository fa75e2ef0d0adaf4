import { HEADERS } from '@signal-factory/core';
import { SDK_ERROR_CODES, type RejectedRecord } from './errors';
import type { ContractRegistry, ContractValidator } from './contract-registry';
import { NOT_FOUND, readTopLevelField, toRfc3339 } from './event-time';
import type { ResolvedOptions } from './options';
import type { TransportRecord } from './transport';
import type { RecordViolation, SfMessage, SfTopicMessages } from './types';

/** What one `send`/`sendBatch` call turns into. */
export interface PreparedSend {
  records: TransportRecord[];
  /** For each record, whether the application set its own traceparent. */
  appTrace: boolean[];
  rejected: RejectedRecord[];
  /** Violations found (warn and block). */
  violations: RecordViolation[];
  validated: number;
  /**
   * Warn mode: records to validate after the send has started (the outcome does not change what
   * is sent, so the ~3 µs of parse + validate per record overlaps the broker round trip).
   */
  deferred: {
    topic: string;
    index: number;
    value: Buffer | string;
    validator: ContractValidator;
  }[];
}

/** Validates one serialised value; a value that is not JSON gets `UNPARSEABLE_VALUE:$`. */
export function validateValue(
  validator: ContractValidator,
  value: Buffer | string,
): { valid: boolean; reasonCodes: readonly string[] } {
  let payload: unknown;
  try {
    payload = JSON.parse(enc(value));
  } catch {
    return { valid: false, reasonCodes: ['UNPARSEABLE_VALUE:$'] };
  }
  return validator.validate(payload);
}

const enc = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : (v as string));

/** Serialises a value the way kafkajs can send it, or says it cannot be. */
function serialise(
  value: unknown,
): { ok: true; value: Buffer | string | null } | { ok: false; why: string } {
  if (value === null || typeof value === 'string' || Buffer.isBuffer(value))
    return { ok: true, value };
  if (value === undefined)
    return { ok: false, why: 'value is undefined (use null for a tombstone)' };
  if (
    typeof value === 'object' &&
    (Array.isArray(value) ||
      Object.getPrototypeOf(value) === Object.prototype ||
      Object.getPrototypeOf(value) === null)
  ) {
    try {
      return { ok: true, value: JSON.stringify(value) };
    } catch (e) {
      return {
        ok: false,
        why: `value is not JSON-serialisable: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }
  return {
    ok: false,
    why: `value of type ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value} cannot be sent; use a string, Buffer, plain object or null`,
  };
}

function readPath(payload: unknown, path: readonly string[]): unknown {
  let cur = payload;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function hasHeader(
  headers: Record<string, unknown>,
  lowerNames: Set<string> | undefined,
  name: string,
): boolean {
  return headers[name] !== undefined || (lowerNames !== undefined && lowerNames.has(name));
}

/**
 * Turns the application's messages into transport records: serialises values, validates against
 * the topic's contract, and adds identity, event-time, contract and enforcement headers. The
 * application's messages and headers are never mutated, and a header it set is never replaced.
 */
export class RecordPreparer {
  readonly #o: ResolvedOptions;
  readonly #contracts: ContractRegistry | undefined;
  readonly #enforcement: string | undefined;

  constructor(
    options: ResolvedOptions,
    contracts: ContractRegistry | undefined,
    enforcement: string | undefined,
  ) {
    this.#o = options;
    this.#contracts = contracts;
    this.#enforcement = enforcement;
  }

  prepare(topicMessages: readonly SfTopicMessages[]): PreparedSend {
    const o = this.#o;
    const sendTime = new Date().toISOString();
    const out: PreparedSend = {
      records: [],
      appTrace: [],
      rejected: [],
      violations: [],
      validated: 0,
      deferred: [],
    };
    const deferValidation = o.validationMode === 'warn';
    const etf = o.eventTimeField;
    const fastField = etf !== undefined && etf.length === 1 ? etf[0]! : undefined;
    for (const tm of topicMessages) {
      const topic = tm.topic;
      const binding = o.validationMode !== 'off' ? this.#contracts?.entryFor(topic) : undefined;
      const validator = binding?.validator;
      const blockUnavailable =
        binding !== undefined && validator === undefined && o.validationMode === 'block';
      const messages: readonly SfMessage[] = Array.isArray(tm.messages) ? tm.messages : [];
      for (let index = 0; index < messages.length; index++) {
        const m = messages[index]!;
        const ser = serialise(m?.value);
        if (!ser.ok) {
          out.rejected.push({
            code: SDK_ERROR_CODES.notSerialisable,
            topic,
            index,
            contractId: '',
            contractVersion: '',
            reasonCodes: [`UNPARSEABLE_VALUE:$`],
          });
          continue;
        }
        if (blockUnavailable) {
          out.rejected.push({
            code: SDK_ERROR_CODES.contractUnavailable,
            topic,
            index,
            contractId: '',
            contractVersion: '',
            reasonCodes: ['CONTRACT_NOT_FOUND'],
          });
          continue;
        }
        const value = ser.value;
        let eventTime: string | undefined;
        if (validator && !deferValidation) {
          // block: the verdict decides what is sent, so it stays on the send path
          out.validated += 1;
          let payload: unknown;
          let parsed = false;
          if (value !== null) {
            try {
              payload = JSON.parse(enc(value));
              parsed = true;
            } catch {
              parsed = false;
            }
          }
          const result = parsed
            ? validator.validate(payload)
            : value === null
              ? { valid: true, reasonCodes: [] }
              : { valid: false, reasonCodes: ['UNPARSEABLE_VALUE:$'] };
          if (!result.valid) {
            const v: RecordViolation = {
              topic,
              index,
              contractId: validator.id,
              contractVersion: validator.version,
              reasonCodes: [...result.reasonCodes],
            };
            out.violations.push(v);
            out.rejected.push({ ...v, code: SDK_ERROR_CODES.contractViolation });
            continue;
          }
          if (parsed && etf) eventTime = toRfc3339(readPath(payload, etf));
        } else if (etf && value !== null) {
          const text = enc(value);
          const fast = fastField === undefined ? NOT_FOUND : readTopLevelField(text, fastField);
          if (fast !== NOT_FOUND) eventTime = toRfc3339(fast);
          else {
            try {
              eventTime = toRfc3339(readPath(JSON.parse(text), etf));
            } catch {
              eventTime = undefined;
            }
          }
        }
        if (validator && deferValidation) {
          out.validated += 1;
          if (value !== null) out.deferred.push({ topic, index, value, validator });
        }
        const contractHeaders = validator !== undefined;

        const appHeaders = m.headers;
        const headers: TransportRecord['headers'] = {};
        let lower: Set<string> | undefined;
        let appTrace = false;
        if (appHeaders) {
          for (const k of Object.keys(appHeaders)) {
            const v = appHeaders[k];
            if (v === undefined) continue;
            headers[k] = v;
            const lk = k.toLowerCase();
            if (lk !== k) (lower ??= new Set()).add(lk);
            if (lk === 'traceparent') appTrace = true;
          }
        }
        if (!hasHeader(headers, lower, HEADERS.producerService))
          headers[HEADERS.producerService] = o.serviceName;
        if (o.serviceVersion !== undefined && !hasHeader(headers, lower, HEADERS.producerVersion)) {
          headers[HEADERS.producerVersion] = o.serviceVersion;
        }
        if (!hasHeader(headers, lower, HEADERS.eventTime)) {
          headers[HEADERS.eventTime] = eventTime ?? sendTime;
        }
        if (contractHeaders && validator) {
          if (!hasHeader(headers, lower, HEADERS.contractId))
            headers[HEADERS.contractId] = validator.id;
          if (!hasHeader(headers, lower, HEADERS.contractVersion))
            headers[HEADERS.contractVersion] = validator.version;
        }
        if (this.#enforcement !== undefined && !hasHeader(headers, lower, HEADERS.enforcement)) {
          headers[HEADERS.enforcement] = this.#enforcement;
        }
        const rec: TransportRecord = { topic, key: m.key ?? null, value, headers };
        if (m.partition !== undefined) rec.partition = m.partition;
        if (m.timestamp !== undefined) rec.timestamp = m.timestamp;
        out.records.push(rec);
        out.appTrace.push(appTrace);
      }
    }
    return out;
  }
}
