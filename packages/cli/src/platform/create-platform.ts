import {
  SignalFactoryError,
  type EvidenceBus,
  type GraphStore,
  type StateStore,
} from '@signal-factory/core';
import {
  LineageHttpServer,
  createLineageGraph,
  type DeploymentEvent,
  type LineageGraph,
  type LineageSpec,
} from '@signal-factory/lineage';
import {
  instrument,
  type InstrumentedProducer,
  type ProducerSdkOptions,
} from '@signal-factory/producer-sdk';
import { createSidecar, type RecordSink } from '@signal-factory/sidecar';

import { platformConfigProblems, type PlatformConfig } from '../config/platform-config';
import { CLI_ERROR_CODES, type Problem } from '../errors';
import { createBackends, type Backends } from './backends';
import { createCopilotWiring, type CopilotWiring } from './copilot-wiring';
import { DrainableBus } from './drainable-bus';
import { buildAlertRouter } from './engines-api';
import { createEnginesWiring, type EnginesWiring } from './engines-wiring';
import { createInProcessSidecar, type InProcessSidecar } from './in-process-sidecar';
import { InProcessSidecarTransport } from './in-process-transport';
import { MutableRegistrySource } from './mutable-registry';
import { NullKafkaProducer } from './null-kafka-producer';
import { createWallClock, type PlatformClock } from './sim-clock';
import {
  DEFAULT_PASS_SAMPLE_RATES,
  DEFAULT_TOPICS,
  type PassSampleRates,
  type PlatformDataset,
  type PlatformTopics,
} from './types';

export interface PlatformOptions {
  /** Backends: absent sections are embedded. Default `{}` (everything embedded). */
  config?: PlatformConfig;
  /** The clock every component reads. Default the wall clock. */
  clock?: PlatformClock;
  /** Topic names (unique names keep runs apart on a shared Kafka). Default the protocol's names. */
  topics?: Partial<PlatformTopics>;
  /** Prefix of every consumer group. Default `''` (protocol names such as `signal_engines.contract`). */
  groupPrefix?: string;
  /** PASS evidence kept per tier (weighted by its inverse). Default 1 for every tier. */
  passSampleRates?: PassSampleRates;
  /** Longest wait for the platform to process what was sent, real ms. Default 60,000. */
  drainTimeoutMs?: number;
}

/** Base URLs of the HTTP APIs after `listen()`. */
export interface PlatformUrls {
  copilot: string;
  lineage: string;
  /** The sidecar hop (`POST /v1/produce`), when `listen` was given a `sidecarPort`. */
  sidecar?: string;
}

/** The whole platform in one process: producer SDK → sidecar → bus → engines → incidents → graph → copilot. */
export interface Platform {
  readonly clock: PlatformClock;
  readonly bus: DrainableBus;
  readonly state: StateStore;
  readonly graph: GraphStore;
  readonly sink: RecordSink;
  readonly lineage: LineageGraph;
  readonly sidecar: InProcessSidecar;
  readonly engines: EnginesWiring;
  readonly copilot: CopilotWiring;
  readonly topics: PlatformTopics;
  readonly kinds: Backends['kinds'];
  /** Starts the sidecar, engines and incident manager. */
  start(): Promise<void>;
  /** Registers (or updates) a dataset everywhere: sidecar registry, engine SLOs, registry table, graph. */
  registerDataset(dataset: PlatformDataset): Promise<void>;
  /** Design-time lineage of a job into the graph. */
  registerLineage(spec: LineageSpec): Promise<void>;
  /** A deployment into the graph (what RCA correlates failures with). */
  recordDeployment(event: DeploymentEvent): Promise<void>;
  /**
   * The instrumented producer (the real producer SDK) of a service at a version for a dataset.
   * Its transport is the in-process sidecar hop.
   */
  producer(
    datasetUrn: string,
    service: string,
    version: string | undefined,
    options?: { eventTimeField?: string },
  ): InstrumentedProducer<NullKafkaProducer>;
  /** Waits until every consumer group of this process has handled everything published. */
  settle(): Promise<void>;
  /** Moves simulated time, letting the engines close windows and tick, then settles. */
  advanceTo(epochMs: number): Promise<void>;
  /**
   * Starts the HTTP APIs (copilot, lineage) and, with `sidecarPort` on a wall clock, the sidecar
   * hop `POST /v1/produce` on the platform's registry, sink and bus.
   */
  listen(options?: {
    host?: string;
    copilotPort?: number;
    lineagePort?: number;
    sidecarPort?: number;
  }): Promise<PlatformUrls>;
  /** Stops everything; idempotent. */
  close(): Promise<void>;
}

/**
 * Wires the platform. Embedded by default (in-process bus, state store and graph); with config
 * sections, Kafka, DynamoDB and Gremlin instead — the same components either way.
 */
export async function createPlatform(options: PlatformOptions = {}): Promise<Platform> {
  checkPlatformOptions(options);
  const config = options.config ?? {};
  const clock = options.clock ?? createWallClock();
  const topics: PlatformTopics = { ...DEFAULT_TOPICS, ...options.topics };
  const groupPrefix = options.groupPrefix ?? '';
  const rates = options.passSampleRates ?? DEFAULT_PASS_SAMPLE_RATES;
  const drainTimeoutMs = options.drainTimeoutMs ?? 60_000;
  let backends: Backends;
  try {
    backends = await createBackends(config, clock.now);
  } catch (cause) {
    throw new SignalFactoryError(
      CLI_ERROR_CODES.PLATFORM_START_FAILED,
      `A platform backend could not be created: ${(cause as Error).message}`,
      { cause, retriable: true },
    );
  }
  const bus = new DrainableBus(backends.bus);
  const { state, graph, sink } = backends;
  const lineage = createLineageGraph({ store: graph });
  const registry = new MutableRegistrySource();
  registry.set('tiers', {
    kind: 'Tiers',
    tiers: {
      'tier-1': { passSampleRate: rates[1] },
      'tier-2': { passSampleRate: rates[2] },
      'tier-3': { passSampleRate: rates[3] },
    },
  });
  const sidecar = createInProcessSidecar({
    registry,
    sink,
    evidenceBus: bus,
    now: clock.now,
    evidenceTopic: topics.evidence,
    ...(config.kafka?.partitions === undefined
      ? {}
      : { evidencePartitions: config.kafka.partitions }),
  });
  const datasets = new Map<string, PlatformDataset>();
  // with DynamoDB, dedup and the per-team alert budget are shared with other engines instances
  const alerts =
    config.alerts === undefined
      ? undefined
      : buildAlertRouter(config.alerts, config.dynamodb === undefined ? {} : { store: state });
  const engines = await createEnginesWiring({
    ...(alerts === undefined ? {} : { alerts }),
    ...(config.alerts?.linkBase === undefined ? {} : { alertLinkBase: config.alerts.linkBase }),
    bus,
    state,
    graph,
    lineage,
    clock,
    topics,
    groupPrefix,
    drainTimeoutMs,
    settle: () => bus.idle(drainTimeoutMs),
  });
  const copilot = await createCopilotWiring({ graph, state, lineage, clock });
  const producers = new Map<string, InstrumentedProducer<NullKafkaProducer>>();
  const servers: Array<{ close(): Promise<void> }> = [];
  let started = false;
  let closing: Promise<void> | undefined;

  const platform: Platform = {
    clock,
    bus,
    state,
    graph,
    sink,
    lineage,
    sidecar,
    engines,
    copilot,
    topics,
    kinds: backends.kinds,

    async start() {
      if (started) return;
      started = true;
      await sidecar.start();
      await bus.ensureTopic(topics.signals);
      await bus.ensureTopic(topics.incidents);
      await engines.start();
    },

    async registerDataset(dataset) {
      const tier = dataset.tier ?? 3;
      const identity = dataset.identity ?? 'header';
      datasets.set(dataset.urn, dataset);
      registry.set(`dataset:${dataset.urn}`, {
        kind: 'Dataset',
        urn: dataset.urn,
        tier: `tier-${tier}`,
        enforcement: dataset.policy ?? 'observe',
        topics: [dataset.topic],
        ...(identity === 'topic-pattern' && dataset.producer !== undefined
          ? { producerService: dataset.producer }
          : {}),
      });
      if (dataset.contract !== undefined) {
        registry.set(`contract:${dataset.urn}`, contractFor(dataset.urn, dataset.contract));
      }
      if (started) await sidecar.reload();
      engines.setDataset(dataset);
      await state.put(
        'DatasetRegistry',
        { pk: dataset.urn, sk: 'meta' },
        {
          urn: dataset.urn,
          topic: dataset.topic,
          tier,
          enforcement: dataset.policy ?? 'observe',
          identity,
          ...(dataset.producer === undefined ? {} : { producerService: dataset.producer }),
          ...(dataset.owner === undefined ? {} : { owner: dataset.owner }),
          slo: { ...dataset.slo },
        },
      );
      const result = await lineage.ingestor.registerDataset({
        urn: dataset.urn,
        topic: dataset.topic,
        tier,
        ...(dataset.producer === undefined ? {} : { producer: dataset.producer }),
        ...(dataset.owner === undefined ? {} : { owner: dataset.owner }),
      });
      if (!result.ok) throw rejected('dataset', dataset.urn, result);
    },

    async registerLineage(spec) {
      const result = await lineage.ingestor.ingestLineageSpec(spec);
      if (!result.ok) throw rejected('LineageSpec', spec.producer.job?.name ?? '', result);
    },

    async recordDeployment(event) {
      const result = await lineage.ingestor.ingestDeployment(event);
      if (!result.ok)
        throw rejected('DeploymentEvent', `${event.service} ${event.version}`, result);
      engines.noteDeployment(event);
    },

    producer(datasetUrn, service, version, producerOptions = {}) {
      const eventTimeField = producerOptions.eventTimeField;
      const key = `${datasetUrn}\u0000${service}\u0000${version ?? ''}\u0000${eventTimeField ?? ''}`;
      let producer = producers.get(key);
      if (producer === undefined) {
        const dataset = datasets.get(datasetUrn);
        const identity = dataset?.identity ?? 'header';
        const sdkOptions: ProducerSdkOptions = {
          service: { name: service, ...(version === undefined ? {} : { version }) },
          ...(eventTimeField === undefined ? {} : { eventTimeField }),
          ...(dataset?.contract === undefined
            ? {}
            : {
                contracts: [
                  {
                    contract: contractFor(datasetUrn, dataset.contract),
                    topics: [dataset.topic],
                    refreshIntervalMs: 0,
                  },
                ],
                validation: { mode: 'warn' },
              }),
          transport: new InProcessSidecarTransport(sidecar.processor, {
            stripIdentity: identity !== 'header',
          }),
          tracing: { propagate: false },
          env: {},
        };
        producer = instrument(new NullKafkaProducer(), sdkOptions);
        producers.set(key, producer);
      }
      return producer;
    },

    settle() {
      return bus.idle(drainTimeoutMs);
    },

    async advanceTo(epochMs) {
      await bus.idle(drainTimeoutMs);
      await engines.advanceTo(epochMs);
    },

    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? '127.0.0.1';
      const lineageServer = new LineageHttpServer({ ingestor: lineage.ingestor });
      const lineageAddress = await lineageServer.listen(listenOptions.lineagePort ?? 0, host);
      let copilotUrl: string;
      try {
        copilotUrl = await copilot.listen(listenOptions.copilotPort ?? 0, host);
      } catch (error) {
        await lineageServer.close();
        throw error;
      }
      servers.push(lineageServer);
      const urls: PlatformUrls = {
        lineage: `http://${host}:${lineageAddress.port}`,
        copilot: copilotUrl,
      };
      if (listenOptions.sidecarPort !== undefined && !clock.simulated) {
        // The HTTP hop stamps evidence with the wall clock, so it is only served on one.
        const hop = createSidecar({
          registry,
          sink,
          evidenceBus: busWithoutClose(bus),
          host,
          port: listenOptions.sidecarPort,
          evidenceTopic: topics.evidence,
          registryTtlMs: 5_000,
        });
        urls.sidecar = await hop.start();
        servers.push(hop);
      }
      return urls;
    },

    close() {
      closing ??= (async () => {
        const errors: unknown[] = [];
        const attempt = async (fn: () => Promise<unknown>): Promise<void> => {
          try {
            await fn();
          } catch (error) {
            errors.push(error);
          }
        };
        for (const server of servers) await attempt(() => server.close());
        await attempt(() => copilot.close());
        for (const producer of producers.values()) await attempt(() => producer.disconnect());
        await attempt(() => engines.close());
        await attempt(() => sidecar.close());
        await attempt(() => bus.close());
        await attempt(() => state.close());
        await attempt(() => graph.close());
        if (errors.length > 0) throw errors[0];
      })();
      return closing;
    },
  };
  return platform;
}

/**
 * Validates `createPlatform` options, reporting every problem with its path.
 * @throws SignalFactoryError `SF_ERR_CLI_PLATFORM_OPTIONS_INVALID`.
 */
function checkPlatformOptions(options: PlatformOptions): void {
  const problems: Problem[] = [];
  if (typeof options !== 'object' || options === null) {
    problems.push({ path: '', message: 'must be an object' });
  } else {
    for (const p of platformConfigProblems(options.config))
      problems.push({ ...p, path: p.path === '' ? 'config' : `config.${p.path}` });
    const clock = options.clock as Partial<PlatformClock> | undefined;
    if (clock !== undefined && (typeof clock.now !== 'function' || typeof clock.set !== 'function'))
      problems.push({
        path: 'clock',
        message: 'must be a PlatformClock ({ now(), set(), simulated })',
      });
    for (const [name, value] of Object.entries(options.topics ?? {}))
      if (typeof value !== 'string' || value === '')
        problems.push({ path: `topics.${name}`, message: 'must be a non-empty topic name' });
    if (options.groupPrefix !== undefined && typeof options.groupPrefix !== 'string')
      problems.push({ path: 'groupPrefix', message: 'must be a string' });
    for (const tier of [1, 2, 3] as const) {
      const rate = options.passSampleRates?.[tier];
      if (
        options.passSampleRates !== undefined &&
        !(typeof rate === 'number' && rate > 0 && rate <= 1)
      )
        problems.push({ path: `passSampleRates.${tier}`, message: 'must be a number in (0, 1]' });
    }
    const drain = options.drainTimeoutMs;
    if (drain !== undefined && !(Number.isInteger(drain) && drain > 0))
      problems.push({ path: 'drainTimeoutMs', message: 'must be a positive integer (ms)' });
  }
  if (problems.length > 0) {
    throw new SignalFactoryError(
      CLI_ERROR_CODES.PLATFORM_OPTIONS_INVALID,
      `Invalid createPlatform options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      { details: { problems } },
    );
  }
}

/** The platform's bus for a component that closes its bus on close: the platform closes it last. */
function busWithoutClose(bus: DrainableBus): EvidenceBus {
  return {
    ensureTopic: (topic, options) => bus.ensureTopic(topic, options),
    publish: (topic, messages) => bus.publish(topic, messages),
    subscribe: (options, handler) => bus.subscribe(options, handler),
    flush: () => bus.flush(),
    close: async () => undefined,
  };
}

/** A contract document that names its dataset, so the sidecar registry files it under the URN. */
function contractFor(urn: string, contract: Record<string, unknown>): Record<string, unknown> {
  if (contract.id === urn) return contract;
  const custom = Array.isArray(contract.customProperties) ? contract.customProperties : [];
  if (custom.some((c: { property?: unknown }) => c?.property === 'signalFactory.datasetUrn'))
    return contract;
  return {
    ...contract,
    customProperties: [...custom, { property: 'signalFactory.datasetUrn', value: urn }],
  };
}

function rejected(
  kind: string,
  name: string,
  result: { code?: string; problems?: unknown },
): Error {
  return new SignalFactoryError(
    CLI_ERROR_CODES.SIMULATION_FAILED,
    `The graph rejected ${kind} ${name}: ${result.code ?? ''} ${JSON.stringify(result.problems ?? [])}`,
    { details: { kind, name, code: result.code, problems: result.problems } },
  );
}
