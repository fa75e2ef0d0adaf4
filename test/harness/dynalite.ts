import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { HarnessError } from './errors';
import { ServerProcess } from './server-process';
import { makeTempDir } from './temp-dir';
import type { RunningServer, StartOptions } from './types';

/** Milliseconds tables stay CREATING/DELETING/UPDATING: short, but non-zero so waiters are exercised. */
const TABLE_STATE_MS = 50;

// Runs in the child: an in-memory dynalite on 127.0.0.1 on a kernel-chosen port (no port race),
// which it reports on stdout once listening.
const CHILD_SCRIPT = `
const dynalite = require(process.argv[1]);
const ms = Number(process.argv[2]);
const server = dynalite({ createTableMs: ms, deleteTableMs: ms, updateTableMs: ms });
server.listen(0, '127.0.0.1', () => {
  console.log('SF_DYNALITE_PORT=' + server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function listTablesProbe(endpoint: string): Promise<boolean> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      // dynalite checks that a signature is present, not that it is valid.
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      'x-amz-date': '20260101T000000Z',
    },
    body: '{}',
    signal: AbortSignal.timeout(2000),
  });
  const body = (await response.json()) as { TableNames?: unknown };
  return response.ok && Array.isArray(body.TableNames);
}

/** Starts dynalite (in-memory DynamoDB API) in a child process bound to 127.0.0.1. */
export async function startDynalite(options: StartOptions): Promise<RunningServer> {
  const started = Date.now();
  let dynaliteMain: string;
  try {
    dynaliteMain = createRequire(import.meta.url).resolve('dynalite');
  } catch (error) {
    throw new HarnessError(
      'SF_HARNESS_DYNALITE_MISSING',
      'dynalite is not installed: run `npm ci` at the repository root (it is a root devDependency).',
      { cause: error },
    );
  }
  const temp = makeTempDir('dynalite');
  const consoleFile = path.join(temp.dir, 'console.log');
  const server = ServerProcess.start({
    name: 'dynalite',
    command: process.execPath,
    args: ['-e', CHILD_SCRIPT, dynaliteMain, String(TABLE_STATE_MS)],
    cwd: temp.dir,
    consoleFile,
  });
  let endpoint: string | undefined;
  const stop = async (): Promise<void> => {
    await server.stop(2000);
    temp.remove();
  };
  try {
    await server.waitUntil(
      async () => {
        if (endpoint === undefined) {
          const match = /SF_DYNALITE_PORT=(\d+)/.exec(readFileSync(consoleFile, 'utf8'));
          if (match === null) return false;
          endpoint = `http://127.0.0.1:${match[1]}`;
        }
        return listTablesProbe(endpoint);
      },
      { timeoutMs: options.timeoutMs, intervalMs: 100, what: 'dynalite to answer ListTables' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'dynamo',
    endpoint: endpoint as string,
    workDir: temp.dir,
    startMs: Date.now() - started,
    stop,
  };
}
