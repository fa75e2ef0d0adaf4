import { isSignalFactoryError } from '@signal-factory/core';

import { formatProblems, type Problem } from '../errors';
import { runComponentCommand } from '../commands/components';
import { runContract } from '../commands/contract';
import { runEngines } from '../commands/engines';
import { runRca } from '../commands/rca';
import { runSimulate } from '../commands/simulate';
import { runUp } from '../commands/up';
import { EXIT, type CliIo } from './io';
import { MAIN_USAGE } from './usage';

/** A subcommand: `argv` is what follows its name; resolves with the exit status. */
export type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** The subcommands of `signal-factory`, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  up: runUp,
  simulate: runSimulate,
  rca: runRca,
  contract: runContract,
  sidecar: (argv, io) => runComponentCommand('sidecar', argv, io),
  engines: runEngines,
  lineage: (argv, io) => runComponentCommand('lineage', argv, io),
  copilot: (argv, io) => runComponentCommand('copilot', argv, io),
};

/**
 * `signal-factory <command> ...`: dispatches to a subcommand and resolves with the exit status
 * (0 ok, 1 failure, 2 usage or input error). Never throws: errors are printed with their code
 * and, for configuration problems, every problem with its path and line.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(MAIN_USAGE);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`signal-factory ${VERSION}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`signal-factory: unknown command ${JSON.stringify(name)}\n\n${MAIN_USAGE}`);
    return EXIT.USAGE;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    return reportError(name, error, io);
  }
}

/** Prints an error the way every command does and returns its exit status. */
export function reportError(command: string, error: unknown, io: CliIo): number {
  if (isSignalFactoryError(error)) {
    const usage = error.code === 'SF_ERR_CLI_USAGE';
    const problems = (error.details?.problems ?? []) as Problem[];
    const body =
      problems.length > 0 && !error.message.includes('\n')
        ? `${error.message}\n${formatProblems(problems)}`
        : error.message;
    io.stderr.write(
      `signal-factory ${command}: ${usage ? '' : `${error.code}: `}${body}\n` +
        (usage ? `Run 'signal-factory ${command} --help' for its options.\n` : ''),
    );
    return usage || error.code.startsWith('SF_ERR_CLI_CONFIG') ? EXIT.USAGE : EXIT.FAILED;
  }
  io.stderr.write(
    `signal-factory ${command}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.FAILED;
}

/** The CLI's version. */
export const VERSION = '0.0.0';
