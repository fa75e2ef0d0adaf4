#!/usr/bin/env node
import { runCli } from '../cli/main';

const controller = new AbortController();
let stopping = false;
const stop = (): void => {
  if (stopping) process.exit(130);
  stopping = true;
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Kafka/Gremlin clients may keep sockets a moment after close: do not wait for them.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error: unknown) => {
    process.stderr.write(`signal-factory: ${String(error)}\n`);
    process.exit(1);
  },
);
