// Public surface of @signal-factory/copilot. Explicit re-exports only (no `export *`).

// errors
export {
  COPILOT_ERROR_CODES,
  LLM_FALLBACK_REASONS,
  type CopilotErrorCode,
  type LlmFallbackReason,
  type Problem,
} from './errors';

// the library client
export {
  createCopilot,
  type BlastRadiusQueryOptions,
  type Copilot,
  type CopilotGraph,
  type CopilotOptions,
  type CopilotStats,
  type ListIncidentsOptions,
  type RcaOptions,
} from './copilot';
export { DEFAULT_RCA_SETTINGS, type RcaSettings } from './rca/settings';

// report types
export type {
  BlastRadiusEntry,
  ColumnOverlapStatus,
  ConfidenceReason,
  DatasetBlastRadius,
  DeploymentInfo,
  DeploymentRootCause,
  EvidenceItem,
  EvidenceKind,
  GraphCoverage,
  IncidentListItem,
  Mitigation,
  MitigationAction,
  RcaConfidence,
  RcaConfidenceLevel,
  RcaReport,
  RcaSummary,
  ReasonCodeCount,
  RecordPosition,
  ReportFailureSignature,
  ReportSignal,
  RootCause,
  RootCauseKind,
  StallRootCause,
  UnexplainedRootCause,
  UpstreamRootCause,
} from './types';

// LLM summary
export {
  DEFAULT_LLM_MODEL,
  llmOptionsFromEnv,
  type LlmOptions,
  type MessagesClient,
} from './summary/llm-options';
export { validateLlmText, type LlmTextCheck } from './summary/validate-llm-text';

// HTTP API and CLI
export {
  CopilotHttpServer,
  type CopilotHttpErrorBody,
  type CopilotHttpServerOptions,
} from './http/copilot-http-server';
export { formatRcaReport } from './cli/format-report';
export { runRcaCommand, type RcaCommandIo } from './cli/rca-command';

// logging and diagnostics
export { COPILOT_DIAGNOSTICS, SILENT_LOGGER, type Logger } from './logger';
