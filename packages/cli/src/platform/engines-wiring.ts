import type { EvidenceBus, GraphStore, StateStore } from '@signal-factory/core';
import { compileContract, loadContract, type OdcsContract } from '@signal-factory/contracts';
import type { DeploymentEvent, LineageGraph } from '@signal-factory/lineage';

import {
  IncidentManager,
  type AlertRouter,
  LineageSignatureWriter,
  createContractEngine,
  createDataQualityEngine,
  createDatasetCatalog,
  createEngineRuntime,
  createFreshnessEngine,
  createSchemaDriftEngine,
  createVolumeEngine,
  type DatasetDefinitionInput,
  type DatasetSloInput,
  type DqRule,
  type EngineRuntime,
} from './engines-api';
import type { PlatformClock } from './sim-clock';
import type { PlatformDataset, PlatformTopics } from './types';

export interface EnginesWiringOptions {
  bus: EvidenceBus;
  state: StateStore;
  graph: GraphStore;
  lineage: LineageGraph;
  clock: PlatformClock;
  topics: PlatformTopics;
  groupPrefix: string;
  drainTimeoutMs: number;
  /** Waits until every consumer group has handled what was published (the platform's bus). */
  settle: () => Promise<void>;
  /** Routes alerts of incident transitions (closed with the wiring). Default: none. */
  alerts?: AlertRouter;
  /** Base of the incident link in alerts. */
  alertLinkBase?: string;
}

/** The engines and the incident manager as the platform drives them. */
export interface EnginesWiring {
  readonly runtime: EngineRuntime;
  readonly incidents: IncidentManager;
  start(): Promise<void>;
  setDataset(dataset: PlatformDataset): void;
  noteDeployment(event: DeploymentEvent): void;
  /**
   * Moves time to `epochMs`: windows close and ticks run in order, failure signatures reach the
   * graph, the incident manager handles the signals and runs its own tick (auto-resolve).
   */
  advanceTo(epochMs: number): Promise<void>;
  /** Writes pending failure signatures to the graph. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

function definitionOf(
  dataset: PlatformDataset,
  contract: OdcsContract | undefined,
): DatasetDefinitionInput {
  const slo: DatasetSloInput = {};
  const s = dataset.slo ?? {};
  // the contract's latency SLA sets the freshness delay when the dataset gives none itself
  if (Array.isArray(contract?.slaProperties))
    slo.slaProperties = contract.slaProperties as NonNullable<DatasetSloInput['slaProperties']>;
  if (s.freshnessMaxDelayMs !== undefined) slo.freshnessMaxDelayMs = s.freshnessMaxDelayMs;
  if (s.volumeMinPerHour !== undefined) slo.volumeMinPerHour = s.volumeMinPerHour;
  if (s.volumeMaxPerHour !== undefined) slo.volumeMaxPerHour = s.volumeMaxPerHour;
  if (s.complianceMin !== undefined) slo.complianceMin = s.complianceMin;
  return {
    urn: dataset.urn,
    tier: dataset.tier ?? 3,
    ...(dataset.owner === undefined ? {} : { owner: dataset.owner }),
    ...(dataset.producer === undefined ? {} : { producerService: dataset.producer }),
    slo,
  };
}

/**
 * Freshness, volume, contract-compliance, schema-drift and data-quality engines on one runtime (one consumer
 * group each), failure signatures written to the graph with their INTRODUCED deployment, and the
 * incident manager consuming the signals topic. On a simulated clock nothing runs on real timers:
 * the platform moves time with `advanceTo`.
 */
export async function createEnginesWiring(options: EnginesWiringOptions): Promise<EnginesWiring> {
  const { clock, topics } = options;
  const simulated = clock.simulated;
  const catalog = createDatasetCatalog({ now: clock.now });
  // the aggregate quality rules of each dataset's contract, for the DQ engine
  const dqRules = new Map<string, readonly DqRule[]>();
  const writer = new LineageSignatureWriter({ graph: options.lineage });
  const runtime = createEngineRuntime({
    bus: options.bus,
    state: options.state,
    engines: [
      createFreshnessEngine(),
      createVolumeEngine(),
      createContractEngine({ signatureSink: writer }),
      createSchemaDriftEngine(),
      createDataQualityEngine({ rules: (urn) => dqRules.get(urn) }),
    ],
    datasets: catalog,
    clock,
    autoTick: !simulated,
    topics: { evidence: topics.evidence, signals: topics.signals, dlq: topics.dlq },
    groupPrefix: `${options.groupPrefix}signal_engines.`,
    instanceId: 'platform',
    drainTimeoutMs: options.drainTimeoutMs,
  });
  let sequence = 0;
  const incidents = new IncidentManager({
    store: options.state,
    bus: options.bus,
    incidentsTopic: topics.incidents,
    signalsTopic: topics.signals,
    groupId: `${options.groupPrefix}signal_engines.incidents`,
    lineage: {
      ingestor: options.lineage.ingestor,
      queries: options.lineage.queries,
      store: options.graph,
    },
    datasetInfo: async (urn) => {
      const context = await catalog.get(urn);
      return {
        tier: context.tier,
        ...(context.owner === undefined ? {} : { team: context.owner }),
        ...(context.producerService === undefined
          ? {}
          : { producerService: context.producerService }),
      };
    },
    ...(options.alerts === undefined ? {} : { alerts: options.alerts }),
    ...(options.alertLinkBase === undefined ? {} : { linkBase: options.alertLinkBase }),
    now: clock.now,
    tickIntervalMs: simulated ? 0 : 10_000,
    // Deterministic ids on a simulated clock (same seed, same ids).
    ...(simulated
      ? {
          newId: () => {
            const stamp = new Date(clock.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
            sequence += 1;
            return `inc-${stamp}-${sequence.toString(16).padStart(8, '0')}`;
          },
        }
      : {}),
  });
  let started = false;
  return {
    runtime,
    incidents,
    async start() {
      if (started) return;
      started = true;
      await runtime.start();
      await incidents.start();
    },
    setDataset(dataset) {
      let contract: OdcsContract | undefined;
      dqRules.delete(dataset.urn);
      if (dataset.contract !== undefined) {
        try {
          contract = loadContract(dataset.contract);
          dqRules.set(dataset.urn, compileContract(contract).aggregateRules);
        } catch {
          // the sidecar reports an unusable contract; without rules the DQ engine judges nothing
        }
      }
      catalog.set(definitionOf(dataset, contract));
    },
    noteDeployment() {
      // Deployments reach the engines through the graph (deploymentAt); nothing to do here.
    },
    async advanceTo(epochMs) {
      await runtime.advanceTo(epochMs);
      await writer.flush();
      await options.settle();
      await incidents.tick();
      await options.settle();
    },
    async flush() {
      await writer.flush();
    },
    async close() {
      await incidents.close();
      await options.alerts?.close().catch(() => undefined);
      await runtime.close();
      await writer.close();
    },
  };
}
