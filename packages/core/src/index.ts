// Public surface of @signal-factory/core. Explicit re-exports only (no `export *`).

// errors
export { CORE_ERROR_CODES, type CoreErrorCode } from './errors/codes';
export {
  SignalFactoryError,
  isSignalFactoryError,
  type SignalFactoryErrorOptions,
} from './errors/signal-factory-error';

// dataset URNs
export {
  DATASET_URN_MAX_LENGTH,
  DATASET_URN_MAX_MAJOR,
  DATASET_URN_SEGMENT_MAX_LENGTH,
  formatDatasetUrn,
  isDatasetUrn,
  parseDatasetUrn,
  type DatasetUrnParts,
  type DatasetUrnProblem,
} from './urn/dataset-urn';

// header names
export {
  HEADERS,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  type HeaderName,
} from './headers/header-names';

// W3C trace context
export {
  KNOWN_TRACE_FLAGS,
  formatTraceparent,
  parseTraceparent,
  tryParseTraceparent,
  type Traceparent,
  type TraceparentInput,
} from './trace-context/traceparent';
export {
  TRACESTATE_MAX_LENGTH,
  TRACESTATE_MAX_MEMBERS,
  formatTracestate,
  parseTracestate,
  tryParseTracestate,
  type TracestateEntry,
} from './trace-context/tracestate';
export {
  extractTraceContext,
  type ExtractedTraceContext,
  type TraceContextOutcome,
  type TraceHeaderValue,
  type TraceHeaders,
} from './trace-context/extract-trace-context';

// reason codes and field paths
export {
  QUALIFIED_REASON_CODES,
  REASON_CODES,
  formatReasonCode,
  isReasonCode,
  parseReasonCode,
  tryParseReasonCode,
  type ParsedReasonCode,
  type ReasonCode,
} from './reason-codes/reason-codes';
export {
  childFieldPath,
  escapeFieldPathKey,
  fieldPathFromJsonPointer,
  itemFieldPath,
} from './reason-codes/field-path';

// canonical JSON, shapes and fingerprints
export { canonicalize, type JsonValue } from './canonical/canonicalize';
export {
  SHAPE_DEFAULT_MAX_DEPTH,
  createShapeFingerprinter,
  diffShapes,
  fingerprintShape,
  shapeFingerprint,
  shapeOf,
  type SchemaFingerprint,
  type ShapeDiff,
  type ShapeEntry,
  type ShapeFingerprinter,
  type ShapeFingerprinterOptions,
  type ShapeType,
} from './canonical/shape';
export { failureSignatureId, type FailureSignatureInput } from './canonical/failure-signature';

// evidence, signal, incident
export {
  GATES,
  type EnforcementMode,
  type Evidence,
  type EvidenceProducer,
  type EvidenceResult,
  type EvidenceSource,
  type GateId,
  type GateName,
  type GateResult,
  type GateVerdict,
  type IdentityConfidence,
  type IdentityMethod,
  type PiiFinding,
} from './schemas/evidence';
export type {
  RecordPointer,
  Signal,
  SignalExpectation,
  SignalState,
  SignalType,
} from './schemas/signal';
export type {
  Incident,
  IncidentSeverity,
  IncidentStatus,
  ProbableCauseKind,
} from './schemas/incident';
export {
  evidenceId,
  type ContentRecordIdentity,
  type EvidenceId,
  type KafkaRecordIdentity,
} from './schemas/evidence-id';
export type { CheckResult, SchemaProblem } from './schemas/schema-validator';
export {
  EVIDENCE_V1_SCHEMA,
  INCIDENT_V1_SCHEMA,
  SIGNAL_V1_SCHEMA,
  checkEvidence,
  checkIncident,
  checkSignal,
  evidenceProblems,
  incidentProblems,
  isEvidence,
  isIncident,
  isSignal,
  parseEvidence,
  parseIncident,
  parseSignal,
  signalProblems,
  validateEvidence,
  validateIncident,
  validateSignal,
  type JsonSchema,
} from './schemas/validators';

// --- ports (owned by ports module) ---
export {
  PORT_ERROR_CODES,
  edgeId,
  type BatchHandler,
  type BusMessage,
  type ConsumedMessage,
  type Direction,
  type Edge,
  type EdgeQuery,
  type EvidenceBus,
  type GraphScalar,
  type GraphStore,
  type PortErrorCode,
  type PublishedRecord,
  type PutOptions,
  type QueryOptions,
  type StateItem,
  type StateJsonPrimitive,
  type StateJsonValue,
  type StateKey,
  type StateStore,
  type SubscribeOptions,
  type Subscription,
  type TopicOptions,
  type TraversalHit,
  type TraversalOptions,
  type Vertex,
} from './ports/index';
export {
  InMemoryEvidenceBus,
  InMemoryGraphStore,
  InMemoryStateStore,
  compareUtf8,
  keyPartition,
  murmur2,
  type InMemoryEvidenceBusOptions,
  type InMemoryStateStoreOptions,
  type PortLogger,
} from './memory/index';
export { isRetriable, withRetry, type RetryOptions } from './wrappers/index';
export { closeServer, listenOn } from './http/server-lifecycle';
export {
  SILENT_LOGGER,
  jsonLogger,
  safeLogger,
  type LogLevel,
  type Logger,
} from './logging/logger';
