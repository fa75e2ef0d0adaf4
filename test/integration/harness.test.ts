import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startDynalite } from '../harness/dynalite';
import { HarnessError } from '../harness/errors';
import { newClusterId } from '../harness/kafka';
import { pomFor, resolveClasspath } from '../harness/maven';
import { canConnect } from '../harness/ports';
import { ServerProcess } from '../harness/server-process';
import { startServers } from '../harness/servers';
import { parseJavaMajor, probeJava, probeMaven } from '../harness/toolchain';

// The harness's own failure modes: what a developer without Java or Maven sees, and that servers die with it.
const scratch = mkdtempSync(path.join(tmpdir(), 'sf-harness-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fakeCommand(name: string, script: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** False for a dead process and for a zombie (killed, not yet reaped by an init that may never reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function harnessError(promise: Promise<unknown>): Promise<HarnessError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarnessError);
  return error as HarnessError;
}

describe('toolchain checks', () => {
  it('parses java -version output of old and new schemes', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });

  it('fails with what to install when java is missing', async () => {
    const error = await harnessError(probeJava(path.join(scratch, 'no-such-java')));
    expect(error.code).toBe('SF_HARNESS_JAVA_MISSING');
    expect(error.message).toContain('apt-get install -y openjdk-17-jre-headless maven');
  });

  it('fails when java is older than 17', async () => {
    const java11 = fakeCommand('java11', 'echo \'openjdk version "11.0.2" 2019-01-15\' >&2');
    const error = await harnessError(probeJava(java11));
    expect(error.code).toBe('SF_HARNESS_JAVA_TOO_OLD');
    expect(error.message).toMatch(/Java 17 or newer.*Java 11/);
  });

  it('accepts the machine java', async () => {
    await expect(probeJava('java')).resolves.toMatchObject({ major: expect.any(Number) });
  });

  it('fails with what to install when maven is missing and jars are not cached', async () => {
    expect((await harnessError(probeMaven(path.join(scratch, 'no-such-mvn')))).code).toBe(
      'SF_HARNESS_MAVEN_MISSING',
    );
    const set = {
      name: 'probe',
      dependencies: [{ groupId: 'org.example', artifactId: 'x', version: '1' }],
    };
    const error = await harnessError(
      resolveClasspath(set, undefined, {
        cacheRoot: path.join(scratch, 'cache'),
        mavenCommand: path.join(scratch, 'no-mvn'),
      }),
    );
    expect(error.code).toBe('SF_HARNESS_MAVEN_MISSING');
    expect(error.message).toContain('apt-get install');
  });

  it('uses a cached classpath without running maven', async () => {
    const cacheRoot = path.join(scratch, 'warm');
    const jar = path.join(scratch, 'a.jar');
    writeFileSync(jar, 'not empty');
    const set = {
      name: 'warm',
      dependencies: [{ groupId: 'org.example', artifactId: 'y', version: '1' }],
    };
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256').update(pomFor(set)).digest('hex').slice(0, 12);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(cacheRoot, 'classpath'), { recursive: true });
    writeFileSync(path.join(cacheRoot, 'classpath', `warm-${key}.txt`), `${jar}\n`);
    const resolved = await resolveClasspath(set, undefined, {
      cacheRoot,
      mavenCommand: path.join(scratch, 'no-mvn'),
    });
    expect(resolved).toEqual({ jars: [jar], cached: true });
  });
});

describe('server processes', () => {
  it('reports the log tail when a server exits during start-up', async () => {
    const consoleFile = path.join(scratch, 'exits.log');
    const server = ServerProcess.start({
      name: 'doomed',
      command: process.execPath,
      args: ['-e', 'console.error("Address 127.0.0.1 is on fire"); process.exit(3)'],
      cwd: scratch,
      consoleFile,
    });
    const error = await harnessError(
      server.waitUntil(async () => false, { timeoutMs: 10_000, what: 'nothing' }),
    );
    expect(error.code).toBe('SF_HARNESS_SERVER_EXITED');
    expect(error.message).toContain('exited (code 3');
    expect(error.message).toContain('Address 127.0.0.1 is on fire');
  });

  it('times out with the log tail, and stop() kills the whole process group', async () => {
    const consoleFile = path.join(scratch, 'slow.log');
    const pidFile = path.join(scratch, 'grandchild.pid');
    // A shell whose child (a stand-in for a JVM's helper) ignores the shell's death.
    const server = ServerProcess.start({
      name: 'slow',
      command: '/bin/sh',
      args: ['-c', `echo starting slowly; sleep 300 & echo $! > ${pidFile}; wait`],
      cwd: scratch,
      consoleFile,
    });
    const error = await harnessError(
      server.waitUntil(async () => false, { timeoutMs: 600, what: 'Godot' }),
    );
    expect(error.code).toBe('SF_HARNESS_START_TIMEOUT');
    expect(error.message).toMatch(/slow did not become ready within 600 ms \(waiting for Godot\)/);
    expect(error.message).toContain('starting slowly');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await server.stop(2000);
    expect(server.exited).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('starts dynalite on 127.0.0.1 and frees its port on stop', async () => {
    const dynamo = await startDynalite({ timeoutMs: 30_000, log: () => undefined });
    const url = new URL(dynamo.endpoint);
    expect(url.hostname).toBe('127.0.0.1');
    expect(await canConnect('127.0.0.1', Number(url.port))).toBe(true);
    await dynamo.stop();
    await dynamo.stop(); // idempotent
    expect(await canConnect('127.0.0.1', Number(url.port))).toBe(false);
  });

  it('makes KRaft cluster ids of 16 bytes in base64url', () => {
    for (let i = 0; i < 100; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});

describe('servers named by environment variables', () => {
  it('uses running servers as they are, starting nothing', async () => {
    const env = {
      SF_KAFKA_BROKERS: inject('kafkaBrokers'),
      SF_GREMLIN_URL: inject('gremlinUrl'),
      SF_DYNAMO_ENDPOINT: inject('dynamoEndpoint'),
    };
    const servers = await startServers({ env });
    expect(servers.endpoints).toEqual({
      kafkaBrokers: env.SF_KAFKA_BROKERS,
      gremlinUrl: env.SF_GREMLIN_URL,
      dynamoEndpoint: env.SF_DYNAMO_ENDPOINT,
    });
    expect(servers.timings).toEqual({ kafka: 0, gremlin: 0, dynamo: 0 });
    await servers.stop();
    expect(await canConnect('127.0.0.1', Number(new URL(env.SF_DYNAMO_ENDPOINT).port))).toBe(true);
  });

  it('rejects a malformed or unreachable endpoint by name', async () => {
    const base = {
      SF_GREMLIN_URL: inject('gremlinUrl'),
      SF_DYNAMO_ENDPOINT: inject('dynamoEndpoint'),
    };
    const malformed = await harnessError(
      startServers({ env: { ...base, SF_KAFKA_BROKERS: 'kafka please' } }),
    );
    expect(malformed.code).toBe('SF_HARNESS_BAD_ENV');
    expect(malformed.message).toContain('SF_KAFKA_BROKERS');
    const unreachable = await harnessError(
      startServers({ env: { ...base, SF_KAFKA_BROKERS: '127.0.0.1:1' } }),
    );
    expect(unreachable.code).toBe('SF_HARNESS_EXTERNAL_UNREACHABLE');
    expect(unreachable.message).toContain('SF_KAFKA_BROKERS=127.0.0.1:1');
  });
});
