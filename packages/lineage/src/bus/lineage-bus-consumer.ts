import type { ConsumedMessage, EvidenceBus, Subscription } from '@signal-factory/core';
import { LINEAGE_ERROR_CODES, lineageError, type Problem } from '../errors';
import type { LineageIngestor } from '../ingest/lineage-ingestor';
import type { IngestResult } from '../ingest/types';
import { safeLogger, type Logger } from '../logger';

export interface LineageBusConsumerOptions {
  bus: EvidenceBus;
  ingestor: LineageIngestor;
  /** Topics carrying OpenLineage events, LineageSpecs and DeploymentEvents (JSON values). */
  topics: string[];
  /** Consumer group. Default `signal-factory.lineage`. */
  groupId?: string;
  /** Start from the earliest offset when the group has none. Default true. */
  fromBeginning?: boolean;
  /** Records per handler call. */
  maxBatchSize?: number;
  /** Called for every rejected record (after it is counted); exceptions are swallowed. */
  onRejected?: (message: ConsumedMessage, result: Extract<IngestResult, { ok: false }>) => void;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

export interface LineageBusConsumer {
  /** Records ingested and rejected so far. */
  readonly counts: { ingested: number; rejected: number };
  /** Stops consuming; commits what was processed; idempotent. */
  close(): Promise<void>;
}

/**
 * Consumes lineage events from the evidence-bus port (Kafka through `@signal-factory/kafka`, or the
 * embedded bus). The message value is JSON: an OpenLineage event, a LineageSpec or a DeploymentEvent,
 * recognised by shape (see `LineageIngestor.ingest`). Bad records are counted, logged and reported
 * to `onRejected`, then committed (never redelivered forever); a graph-store failure throws so the
 * bus redelivers the batch (at least once; ingestion is idempotent).
 */
export async function startLineageBusConsumer(
  options: LineageBusConsumerOptions,
): Promise<LineageBusConsumer> {
  const problems: Problem[] = [];
  if (typeof options?.bus?.subscribe !== 'function')
    problems.push({ path: 'bus', message: 'must be an EvidenceBus' });
  if (typeof options?.ingestor?.ingest !== 'function')
    problems.push({ path: 'ingestor', message: 'must be a LineageIngestor' });
  if (
    !Array.isArray(options?.topics) ||
    options.topics.length === 0 ||
    !options.topics.every((t) => typeof t === 'string' && t !== '')
  ) {
    problems.push({ path: 'topics', message: 'must be a non-empty array of topic names' });
  }
  if (problems.length > 0) {
    throw lineageError(
      LINEAGE_ERROR_CODES.OPTIONS_INVALID,
      `Invalid lineage consumer options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  const logger = safeLogger(options.logger);
  const counts = { ingested: 0, rejected: 0 };
  const reject = (message: ConsumedMessage, result: Extract<IngestResult, { ok: false }>): void => {
    counts.rejected += 1;
    logger.warn(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        code: result.code,
      },
      'lineage record rejected',
    );
    try {
      options.onRejected?.(message, result);
    } catch {
      // A user hook must not break consumption.
    }
  };
  const subscription: Subscription = await options.bus.subscribe(
    {
      groupId: options.groupId ?? 'signal-factory.lineage',
      topics: options.topics,
      fromBeginning: options.fromBeginning ?? true,
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    },
    async (batch) => {
      for (const message of batch) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.value);
        } catch (error) {
          reject(message, {
            ok: false,
            code: LINEAGE_ERROR_CODES.PAYLOAD_MALFORMED,
            problems: [{ path: '/', message: `not JSON: ${(error as Error).message}` }],
          });
          continue;
        }
        const items = Array.isArray(parsed) ? parsed : [parsed];
        for (const item of items) {
          const result = await options.ingestor.ingest(item); // store failures throw: redelivered
          if (result.ok) counts.ingested += 1;
          else reject(message, result);
        }
      }
    },
  );
  return {
    counts,
    close: () => subscription.close(),
  };
}
