import type { TestProject } from 'vitest/node';
import { startServers } from './servers';

/**
 * vitest globalSetup of the `integration` project: starts Kafka (KRaft), Gremlin Server and dynalite
 * on 127.0.0.1 once for the whole run and provides their endpoints to tests via inject().
 * Failing to start is an error that fails the run, never a skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const quiet = process.env.SF_HARNESS_QUIET === '1';
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  const servers = await startServers({ log });
  log(
    `[harness] servers ready in ${Date.now() - started} ms: ${JSON.stringify(servers.endpoints)}`,
  );
  project.provide('kafkaBrokers', servers.endpoints.kafkaBrokers);
  project.provide('gremlinUrl', servers.endpoints.gremlinUrl);
  project.provide('dynamoEndpoint', servers.endpoints.dynamoEndpoint);

  const onSignal = (signal: NodeJS.Signals): void => {
    void servers.stop().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await servers.stop();
  };
}
