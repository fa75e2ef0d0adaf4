import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from './errors';
import { resolveClasspath, type ArtifactSet } from './maven';
import { canConnect, freePort } from './ports';
import { ServerProcess } from './server-process';
import { makeTempDir } from './temp-dir';
import { checkJava } from './toolchain';
import type { RunningServer, StartOptions } from './types';

/** Matches the `gremlin` npm client in packages/lineage (and Neptune engine 1.5.x's TinkerPop 3.8). */
export const TINKERPOP_VERSION = '3.8.1';

export const GREMLIN_ARTIFACTS: ArtifactSet = {
  name: `gremlin-server-${TINKERPOP_VERSION}`,
  dependencies: [
    { groupId: 'org.apache.tinkerpop', artifactId: 'gremlin-server', version: TINKERPOP_VERSION },
    {
      groupId: 'org.apache.tinkerpop',
      artifactId: 'tinkergraph-gremlin',
      version: TINKERPOP_VERSION,
    },
    // Gremlin Server logs through SLF4J 1.7; logback (as in its distribution) writes to a file.
    { groupId: 'ch.qos.logback', artifactId: 'logback-classic', version: '1.2.13' },
  ],
};

// As bin/gremlin-server.sh does on Java 9+: Groovy and the serializers reflect into java.base.
const OPENS = [
  'java.base/java.io',
  'java.base/java.nio',
  'java.base/sun.nio.cs',
  'java.base/java.lang',
  'java.base/java.lang.invoke',
  'java.base/java.lang.reflect',
  'java.base/java.util',
  'java.base/java.util.concurrent',
  'java.base/java.util.concurrent.atomic',
  'java.base/java.net',
].map((target) => `--add-opens=${target}=ALL-UNNAMED`);

/**
 * TinkerGraph with ANY id managers, so vertices and edges can carry string ids given with T.id as on
 * Neptune (Neptune takes any string as T.id and generates a UUID string when none is given;
 * TinkerGraph with ANY keeps the given id and generates a Long when none is given).
 */
export function tinkerGraphProperties(): string {
  return [
    'gremlin.graph=org.apache.tinkerpop.gremlin.tinkergraph.structure.TinkerGraph',
    'gremlin.tinkergraph.vertexIdManager=ANY',
    'gremlin.tinkergraph.edgeIdManager=ANY',
    'gremlin.tinkergraph.vertexPropertyIdManager=LONG',
    '',
  ].join('\n');
}

export function gremlinServerYaml(options: {
  port: number;
  graphProperties: string;
  initScript: string;
}): string {
  const quote = (value: string): string => JSON.stringify(value);
  return `host: 127.0.0.1
port: ${options.port}
evaluationTimeout: 30000
channelizer: org.apache.tinkerpop.gremlin.server.channel.WebSocketChannelizer
graphs: {
  graph: ${quote(options.graphProperties)}}
scriptEngines: {
  gremlin-groovy: {
    plugins: { org.apache.tinkerpop.gremlin.server.jsr223.GremlinServerGremlinPlugin: {},
               org.apache.tinkerpop.gremlin.tinkergraph.jsr223.TinkerGraphGremlinPlugin: {},
               org.apache.tinkerpop.gremlin.jsr223.ScriptFileGremlinPlugin: {files: [${quote(options.initScript)}]}}}}
serializers:
  - { className: org.apache.tinkerpop.gremlin.util.ser.GraphBinaryMessageSerializerV1 }
  - { className: org.apache.tinkerpop.gremlin.util.ser.GraphBinaryMessageSerializerV1, config: { serializeResultToString: true }}
  - { className: org.apache.tinkerpop.gremlin.util.ser.GraphSONMessageSerializerV3, config: { ioRegistries: [org.apache.tinkerpop.gremlin.tinkergraph.structure.TinkerIoRegistryV3] }}
  - { className: org.apache.tinkerpop.gremlin.util.ser.GraphSONMessageSerializerV2, config: { ioRegistries: [org.apache.tinkerpop.gremlin.tinkergraph.structure.TinkerIoRegistryV2] }}
  - { className: org.apache.tinkerpop.gremlin.util.ser.GraphSONUntypedMessageSerializerV1 }
metrics: {
  slf4jReporter: {enabled: false, interval: 180000}}
strictTransactionManagement: false
idleConnectionTimeout: 0
keepAliveInterval: 0
maxInitialLineLength: 4096
maxHeaderSize: 8192
maxChunkSize: 8192
maxContentLength: 10485760
maxAccumulationBufferComponents: 1024
resultIterationBatchSize: 64
gremlinPool: 4
threadPoolWorker: 2
`;
}

/** Binds the traversal source `g` that bytecode requests (the JS client's default) address. */
const INIT_SCRIPT = `def globals = [:]
globals << [g : graph.traversal()]
`;

function logbackXml(): string {
  return `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${sf.log.file}</file>
    <encoder><pattern>[%d] %level %msg \\(%logger{36}\\)%n</pattern></encoder>
  </appender>
  <logger name="org.apache.tinkerpop" level="INFO"/>
  <logger name="io.netty" level="WARN"/>
  <root level="WARN"><appender-ref ref="FILE"/></root>
</configuration>
`;
}

/** Ready when a bytecode traversal (GraphBinary, the client's default) answers with a number. */
async function bytecodeProbe(url: string): Promise<boolean> {
  const specifier = 'gremlin';
  // Untyped on purpose: the harness does not depend on @types/gremlin.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const gremlin: any = await import(/* @vite-ignore */ specifier);
  const g0 = gremlin.default ?? gremlin;
  const connection = new g0.driver.DriverRemoteConnection(url);
  try {
    const g = g0.process.AnonymousTraversalSource.traversal().withRemote(connection);
    const result = await g.V().limit(1).count().next();
    return typeof result.value === 'number' || typeof result.value === 'bigint';
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function startOnce(
  jars: readonly string[],
  options: StartOptions,
): Promise<RunningServer & { bindFailed?: boolean }> {
  const started = Date.now();
  const { command: java } = await checkJava();
  const temp = makeTempDir('gremlin');
  const port = await freePort();
  const graphProperties = path.join(temp.dir, 'tinkergraph.properties');
  const initScript = path.join(temp.dir, 'init.groovy');
  const yaml = path.join(temp.dir, 'gremlin-server.yaml');
  const logback = path.join(temp.dir, 'logback.xml');
  const serverLog = path.join(temp.dir, 'server.log');
  writeFileSync(graphProperties, tinkerGraphProperties());
  writeFileSync(initScript, INIT_SCRIPT);
  writeFileSync(yaml, gremlinServerYaml({ port, graphProperties, initScript }));
  writeFileSync(logback, logbackXml());
  const server = ServerProcess.start({
    name: `Gremlin Server ${TINKERPOP_VERSION}`,
    command: java,
    args: [
      '-Xms128m',
      '-Xmx768m',
      '-Djava.awt.headless=true',
      ...OPENS,
      `-Dlogback.configurationFile=${logback}`,
      `-Dsf.log.file=${serverLog}`,
      '-cp',
      jars.join(path.delimiter),
      'org.apache.tinkerpop.gremlin.server.GremlinServer',
      yaml,
    ],
    cwd: temp.dir,
    consoleFile: path.join(temp.dir, 'console.log'),
    logFiles: [serverLog],
  });
  const url = `ws://127.0.0.1:${port}/gremlin`;
  const stop = async (): Promise<void> => {
    await server.stop(5000);
    temp.remove();
  };
  try {
    await server.waitUntil(
      async () => (await canConnect('127.0.0.1', port)) && (await bytecodeProbe(url)),
      {
        timeoutMs: options.timeoutMs,
        what: `a bytecode traversal on ${url}`,
      },
    );
  } catch (error) {
    const bindFailed = /Address already in use|BindException/.test(server.logTail(200));
    await stop();
    if (bindFailed)
      return { name: 'gremlin', endpoint: url, workDir: undefined, startMs: 0, stop, bindFailed };
    throw error;
  }
  return { name: 'gremlin', endpoint: url, workDir: temp.dir, startMs: Date.now() - started, stop };
}

/** Fetches the jars (once) and starts Gremlin Server with an empty TinkerGraph bound to `g`. */
export async function startGremlin(options: StartOptions): Promise<RunningServer> {
  const started = Date.now();
  const { jars, cached } = await resolveClasspath(GREMLIN_ARTIFACTS, options.log);
  if (!cached)
    options.log(
      `[harness] Gremlin Server ${TINKERPOP_VERSION} jars cached (${Date.now() - started} ms)`,
    );
  for (let attempt = 1; ; attempt++) {
    const result = await startOnce(jars, options);
    if (result.bindFailed !== true) return { ...result, startMs: Date.now() - started };
    if (attempt >= 3) {
      throw new HarnessError(
        'SF_HARNESS_PORT_TAKEN',
        'Gremlin Server could not bind its port three times in a row',
      );
    }
    options.log('[harness] Gremlin Server lost a port race; retrying on a new port');
  }
}
