// Public surface of @signal-factory/cli. Explicit re-exports only (no `export *`).

// the command
export { COMMANDS, VERSION, runCli, type Command } from './cli/main';
export { EXIT, type CliIo } from './cli/io';
export { CLI_ERROR_CODES, UsageError, type CliErrorCode, type Problem } from './errors';

// configuration
export {
  loadPlatformConfig,
  platformConfigProblems,
  validatePlatformConfig,
  type DynamoDbConfig,
  type GremlinConfig,
  type HttpConfig,
  type KafkaConfig,
  type PlatformConfig,
} from './config/platform-config';

// the one-process platform
export {
  createPlatform,
  type Platform,
  type PlatformOptions,
  type PlatformUrls,
} from './platform/create-platform';
export { createSimulatedClock, createWallClock, type PlatformClock } from './platform/sim-clock';
export { DrainableBus } from './platform/drainable-bus';
export {
  DEFAULT_PASS_SAMPLE_RATES,
  DEFAULT_TOPICS,
  type PassSampleRates,
  type PlatformDataset,
  type PlatformTopics,
} from './platform/types';

// the simulator
export { playScenario, type PlayOptions, type PlayResult } from './simulate/play-scenario';
export { simulate, type SimulationReport } from './simulate/simulate';
export { observedRca, checkScenario, type ExpectationCheck } from './simulate/checks';
export { createProgressPrinter, type ProgressEvent } from './simulate/progress';
export { warmUpHistory, type HistoryWarmupResult } from './simulate/history-warmup';
export { loadScenario, parseScenario, type Scenario } from './scenario';
