// Public surface of @signal-factory/engines. Explicit re-exports only (no `export *`).

// runtime
export type {
  DatasetContext,
  DatasetSlo,
  EngineStep,
  SignalEngine,
  Verdict,
  WindowBounds,
} from './runtime/signal-engine';
export { createEngineRuntime, type EngineRuntime } from './runtime/engine-runtime';
export type {
  EngineClock,
  EngineRuntimeOptions,
  EngineTopics,
  SignalSink,
  StateRetryOptions,
} from './runtime/options';
export type { EngineGroupMetrics, EngineRuntimeMetrics } from './runtime/runtime-metrics';
export {
  DEFAULT_SLO,
  createDatasetCatalog,
  parseDuration,
  resolveDatasetContext,
  stateStoreDatasetList,
  stateStoreDatasetLookup,
  type DatasetCatalog,
  type DatasetCatalogOptions,
  type DatasetDefinitionInput,
  type DatasetProvider,
  type DatasetSloInput,
} from './runtime/dataset-catalog';
export { RUNTIME_ERROR_CODES, type RuntimeErrorCode } from './runtime/errors';
export { windowOf, windowStart } from './runtime/window-math';

// freshness and volume engines
export {
  createFreshnessEngine,
  type FreshnessEngineOptions,
  type FreshnessState,
} from './freshness/freshness-engine';
export {
  createVolumeEngine,
  type VolumeEngineOptions,
  type VolumeState,
} from './volume/volume-engine';
export { HOURS_PER_WEEK, hourOfWeek, hourOfWeekLabel } from './volume/hour-of-week';

// the engines command (`signal-factory-engines`, `signal-factory engines`)
export {
  ENGINES_EXIT,
  resolveEnginesConfig,
  runEnginesCommand,
  type EnginesCommandIo,
  type EnginesCommandParts,
  type EnginesConfigFile,
} from './cli/run-engines-command';

// data quality engine (the contract's aggregate rules)
export {
  createDataQualityEngine,
  meetsThreshold,
  type DqEngineOptions,
  type DqRule,
  type DqRuleSource,
  type DqState,
} from './dq/dq-engine';

// contract compliance and schema drift engines
export { ContractEngine, createContractEngine } from './contract/contract-engine';
export { CONTRACT_ENGINE_VERSION, type ContractEngineOptions } from './contract/options';
export type { ContractEngineState } from './contract/types';
export { SchemaDriftEngine, createSchemaDriftEngine } from './drift/schema-drift-engine';
export { DRIFT_ENGINE_VERSION, type SchemaDriftEngineOptions } from './drift/options';
export type { DriftEngineState, DriftKind } from './drift/types';
export {
  RegistryFingerprints,
  type RegistryFingerprintsOptions,
} from './drift/registry-fingerprints';
export type {
  FailureSignatureSink,
  FailureSignatureUpdate,
} from './signatures/failure-signature-sink';
export {
  LineageSignatureWriter,
  type LineageSignatureWriterOptions,
  type LineageSignatureWriterStats,
  type SignatureGraph,
} from './signatures/lineage-signature-writer';

// incidents
export {
  DEFAULT_SEVERITY_TABLE,
  INCIDENTS_GROUP_ID,
  INCIDENTS_TOPIC,
  INCIDENT_ERROR_CODES,
  INCIDENT_TRANSITION_HEADER,
  IncidentManager,
  SIGNALS_TOPIC,
  incidentDatasetInfoFrom,
  severityFor,
  worseSeverity,
  type HandleSignalResult,
  type IncidentChange,
  type IncidentDatasetInfo,
  type IncidentErrorCode,
  type IncidentLineage,
  type IncidentManagerOptions,
  type IncidentManagerStats,
  type SeverityOverrides,
  type SeverityTable,
} from './incidents/index';

// alert routing
export {
  ALERT_ERROR_CODES,
  AlertRouter,
  WebhookAlertSink,
  parseRetryAfter,
  toWebhookPayload,
  type Alert,
  type AlertErrorCode,
  type AlertKind,
  type AlertRoute,
  type AlertRouterOptions,
  type AlertRouterStats,
  type AlertSendResult,
  type AlertSink,
  type DispatchResult,
  type DispatchStatus,
  type IncidentTransition,
  type StormBreakerOptions,
  type WebhookAlertSinkOptions,
} from './alerting/index';
export { alertsConfigOf, buildAlertRouter, type AlertsConfig } from './cli/alerts-config';
