import { channel } from 'node:diagnostics_channel';

// The logger every package accepts, and the wrapper that keeps a throwing one from breaking RCA.
export { SILENT_LOGGER, safeLogger, type Logger } from '@signal-factory/core';

/** `node:diagnostics_channel` channels published by this package. */
export const COPILOT_DIAGNOSTICS = {
  /** A report was computed: `{ incidentId, rootCause, confidence, durationMs, cached }`. */
  rca: channel('signal-factory:copilot:rca'),
  /** The LLM summary fell back to the template: `{ incidentId, reason, detail }`. */
  llmFallback: channel('signal-factory:copilot:llm-fallback'),
} as const;
