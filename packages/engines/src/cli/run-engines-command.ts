import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  InMemoryEvidenceBus,
  InMemoryStateStore,
  SignalFactoryError,
  jsonLogger,
  type EvidenceBus,
  type GraphStore,
  type LogLevel,
  type Logger,
  type StateStore,
} from '@signal-factory/core';
import type { LineageGraph } from '@signal-factory/lineage';
import { createContractEngine } from '../contract/contract-engine';
import { createDataQualityEngine, type DqRule } from '../dq/dq-engine';
import type { AlertRouter } from '../alerting/alert-router';
import {
  alertsConfigOf,
  buildAlertRouter,
  redactedAlerts,
  type AlertsConfig,
} from './alerts-config';
import { loadContractRules } from './load-contract-rules';
import { RegistryContractRules } from './registry-contract-rules';
import { RegistryFingerprints } from '../drift/registry-fingerprints';
import { createSchemaDriftEngine } from '../drift/schema-drift-engine';
import { createFreshnessEngine } from '../freshness/freshness-engine';
import { IncidentManager } from '../incidents/incident-manager';
import {
  createDatasetCatalog,
  stateStoreDatasetList,
  stateStoreDatasetLookup,
  type DatasetDefinitionInput,
} from '../runtime/dataset-catalog';
import { createEngineRuntime, type EngineRuntime } from '../runtime/engine-runtime';
import { RUNTIME_ERROR_CODES } from '../runtime/errors';
import type { EngineTopics } from '../runtime/options';
import type { SignalEngine } from '../runtime/signal-engine';
import type { FailureSignatureSink } from '../signatures/failure-signature-sink';
import { LineageSignatureWriter } from '../signatures/lineage-signature-writer';
import { createVolumeEngine } from '../volume/volume-engine';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEngine = SignalEngine<any>;

/** Where the command writes; the cli package passes process streams. */
export interface EnginesCommandIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Environment variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Base for relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** Stops `run`; without it the command stops on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Extra engine factories by name, on top of `freshness`, `volume`, `contract`, `drift`. */
  engineFactories?: Record<string, () => AnyEngine>;
  /** Called once the runtime runs (for embedding and tests), with the parts it runs on. */
  onStarted?: (runtime: EngineRuntime, parts: EnginesCommandParts) => void;
}

/** What a running `runEnginesCommand` is made of (handed to `onStarted`). */
export interface EnginesCommandParts {
  bus: EvidenceBus;
  state: StateStore;
  /** The incident manager; absent with `incidents: false`. */
  incidents?: IncidentManager;
  /** The knowledge graph; present when a Gremlin URL is configured. */
  graph?: GraphStore;
  /** Writes failure signatures (INTRODUCED links) to the graph; present with `graph`. */
  signatureWriter?: LineageSignatureWriter;
}

/** Exit codes: 0 clean stop, 2 usage or configuration error, 1 runtime failure. */
export const ENGINES_EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** The config file (JSON): every field optional; environment variables override it. */
export interface EnginesConfigFile {
  kafka?: { brokers?: string[] | string; clientId?: string };
  dynamodb?: {
    endpoint?: string;
    region?: string;
    tablePrefix?: string;
    autoCreateTables?: boolean;
  };
  /** Engine names to run. Default `["freshness", "volume"]`. */
  engines?: string[];
  windowMs?: number;
  graceMs?: number;
  tickMs?: number;
  heartbeatMs?: number;
  maxFutureSkewMs?: number;
  groupPrefix?: string;
  instanceId?: string;
  topics?: EngineTopics;
  /** Dataset definitions (tier, owner, SLOs). */
  datasets?: DatasetDefinitionInput[];
  /** Directory of ODCS contracts (the sidecar's YAML registry layout): the `dq` engine's rules. */
  contracts?: string;
  /** SLO defaults for datasets without a setting. */
  defaults?: Record<string, number>;
  /** Read dataset definitions from the `DatasetRegistry` table too (needs DynamoDB). Default `true` with DynamoDB. */
  registryLookup?: boolean;
  /** Gremlin Server / Neptune (as in the platform config): incidents, signals and failure signatures are written to the graph. Default: no graph. */
  gremlin?: { url?: string; traversalSource?: string };
  /**
   * Run the incident manager (consumer group `<groupPrefix>incidents` on the signals topic;
   * incidents in `IncidentIndex`, lifecycle changes on `incidentsTopic`). Default `true`.
   */
  incidents?: boolean;
  /** Topic of incident lifecycle changes. Default `signal_factory.incidents`. */
  incidentsTopic?: string;
  /**
   * Alert routing for incident transitions: webhook sinks, a routing table by team / severity /
   * kind, the per-team hourly budget and the storm breaker (shared across instances with
   * DynamoDB). Default: none (incidents are recorded, nobody is alerted).
   */
  alerts?: AlertsConfig;
  logLevel?: LogLevel;
}

const USAGE = `usage: signal-factory-engines [run] [options]
       signal-factory-engines config [options]     print the resolved configuration and exit

Runs signal engines (one consumer group per engine: signal_engines.<name>) on the evidence bus.

options:
  --config <file.json>      configuration file (see the package README)
  --engines <a,b>           engines to run: freshness, volume, contract, drift, dq (default freshness,volume)
  --datasets <file.json>    dataset definitions: [{ urn, tier, owner, slo: { freshness_max_delay, ... } }]
  --contracts <dir>         ODCS contracts (*.yaml, *.json) whose aggregate quality rules the dq engine judges
  --instance-id <id>        identity of this instance in dataset leases
  --no-incidents            do not run the incident manager (signals only)
  --help

environment (overrides the file):
  SF_KAFKA_BROKERS          comma-separated brokers; without it the embedded in-process bus is used
  SF_DYNAMODB_ENDPOINT      DynamoDB endpoint (e.g. dynalite); without it state stays in memory
  SF_DYNAMODB_REGION, SF_DYNAMODB_TABLE_PREFIX
  SF_GREMLIN_URL            Gremlin Server / Neptune (ws://…/gremlin): incidents, signals and failure
                            signatures (with their INTRODUCED deployment) go to the graph
  SF_ENGINES_INCIDENTS      false: do not run the incident manager
  SF_ALERT_WEBHOOK_URL      POST every incident alert to this URL (when the config names no sinks)
  SF_ALERT_LINK_BASE        base of the incident link in alerts (<base>/<incident_id>)
  SF_ENGINES                like --engines
  SF_ENGINES_CONTRACTS_DIR  like --contracts
  SF_ENGINES_WINDOW_MS, SF_ENGINES_GRACE_MS, SF_ENGINES_TICK_MS, SF_ENGINES_HEARTBEAT_MS
  SF_ENGINES_INSTANCE_ID, SF_ENGINES_GROUP_PREFIX, SF_LOG_LEVEL (debug|info|warn|error)
`;

class UsageError extends Error {}

interface ParsedArgs {
  command: 'run' | 'config' | 'help';
  config?: string;
  engines?: string;
  datasets?: string;
  contracts?: string;
  instanceId?: string;
  noIncidents?: boolean;
}

function parseArgv(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: 'run' };
  const args = [...argv];
  if (args[0] === 'run' || args[0] === 'config' || args[0] === 'help') {
    out.command = args.shift() as ParsedArgs['command'];
  }
  const value = (flag: string, inline: string | undefined): string => {
    const v = inline ?? args.shift();
    if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (args.length > 0) {
    const raw = args.shift()!;
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    if (flag === '--help' || flag === '-h') out.command = 'help';
    else if (flag === '--config') out.config = value(flag, inline);
    else if (flag === '--engines') out.engines = value(flag, inline);
    else if (flag === '--datasets') out.datasets = value(flag, inline);
    else if (flag === '--contracts') out.contracts = value(flag, inline);
    else if (flag === '--instance-id') out.instanceId = value(flag, inline);
    else if (flag === '--no-incidents' && inline === undefined) out.noIncidents = true;
    else throw new UsageError(`unknown argument ${raw}`);
  }
  return out;
}

function configError(message: string): SignalFactoryError {
  return new SignalFactoryError(RUNTIME_ERROR_CODES.CONFIG_INVALID, message);
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw configError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw configError(`${what} ${path} is not JSON: ${(error as Error).message}`);
  }
}

function envInt(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw configError(`${name} must be a non-negative integer (got ${JSON.stringify(raw)})`);
  return n;
}

/** The configuration the command runs with: the file, then environment variables, then flags. */
export async function resolveEnginesConfig(
  argv: readonly string[],
  io: Pick<EnginesCommandIo, 'env' | 'cwd'> = {},
): Promise<EnginesConfigFile> {
  const args = parseArgv(argv);
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const file = args.config ?? env.SF_ENGINES_CONFIG;
  const config: EnginesConfigFile =
    file !== undefined
      ? ((await readJson(resolve(cwd, file), 'config file')) as EnginesConfigFile)
      : {};
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw configError('the config file must hold a JSON object');
  if (env.SF_KAFKA_BROKERS) config.kafka = { ...config.kafka, brokers: env.SF_KAFKA_BROKERS };
  if (env.SF_DYNAMODB_ENDPOINT)
    config.dynamodb = { ...config.dynamodb, endpoint: env.SF_DYNAMODB_ENDPOINT };
  if (env.SF_DYNAMODB_REGION)
    config.dynamodb = { ...config.dynamodb, region: env.SF_DYNAMODB_REGION };
  if (env.SF_DYNAMODB_TABLE_PREFIX)
    config.dynamodb = { ...config.dynamodb, tablePrefix: env.SF_DYNAMODB_TABLE_PREFIX };
  if (env.SF_GREMLIN_URL) config.gremlin = { ...config.gremlin, url: env.SF_GREMLIN_URL };
  const incidentsEnv = env.SF_ENGINES_INCIDENTS;
  if (incidentsEnv !== undefined && incidentsEnv !== '') {
    if (!/^(true|false|1|0)$/i.test(incidentsEnv))
      throw configError(
        `SF_ENGINES_INCIDENTS must be true or false (got ${JSON.stringify(incidentsEnv)})`,
      );
    config.incidents = /^(true|1)$/i.test(incidentsEnv);
  }
  if (args.noIncidents === true) config.incidents = false;
  if (config.incidents !== undefined && typeof config.incidents !== 'boolean')
    throw configError('incidents must be true or false');
  if (
    config.gremlin !== undefined &&
    (typeof config.gremlin !== 'object' ||
      config.gremlin === null ||
      typeof config.gremlin.url !== 'string' ||
      !/^wss?:\/\/\S+$/.test(config.gremlin.url))
  )
    throw configError('gremlin.url must be a ws:// or wss:// URL');
  const engines = args.engines ?? env.SF_ENGINES;
  if (engines)
    config.engines = engines
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const ints: Array<[keyof EnginesConfigFile, string]> = [
    ['windowMs', 'SF_ENGINES_WINDOW_MS'],
    ['graceMs', 'SF_ENGINES_GRACE_MS'],
    ['tickMs', 'SF_ENGINES_TICK_MS'],
    ['heartbeatMs', 'SF_ENGINES_HEARTBEAT_MS'],
  ];
  for (const [key, name] of ints) {
    const n = envInt(env, name);
    if (n !== undefined) (config as Record<string, unknown>)[key] = n;
  }
  const instanceId = args.instanceId ?? env.SF_ENGINES_INSTANCE_ID;
  if (instanceId) config.instanceId = instanceId;
  if (env.SF_ENGINES_GROUP_PREFIX) config.groupPrefix = env.SF_ENGINES_GROUP_PREFIX;
  if (env.SF_LOG_LEVEL) config.logLevel = env.SF_LOG_LEVEL as LogLevel;
  if (
    config.contracts !== undefined &&
    (typeof config.contracts !== 'string' || config.contracts === '')
  )
    throw configError('contracts must be a directory path');
  const contracts = args.contracts ?? env.SF_ENGINES_CONTRACTS_DIR ?? config.contracts;
  if (contracts) config.contracts = resolve(cwd, contracts);
  const alerts = alertsConfigOf(config.alerts, env);
  if (alerts === undefined) delete config.alerts;
  else config.alerts = alerts;
  if (args.datasets !== undefined) {
    const list = await readJson(resolve(cwd, args.datasets), 'datasets file');
    if (!Array.isArray(list)) throw configError('the datasets file must hold a JSON array');
    config.datasets = list as DatasetDefinitionInput[];
  }
  return config;
}

/** Built-in engines; with a registry (DynamoDB), drift also compares against registered fingerprints. */
function builtins(
  registry: StateStore | undefined,
  signatureSink?: FailureSignatureSink,
  dqRules?: (urn: string) => readonly DqRule[] | undefined,
): Record<string, () => AnyEngine> {
  return {
    dq: () =>
      createDataQualityEngine({ rules: (urn) => dqRules?.(urn) }) as unknown as SignalEngine,
    freshness: () => createFreshnessEngine(),
    volume: () => createVolumeEngine(),
    contract: () =>
      createContractEngine(
        signatureSink === undefined ? {} : { signatureSink },
      ) as unknown as SignalEngine,
    drift: () =>
      createSchemaDriftEngine(
        registry === undefined
          ? {}
          : { expectedFingerprints: new RegistryFingerprints({ state: registry }).lookup },
      ) as unknown as SignalEngine,
  };
}

function brokersOf(config: EnginesConfigFile): string[] | undefined {
  const b = config.kafka?.brokers;
  const list = typeof b === 'string' ? b.split(',') : b;
  const clean = list?.map((s) => s.trim()).filter(Boolean);
  return clean !== undefined && clean.length > 0 ? clean : undefined;
}

/**
 * `signal-factory engines …` / `signal-factory-engines …`: runs the engine runtime on Kafka and
 * DynamoDB (or the embedded bus and store) until `io.signal` aborts or the process gets
 * SIGINT/SIGTERM. Resolves with an exit code (see `ENGINES_EXIT`); never calls `process.exit`.
 */
export async function runEnginesCommand(
  argv: readonly string[],
  io: EnginesCommandIo,
): Promise<number> {
  let args: ParsedArgs;
  let config: EnginesConfigFile;
  try {
    args = parseArgv(argv);
    if (args.command === 'help') {
      io.stdout.write(USAGE);
      return ENGINES_EXIT.OK;
    }
    config = await resolveEnginesConfig(argv, io);
  } catch (error) {
    io.stderr.write(`signal-factory-engines: ${(error as Error).message}\n`);
    if (error instanceof UsageError) io.stderr.write(USAGE);
    return ENGINES_EXIT.USAGE;
  }
  const known = { ...builtins(undefined), ...io.engineFactories };
  const names = config.engines ?? ['freshness', 'volume'];
  const unknown = names.filter((n) => known[n] === undefined);
  if (unknown.length > 0 || names.length === 0) {
    io.stderr.write(
      `signal-factory-engines: unknown engine(s) ${unknown.join(', ') || '(none given)'}; known: ${Object.keys(known).join(', ')}\n`,
    );
    return ENGINES_EXIT.USAGE;
  }
  let dqRules: ReadonlyMap<string, readonly DqRule[]> | undefined;
  // the registry the sidecars read holds the contracts too (DynamoDB)
  const registry = config.dynamodb?.endpoint !== undefined && config.registryLookup !== false;
  if (names.includes('dq')) {
    if (config.contracts === undefined && !registry) {
      io.stderr.write(
        'signal-factory-engines: the dq engine judges contract rules: give --contracts <dir> (or SF_ENGINES_CONTRACTS_DIR, or "contracts" in the config file), or a DynamoDB registry\n',
      );
      return ENGINES_EXIT.USAGE;
    }
  }
  if (names.includes('dq') && config.contracts !== undefined) {
    try {
      const loaded = await loadContractRules(config.contracts);
      dqRules = loaded.rules;
      for (const s of loaded.skipped)
        io.stderr.write(`signal-factory-engines: contracts: skipped ${s.file}: ${s.why}\n`);
    } catch (error) {
      io.stderr.write(
        `signal-factory-engines: cannot read the contracts directory ${config.contracts}: ${(error as Error).message}\n`,
      );
      return ENGINES_EXIT.USAGE;
    }
  }
  const brokers = brokersOf(config);
  if (args.command === 'config' && config.alerts !== undefined) {
    try {
      await buildAlertRouter(config.alerts, {}).close(); // the same checks as a run
    } catch (error) {
      io.stderr.write(`signal-factory-engines: ${(error as Error).message}\n`);
      return ENGINES_EXIT.USAGE;
    }
  }
  if (args.command === 'config') {
    io.stdout.write(
      `${JSON.stringify(
        {
          ...config,
          ...(config.alerts === undefined ? {} : { alerts: redactedAlerts(config.alerts) }),
          engines: names,
          ...(dqRules === undefined ? {} : { dqRules: Object.fromEntries(dqRules) }),
          bus: brokers ? 'kafka' : 'embedded',
          state: config.dynamodb?.endpoint ? 'dynamodb' : 'embedded',
          graph: config.gremlin?.url !== undefined ? 'gremlin' : 'none',
          incidents: config.incidents !== false,
        },
        null,
        2,
      )}\n`,
    );
    return ENGINES_EXIT.OK;
  }

  const logger: Logger = jsonLogger(config.logLevel ?? 'info');
  let bus: EvidenceBus;
  let state: StateStore;
  let runtime: EngineRuntime | undefined;
  let graph: (GraphStore & { close?: () => Promise<void> }) | undefined;
  let writer: LineageSignatureWriter | undefined;
  let incidents: IncidentManager | undefined;
  let alertRouter: AlertRouter | undefined;
  try {
    if (brokers !== undefined) {
      const { KafkaEvidenceBus } = await import('@signal-factory/kafka');
      bus = new KafkaEvidenceBus({
        brokers,
        clientId: config.kafka?.clientId ?? 'signal-factory-engines',
        logger,
      });
    } else {
      bus = new InMemoryEvidenceBus();
      logger.warn({}, 'SF_KAFKA_BROKERS is not set: using the embedded in-process bus');
    }
    if (config.dynamodb?.endpoint !== undefined || config.dynamodb?.region !== undefined) {
      const { DynamoDbStateStore } = await import('@signal-factory/dynamodb');
      const store = new DynamoDbStateStore({
        ...(config.dynamodb.endpoint !== undefined ? { endpoint: config.dynamodb.endpoint } : {}),
        ...(config.dynamodb.region !== undefined ? { region: config.dynamodb.region } : {}),
        ...(config.dynamodb.tablePrefix !== undefined
          ? { tablePrefix: config.dynamodb.tablePrefix }
          : {}),
        autoCreateTables: config.dynamodb.autoCreateTables ?? false,
        logger,
      });
      state = store;
    } else {
      state = new InMemoryStateStore();
    }
    let registryRules: RegistryContractRules | undefined;
    if (names.includes('dq') && registry) {
      const rules = new RegistryContractRules({ state, logger });
      registryRules = rules;
      // the first windows should already know the registered datasets' rules
      const urns = await stateStoreDatasetList(state)().catch(() => [] as string[]);
      await Promise.all(urns.map((urn) => rules.load(urn)));
    }
    const catalog = createDatasetCatalog({
      datasets: config.datasets ?? [],
      ...(config.defaults !== undefined ? { defaults: config.defaults } : {}),
      ...(config.dynamodb?.endpoint !== undefined && config.registryLookup !== false
        ? { lookup: stateStoreDatasetLookup(state), list: stateStoreDatasetList(state) }
        : {}),
    });
    let lineage: LineageGraph | undefined;
    if (config.gremlin?.url !== undefined) {
      const { GremlinGraphStore, createLineageGraph } = await import('@signal-factory/lineage');
      const store = new GremlinGraphStore({
        url: config.gremlin.url,
        ...(config.gremlin.traversalSource === undefined
          ? {}
          : { traversalSource: config.gremlin.traversalSource }),
        logger,
      });
      graph = store;
      lineage = createLineageGraph({ store, logger });
      writer = new LineageSignatureWriter({ graph: lineage, logger });
    }
    const factories = {
      ...builtins(
        config.dynamodb?.endpoint !== undefined ? state : undefined,
        writer,
        // a contracts directory wins over the registry for the datasets it names
        (urn) => dqRules?.get(urn) ?? registryRules?.rules(urn),
      ),
      ...io.engineFactories,
    };
    runtime = createEngineRuntime({
      bus,
      state,
      engines: names.map((n) => factories[n]!()),
      datasets: catalog,
      logger,
      ...(config.windowMs !== undefined ? { windowMs: config.windowMs } : {}),
      ...(config.graceMs !== undefined ? { graceMs: config.graceMs } : {}),
      ...(config.tickMs !== undefined ? { tickMs: config.tickMs } : {}),
      ...(config.heartbeatMs !== undefined ? { heartbeatMs: config.heartbeatMs } : {}),
      ...(config.maxFutureSkewMs !== undefined ? { maxFutureSkewMs: config.maxFutureSkewMs } : {}),
      ...(config.groupPrefix !== undefined ? { groupPrefix: config.groupPrefix } : {}),
      ...(config.instanceId !== undefined ? { instanceId: config.instanceId } : {}),
      ...(config.topics !== undefined ? { topics: config.topics } : {}),
    });
    const signalsTopic =
      config.topics?.signals === undefined ? 'signal_factory.signals' : config.topics.signals;
    if (config.incidents !== false && signalsTopic !== null) {
      if (config.alerts !== undefined)
        alertRouter = buildAlertRouter(config.alerts, {
          ...(config.dynamodb?.endpoint !== undefined || config.dynamodb?.region !== undefined
            ? { store: state }
            : {}),
          logger,
        });
      incidents = new IncidentManager({
        ...(alertRouter === undefined ? {} : { alerts: alertRouter }),
        ...(config.alerts?.linkBase === undefined ? {} : { linkBase: config.alerts.linkBase }),
        store: state,
        bus,
        signalsTopic,
        ...(config.incidentsTopic !== undefined ? { incidentsTopic: config.incidentsTopic } : {}),
        groupId: `${config.groupPrefix ?? 'signal_engines.'}incidents`,
        ...(lineage === undefined
          ? {}
          : {
              lineage: {
                ingestor: lineage.ingestor,
                queries: lineage.queries,
                store: lineage.store,
              },
            }),
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
        logger,
      });
    }
  } catch (error) {
    io.stderr.write(`signal-factory-engines: ${(error as Error).message}\n`);
    return ENGINES_EXIT.USAGE;
  }

  const stopped = new Promise<void>((done) => {
    if (io.signal !== undefined) {
      if (io.signal.aborted) done();
      else io.signal.addEventListener('abort', () => done(), { once: true });
    } else {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    }
  });
  try {
    await runtime.start();
    await incidents?.start();
    io.onStarted?.(runtime, {
      bus,
      state,
      ...(incidents === undefined ? {} : { incidents }),
      ...(graph === undefined ? {} : { graph }),
      ...(writer === undefined ? {} : { signatureWriter: writer }),
    });
    logger.info(
      {
        engines: names,
        bus: brokers ? 'kafka' : 'embedded',
        incidents: incidents !== undefined,
        graph: graph !== undefined ? 'gremlin' : 'none',
      },
      'signal engines running',
    );
    await stopped;
    return ENGINES_EXIT.OK;
  } catch (error) {
    io.stderr.write(`signal-factory-engines: ${(error as Error).message}\n`);
    return ENGINES_EXIT.FAILURE;
  } finally {
    await runtime.close().catch(() => undefined);
    await incidents?.close().catch(() => undefined);
    await alertRouter?.close().catch(() => undefined);
    await writer?.close().catch(() => undefined);
    await graph?.close?.().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await state.close().catch(() => undefined);
  }
}
