import type { EvidenceBus } from '@signal-factory/core';

import { EVIDENCE_TOPIC, EvidencePublisher } from './evidence/evidence-publisher';
import { SidecarHttpServer } from './http/http-server';
import { SidecarMetrics } from './http/metrics';
import { silentLogger, type Logger } from './logger';
import { checkInt, parseIntSetting, settingFrom, throwIfProblems } from './options';
import { GatePipeline, type GatePipelineOptions } from './pipeline/gate-pipeline';
import { RecordProcessor } from './pipeline/record-processor';
import { RegistryCache } from './registry/registry-cache';
import type { RegistrySource } from './registry/types';
import type { RecordSink } from './sink/record-sink';
import { TrustTracker } from './trust/trust-tracker';

/** Options of `createSidecar`. Every numeric option can also come from the named environment variable. */
export interface SidecarOptions {
  /** Where datasets, resolution, identity fallback, contracts and tiers come from. */
  registry: RegistrySource;
  /** Where records are written (Kafka, or in memory). */
  sink: RecordSink;
  /** Where evidence goes (Kafka via `@signal-factory/kafka`, or core's in-memory bus). */
  evidenceBus: EvidenceBus;
  /** Listen address. Default `127.0.0.1` (env `SF_SIDECAR_HOST`). */
  host?: string;
  /** Listen port; 0 picks a free one. Default 7070 (env `SF_SIDECAR_PORT`). */
  port?: number;
  /** Largest request body in bytes; larger → 413. Default 8 MiB (env `SF_SIDECAR_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Most records in one request. Default 10,000. */
  maxBatchRecords?: number;
  /** Records accepted and not yet acknowledged before new requests get 503. Default 50,000. */
  maxInFlightRecords?: number;
  /** Most headers per record. Default 64. */
  maxHeadersPerRecord?: number;
  /** Most header bytes per record. Default 65,536. */
  maxHeaderBytesPerRecord?: number;
  /** Registry refresh interval in ms. Default 30,000 (env `SF_SIDECAR_REGISTRY_TTL_MS`). */
  registryTtlMs?: number;
  /** Evidence topic. Default `signal_factory.evidence`. */
  evidenceTopic?: string;
  /** Partitions of the evidence topic when created. Default 64. */
  evidencePartitions?: number;
  /** Suffix of quarantine topics. Default `.quarantine`. */
  quarantineSuffix?: string;
  /** Gate limits (largest inspected value, deepest nesting). */
  gates?: GatePipelineOptions;
  /** Pino-compatible logger. Default: silent. */
  logger?: Logger;
  /**
   * Clock in epoch ms (simulated time, tests). Stamps evidence `processing_time`, the default
   * timestamp of records sent without one, trust-API buckets and windows, the registry's
   * `lastSuccessAt` and the registry-age metric. Timers (registry refresh) and latency histograms
   * stay on real time. Default `Date.now`.
   */
  now?: () => number;
}

/** A running (or startable) sidecar. */
export interface Sidecar {
  /** Loads the registry, connects the sink, creates the evidence topic, listens. Resolves with the base URL. */
  start(): Promise<string>;
  /** Stops listening, closes the sink and the bus; idempotent. */
  close(): Promise<void>;
  readonly url: string | undefined;
  readonly processor: RecordProcessor;
  readonly metrics: SidecarMetrics;
  readonly trust: TrustTracker;
  readonly registry: RegistryCache;
  /** The current gate pipeline (after start). */
  pipeline(): GatePipeline;
}

/**
 * Creates the sidecar: the HTTP hop, the gates, evidence, forward/quarantine and the trust API.
 * @throws SignalFactoryError `SF_ERR_SIDECAR_OPTIONS_INVALID` listing every problem.
 */
export function createSidecar(options: SidecarOptions): Sidecar {
  const problems: Array<{ path: string; message: string }> = [];
  if (options === null || typeof options !== 'object')
    throwIfProblems('sidecar', [{ path: 'options', message: 'must be an object' }]);
  if (typeof options.registry?.load !== 'function')
    problems.push({ path: 'registry', message: 'must be a RegistrySource' });
  if (typeof options.sink?.send !== 'function')
    problems.push({ path: 'sink', message: 'must be a RecordSink' });
  if (typeof options.evidenceBus?.publish !== 'function')
    problems.push({ path: 'evidenceBus', message: 'must be an EvidenceBus' });
  const host = settingFrom(
    options.host,
    'SF_SIDECAR_HOST',
    (s) => s,
    '127.0.0.1',
    problems,
    'host',
  );
  const port = settingFrom(
    options.port,
    'SF_SIDECAR_PORT',
    parseIntSetting,
    7070,
    problems,
    'port',
  );
  const maxBodyBytes = settingFrom(
    options.maxBodyBytes,
    'SF_SIDECAR_MAX_BODY_BYTES',
    parseIntSetting,
    8 * 1024 * 1024,
    problems,
    'maxBodyBytes',
  );
  const ttl = settingFrom(
    options.registryTtlMs,
    'SF_SIDECAR_REGISTRY_TTL_MS',
    parseIntSetting,
    30_000,
    problems,
    'registryTtlMs',
  );
  const maxBatchRecords = options.maxBatchRecords ?? 10_000;
  const maxInFlightRecords = options.maxInFlightRecords ?? 50_000;
  const maxHeaders = options.maxHeadersPerRecord ?? 64;
  const maxHeaderBytes = options.maxHeaderBytesPerRecord ?? 65_536;
  checkInt(port, 'port', 0, 65_535, problems);
  checkInt(maxBodyBytes, 'maxBodyBytes', 1024, 1024 * 1024 * 1024, problems);
  checkInt(ttl, 'registryTtlMs', 0, 86_400_000, problems);
  checkInt(maxBatchRecords, 'maxBatchRecords', 1, 1_000_000, problems);
  checkInt(maxInFlightRecords, 'maxInFlightRecords', 1, 10_000_000, problems);
  checkInt(maxHeaders, 'maxHeadersPerRecord', 0, 10_000, problems);
  checkInt(maxHeaderBytes, 'maxHeaderBytesPerRecord', 0, 16 * 1024 * 1024, problems);
  if (typeof host !== 'string' || host === '')
    problems.push({ path: 'host', message: 'must be a non-empty string' });
  if (options.now !== undefined && typeof options.now !== 'function')
    problems.push({ path: 'now', message: 'must be a function returning epoch ms' });
  throwIfProblems('sidecar', problems);
  const now = options.now ?? Date.now;

  const logger = options.logger ?? silentLogger;
  const metrics = new SidecarMetrics();
  const trust = new TrustTracker({ now });
  let pipeline: GatePipeline | undefined;
  const registry = new RegistryCache(options.registry, {
    ttlMs: ttl,
    logger,
    now,
    onUpdate: (snapshot) => {
      if (pipeline === undefined) pipeline = new GatePipeline(snapshot, options.gates);
      else pipeline.update(snapshot);
    },
  });
  const publisher = new EvidencePublisher(options.evidenceBus, {
    topic: options.evidenceTopic ?? EVIDENCE_TOPIC,
    partitions: options.evidencePartitions ?? 64,
  });
  const getPipeline = (): GatePipeline => {
    if (pipeline === undefined) throw new Error('sidecar not started');
    return pipeline;
  };
  const processor = new RecordProcessor({
    pipeline: getPipeline,
    sink: options.sink,
    publisher,
    metrics,
    trust,
    logger,
    quarantineSuffix: options.quarantineSuffix,
    now,
  });
  const server = new SidecarHttpServer({
    host,
    port,
    maxBodyBytes,
    maxBatchRecords,
    maxInFlightRecords,
    limits: { maxHeaders, maxHeaderBytes },
    processor,
    registry,
    sink: options.sink,
    trust,
    metrics,
    logger,
    now,
  });
  let url: string | undefined;
  let closed: Promise<void> | undefined;
  return {
    async start() {
      await registry.start();
      await options.sink.start();
      await publisher.start();
      url = await server.listen();
      logger.info({ url }, 'sidecar listening');
      return url;
    },
    close() {
      closed ??= (async () => {
        registry.close();
        await server.close();
        await options.sink.close();
        await options.evidenceBus.close();
      })();
      return closed;
    },
    get url() {
      return url;
    },
    processor,
    metrics,
    trust,
    registry,
    pipeline: getPipeline,
  };
}
