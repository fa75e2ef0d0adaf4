/**
 * Real servers for development, with the same code as the integration test harness.
 *
 *   npm run servers          start Kafka, Gremlin Server and dynalite on 127.0.0.1; print endpoints; Ctrl-C stops
 *   npm run servers:fetch    only fetch the Kafka and Gremlin Server jars into the cache
 *
 * Paste the printed `export` lines into another shell to run integration tests against these servers.
 */
import { cacheDir } from '../test/harness/cache';
import { ENV, fetchArtifacts, startServers } from '../test/harness/servers';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function up(): Promise<void> {
  const started = Date.now();
  const servers = await startServers({ log });
  const { endpoints } = servers;
  log(`[servers] ready in ${Date.now() - started} ms (cache: ${cacheDir()})`);
  process.stdout.write(
    [
      `export ${ENV.kafka}=${endpoints.kafkaBrokers}`,
      `export ${ENV.gremlin}=${endpoints.gremlinUrl}`,
      `export ${ENV.dynamo}=${endpoints.dynamoEndpoint}`,
      '',
    ].join('\n'),
  );
  log('[servers] Ctrl-C to stop');
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    log('[servers] stopping');
    void servers.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'up';
  if (command === 'up') await up();
  else if (command === 'fetch') {
    await fetchArtifacts(log);
    log(`[servers] cache: ${cacheDir()}`);
  } else {
    log(`usage: tsx scripts/servers.ts [up|fetch]   (unknown command ${JSON.stringify(command)})`);
    process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exit(1);
});
