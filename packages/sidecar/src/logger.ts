// One logger type for all packages; re-exported so this package's public names stay stable.
import { SILENT_LOGGER } from '@signal-factory/core';

export { jsonLogger, type Logger } from '@signal-factory/core';

/** The default logger: discards everything. */
export const silentLogger = SILENT_LOGGER;
