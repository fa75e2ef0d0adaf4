// One logger type for all packages; re-exported so this package's public names stay stable.
export { SILENT_LOGGER, safeLogger, type Logger } from '@signal-factory/core';
