import { channel } from 'node:diagnostics_channel';

// One logger type for all packages; re-exported so this package's public names stay stable.
export { SILENT_LOGGER, safeLogger, type Logger } from '@signal-factory/core';

/** `node:diagnostics_channel` channels published by this package. */
export const DIAGNOSTICS = {
  /** An event was ingested: `{ kind, vertices, edges, dropped, unresolved }`. */
  ingested: channel('signal-factory:lineage:ingested'),
  /** An event was rejected: `{ kind, code, problems }`. */
  rejected: channel('signal-factory:lineage:rejected'),
  /** A write was dropped by a cardinality cap: `{ reason, id }`. */
  dropped: channel('signal-factory:lineage:dropped'),
} as const;
