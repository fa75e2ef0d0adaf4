import { InMemoryEvidenceBus, type EvidenceBus } from '@signal-factory/core';
import { InMemoryGraphStore } from '@signal-factory/core';
import {
  LineageHttpServer,
  createLineageGraph,
  startLineageBusConsumer,
} from '@signal-factory/lineage';
import {
  InMemoryRecordSink,
  StateStoreRegistrySource,
  StaticRegistrySource,
  YamlRegistrySource,
  createSidecar,
  jsonLogger,
  type RecordSink,
  type RegistrySource,
} from '@signal-factory/sidecar';

import { intFlag, parseCommandArgs, stringFlag } from '../cli/args';
import { EXIT, type CliIo } from '../cli/io';
import { COPILOT_USAGE, LINEAGE_USAGE, SIDECAR_USAGE } from '../cli/usage';
import { waitForStop } from '../cli/wait-for-stop';
import { loadPlatformConfig, type PlatformConfig } from '../config/platform-config';
import { createBackends } from '../platform/backends';
import { startCopilotProcess } from '../platform/copilot-wiring';
import { createWallClock } from '../platform/sim-clock';
import { DEFAULT_TOPICS } from '../platform/types';

type Component = 'sidecar' | 'lineage' | 'copilot';

const USAGE: Record<Component, string> = {
  sidecar: SIDECAR_USAGE,
  lineage: LINEAGE_USAGE,
  copilot: COPILOT_USAGE,
};

/** A started component: its address (if it listens) and how to stop it. */
export interface RunningComponent {
  description: string;
  close(): Promise<void>;
}

/**
 * `signal-factory sidecar|engines|lineage|copilot`: one component as its own process on the
 * configured backends (embedded where the config has no section), until SIGINT/SIGTERM.
 */
export async function runComponentCommand(
  component: Component,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const listens = true;
  const { values } = parseCommandArgs(
    component,
    argv,
    {
      config: { type: 'string' },
      ...(listens ? { host: { type: 'string' }, port: { type: 'string' } } : {}),
      ...(component === 'sidecar' ? { registry: { type: 'string' } } : {}),
    },
    { min: 0, max: 0, names: '' },
  );
  if (values.help === true) {
    io.stdout.write(USAGE[component]);
    return EXIT.OK;
  }
  const cwd = io.cwd ?? process.cwd();
  const configFile = stringFlag(values.config);
  const config = configFile === undefined ? {} : await loadPlatformConfig(configFile, cwd);
  const port = intFlag(component, 'port', values.port, 0, 65_535);
  const host = stringFlag(values.host) ?? config.http?.host ?? '127.0.0.1';
  const running = await startComponent(component, config, {
    host,
    ...(port === undefined ? {} : { port }),
    ...(stringFlag(values.registry) === undefined
      ? {}
      : { registry: stringFlag(values.registry) as string }),
    cwd,
  });
  io.stdout.write(`signal-factory ${component}: ${running.description} (Ctrl-C to stop)\n`);
  try {
    await waitForStop(io.signal);
  } finally {
    await running.close();
  }
  return EXIT.OK;
}

/** Starts one component; exported for tests. */
export async function startComponent(
  component: Component,
  config: PlatformConfig,
  options: { host: string; port?: number; registry?: string; cwd?: string },
): Promise<RunningComponent> {
  const clock = createWallClock();
  switch (component) {
    case 'sidecar': {
      let bus: EvidenceBus;
      let sink: RecordSink;
      if (config.kafka !== undefined) {
        const backends = await createBackends({ kafka: config.kafka }, clock.now);
        bus = backends.bus;
        sink = backends.sink;
      } else {
        bus = new InMemoryEvidenceBus();
        sink = new InMemoryRecordSink();
      }
      let registry: RegistrySource;
      if (options.registry !== undefined) {
        const { resolve } = await import('node:path');
        registry = new YamlRegistrySource(resolve(options.cwd ?? process.cwd(), options.registry));
      } else if (config.dynamodb !== undefined) {
        const backends = await createBackends({ dynamodb: config.dynamodb }, clock.now);
        registry = new StateStoreRegistrySource(backends.state);
      } else {
        registry = new StaticRegistrySource([]);
      }
      const sidecar = createSidecar({
        registry,
        sink,
        evidenceBus: bus,
        host: options.host,
        port: options.port ?? config.http?.sidecarPort ?? 7070,
        evidenceTopic: DEFAULT_TOPICS.evidence,
        logger: jsonLogger('warn'),
      });
      const url = await sidecar.start();
      return {
        description: `sidecar hop at ${url}/v1/produce (registry ${registry.description}, records ${config.kafka === undefined ? 'in memory' : 'to Kafka'})`,
        close: () => sidecar.close(),
      };
    }
    case 'lineage': {
      const backends =
        config.gremlin !== undefined || config.kafka !== undefined
          ? await createBackends(
              { ...pick(config, 'gremlin'), ...pick(config, 'kafka') },
              clock.now,
            )
          : undefined;
      const graph = backends?.graph ?? new InMemoryGraphStore();
      const lineage = createLineageGraph({ store: graph });
      const server = new LineageHttpServer({ ingestor: lineage.ingestor });
      const address = await server.listen(
        options.port ?? config.http?.lineagePort ?? 5000,
        options.host,
      );
      const consumer =
        config.kafka !== undefined && backends !== undefined
          ? await startLineageBusConsumer({
              bus: backends.bus,
              ingestor: lineage.ingestor,
              topics: ['signal_factory.lineage'],
            })
          : undefined;
      return {
        description: `lineage API at http://${options.host}:${address.port}/api/v1/lineage${consumer === undefined ? '' : ' · consuming signal_factory.lineage'}`,
        async close() {
          await server.close();
          await consumer?.close();
          await backends?.bus.close();
          await graph.close();
        },
      };
    }
    case 'copilot':
      return startCopilotProcess(config, clock, {
        host: options.host,
        port: options.port ?? config.http?.copilotPort ?? 8080,
      });
  }
}

function pick<K extends keyof PlatformConfig>(
  config: PlatformConfig,
  key: K,
): Pick<PlatformConfig, K> {
  return (config[key] === undefined ? {} : { [key]: config[key] }) as Pick<PlatformConfig, K>;
}
