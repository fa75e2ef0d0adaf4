import { runContractCommand } from '@signal-factory/contracts';

import type { CliIo } from '../cli/io';

/** `signal-factory contract ...`: the contracts package's own command. */
export function runContract(argv: readonly string[], io: CliIo): Promise<number> {
  return runContractCommand(argv, {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.stdin === undefined ? {} : { stdin: io.stdin }),
    ...(io.cwd === undefined ? {} : { cwd: io.cwd }),
  });
}
