import type { EvidenceBus } from '@signal-factory/core';
import {
  EVIDENCE_TOPIC,
  EvidencePublisher,
  GatePipeline,
  RecordProcessor,
  RegistryCache,
  SidecarMetrics,
  TrustTracker,
  silentLogger,
  type Logger,
  type RecordSink,
  type RegistrySource,
} from '@signal-factory/sidecar';

export interface InProcessSidecarOptions {
  registry: RegistrySource;
  sink: RecordSink;
  evidenceBus: EvidenceBus;
  /** Clock for evidence `processing_time` and default record timestamps. */
  now: () => number;
  evidenceTopic?: string;
  evidencePartitions?: number;
  logger?: Logger;
}

/** The sidecar's gate path without its HTTP listener, on an injected clock. */
export interface InProcessSidecar {
  readonly processor: RecordProcessor;
  readonly registry: RegistryCache;
  readonly metrics: SidecarMetrics;
  readonly trust: TrustTracker;
  /** Loads the registry, connects the sink, creates the evidence topic. */
  start(): Promise<void>;
  /** Reloads the registry now (after the simulator registered datasets). */
  reload(): Promise<void>;
  /** Closes the sink (not the bus: the platform owns it). Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the sidecar from the parts `@signal-factory/sidecar` exports — registry cache, G1–G5
 * gate pipeline, record processor (sink + evidence publisher) — exactly as `createSidecar` does,
 * with the clock injected (simulated time must reach evidence `processing_time`; `createSidecar`
 * takes a `now` option too, but always starts its HTTP listener, which the simulator does not need). Records reach `processor.produce()` through the producer SDK's
 * transport (see `InProcessSidecarTransport`): the same gates, sink and evidence path as the HTTP
 * hop, minus JSON over loopback.
 */
export function createInProcessSidecar(options: InProcessSidecarOptions): InProcessSidecar {
  const logger = options.logger ?? silentLogger;
  const metrics = new SidecarMetrics();
  const trust = new TrustTracker();
  let pipeline: GatePipeline | undefined;
  const registry = new RegistryCache(options.registry, {
    ttlMs: 0,
    logger,
    onUpdate: (snapshot) => {
      if (pipeline === undefined) pipeline = new GatePipeline(snapshot);
      else pipeline.update(snapshot);
    },
  });
  const publisher = new EvidencePublisher(options.evidenceBus, {
    topic: options.evidenceTopic ?? EVIDENCE_TOPIC,
    partitions: options.evidencePartitions ?? 64,
  });
  const processor = new RecordProcessor({
    pipeline: () => {
      if (pipeline === undefined) throw new Error('sidecar not started');
      return pipeline;
    },
    sink: options.sink,
    publisher,
    metrics,
    trust,
    logger,
    now: options.now,
  });
  let closed: Promise<void> | undefined;
  return {
    processor,
    registry,
    metrics,
    trust,
    async start() {
      await registry.start();
      await options.sink.start();
      await publisher.start();
    },
    async reload() {
      await registry.refresh();
      const status = registry.status;
      if (status.lastError !== undefined && status.consecutiveFailures > 0) {
        throw new Error(`sidecar registry reload failed: ${status.lastError}`);
      }
    },
    close() {
      closed ??= (async () => {
        registry.close();
        await options.sink.close();
      })();
      return closed;
    },
  };
}
