import { SignalFactoryError } from '@signal-factory/core';
import {
  SidecarRecordError,
  type ProducerTransport,
  type SfRecordMetadata,
  type SidecarRecordFailure,
  type TransportRecord,
} from '@signal-factory/producer-sdk';
import type { IncomingRecord, RecordProcessor } from '@signal-factory/sidecar';

/** Identity headers a producer without SDK identity would not send. */
const IDENTITY_HEADERS = ['x-obs-producer-service', 'x-obs-producer-version'];

export interface InProcessTransportOptions {
  /** Drop the SDK's identity headers (scenario datasets with `identity: topic-pattern | none`). */
  stripIdentity?: boolean;
}

function headerText(v: TransportRecord['headers'][string]): string {
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  if (one === undefined) return '';
  return Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

/**
 * The producer SDK's `ProducerTransport` into an in-process sidecar: what the SDK would POST to
 * `/v1/produce` goes to the sidecar's `RecordProcessor.produce()` instead (same decoding as the
 * HTTP layer: lower-case string headers, the value as bytes). Resolves only once the sidecar wrote
 * the records and published their evidence, like the HTTP hop.
 */
export class InProcessSidecarTransport implements ProducerTransport {
  readonly name = 'in-process-sidecar';
  readonly #processor: RecordProcessor;
  readonly #strip: boolean;
  #closed = false;
  #inFlight = new Set<Promise<unknown>>();

  constructor(processor: RecordProcessor, options: InProcessTransportOptions = {}) {
    this.#processor = processor;
    this.#strip = options.stripIdentity === true;
  }

  async send(records: readonly TransportRecord[]): Promise<SfRecordMetadata[]> {
    if (this.#closed) {
      throw new SignalFactoryError(
        'SF_ERR_SDK_CLOSED',
        'the in-process sidecar transport is closed',
      );
    }
    const incoming: IncomingRecord[] = records.map((r) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(r.headers)) {
        const lower = name.toLowerCase();
        if (this.#strip && IDENTITY_HEADERS.includes(lower)) continue;
        headers[lower] = headerText(value);
      }
      const value =
        r.value === null
          ? Buffer.alloc(0)
          : Buffer.isBuffer(r.value)
            ? r.value
            : Buffer.from(r.value, 'utf8');
      const record: IncomingRecord = { topic: r.topic, key: r.key, value, headers };
      if (r.partition !== undefined) record.partition = r.partition;
      if (r.timestamp !== undefined) record.timestamp = r.timestamp;
      return record;
    });
    const work = this.#processor.produce(incoming);
    this.#inFlight.add(work);
    let results;
    try {
      results = await work;
    } finally {
      this.#inFlight.delete(work);
    }
    const failures = results
      .filter((r) => r.status === 'error' || r.status === 'rejected')
      .map((r): SidecarRecordFailure => ({
        index: r.index,
        status: r.status === 'rejected' ? 'rejected' : 'error',
        topic: records[r.index]?.topic ?? '',
        code: r.error?.code ?? 'SF_ERR_SIDECAR_PRODUCE_FAILED',
        message: r.error?.message ?? r.status,
        retriable: r.error?.retriable ?? false,
      }));
    if (failures.length > 0) throw new SidecarRecordError(failures);
    const meta = new Map<string, SfRecordMetadata>();
    for (const r of results) {
      if (r.topic === undefined || r.partition === undefined) continue;
      const key = `${r.topic}\u0000${r.partition}`;
      if (!meta.has(key))
        meta.set(key, {
          topicName: r.topic,
          partition: r.partition,
          errorCode: 0,
          baseOffset: r.offset,
        });
    }
    return [...meta.values()];
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }
}
