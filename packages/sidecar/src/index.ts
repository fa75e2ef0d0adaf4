// Public surface of @signal-factory/sidecar. Explicit re-exports only.
export { SIDECAR_ERROR_CODES, type SidecarErrorCode } from './errors';
export type {
  ContractValidator,
  EnforcementPolicy,
  GateOutcome,
  Identity,
  PiiFinding,
  PiiType,
} from './types';
export { jsonLogger, silentLogger, type Logger } from './logger';
export { createSidecar, type Sidecar, type SidecarOptions } from './sidecar';

// gates
export {
  ResolutionGate,
  type ResolutionMap,
  type ResolutionOutcome,
  type ResolutionPattern,
} from './gates/g1-resolution';
export { IdentityGate, type IdentityOutcome } from './gates/g2-identity';
export { SchemaGate, type SchemaGateOptions, type SchemaOutcome } from './gates/g3-schema';
export { ContractGate, type ContractOutcome } from './gates/g4-contract';
export { PiiGate, type PiiAction, type PiiOutcome } from './gates/g5-pii';
export { PiiScanner, type PiiScannerOptions, type PiiSpan } from './pii/pii-scanner';
export { ibanValid, luhnValid, ssnValid } from './pii/checksums';
export {
  GatePipeline,
  type GateInput,
  type GatePipelineOptions,
  type GateRun,
} from './pipeline/gate-pipeline';
export {
  RecordProcessor,
  type ConsumedRecord,
  type IncomingRecord,
  type ProduceResult,
  type RecordProcessorOptions,
  type RejectedRecord,
} from './pipeline/record-processor';

// registry
export {
  buildSnapshot,
  type BuildSnapshotOptions,
  type RegistryDocument,
} from './registry/build-snapshot';
export {
  RegistryCache,
  type RegistryCacheOptions,
  type RegistryStatus,
} from './registry/registry-cache';
export {
  StateStoreRegistrySource,
  type StateStoreRegistryOptions,
} from './registry/state-store-registry-source';
export { StaticRegistrySource, YamlRegistrySource } from './registry/yaml-registry-source';
export {
  DEFAULT_TIERS,
  type DatasetDefinition,
  type RegistrySnapshot,
  type RegistrySource,
  type TierPolicy,
} from './registry/types';

// evidence
export {
  buildEvidence,
  redact,
  type BuildEvidenceInput,
  type RecordCoordinates,
} from './evidence/build-evidence';
export { EVIDENCE_TOPIC, EvidencePublisher, evidenceKey } from './evidence/evidence-publisher';
export { decideSample, type SampleDecision } from './evidence/sampler';

// sinks
export type { RecordSink, SinkRecord, SinkResult } from './sink/record-sink';
export { InMemoryRecordSink, type StoredRecord } from './sink/in-memory-record-sink';
export { KafkaRecordSink, type KafkaRecordSinkOptions } from './sink/kafka-record-sink';

// HTTP, trust, tap, replay, injector
export { SidecarMetrics } from './http/metrics';
export { TrustTracker, parseWindow, type TrustReport } from './trust/trust-tracker';
export { startTrustFeed, type TrustFeedOptions } from './trust/trust-feed';
export { startTap, toConsumedRecord, type TapOptions } from './tap/tap';
export { replay, type ReplayOptions, type ReplayRange, type ReplayReport } from './tap/replay';
export { readKafkaRange, type KafkaRangeOptions } from './tap/kafka-range-reader';
export {
  INJECTED_KEY,
  INJECT_KEY,
  SIDECAR_CONTAINER_NAME,
  admissionResponse,
  decideAdmission,
  sidecarContainer,
  type AdmissionDecision,
  type InjectorOptions,
  type JsonPatchOp,
} from './injector/mutate-pod';
export { createInjectorServer, type InjectorServerOptions } from './injector/injector-server';
