import { runEnginesCommand } from '../platform/engines-api';

import type { CliIo } from '../cli/io';

/**
 * `signal-factory engines ...`: the engines package's own command (its JSON config file and
 * `SF_*` environment variables; see the engines README).
 */
export function runEngines(argv: readonly string[], io: CliIo): Promise<number> {
  return runEnginesCommand(argv, {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.env === undefined ? {} : { env: io.env }),
    ...(io.cwd === undefined ? {} : { cwd: io.cwd }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
}
