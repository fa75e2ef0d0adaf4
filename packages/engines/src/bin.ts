#!/usr/bin/env node
import { runEnginesCommand } from './cli/run-engines-command';

void runEnginesCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`signal-factory-engines: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
