import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from './errors';
import { exec } from './exec';
import { resolveClasspath, type ArtifactSet } from './maven';
import { canConnect, freePorts } from './ports';
import { ServerProcess, tailOf } from './server-process';
import { makeTempDir } from './temp-dir';
import { checkJava } from './toolchain';
import type { RunningServer, StartOptions } from './types';

/** Apache Kafka broker version; see docs/decisions/2026-11-25-kafka-version.md. */
export const DEFAULT_KAFKA_VERSION = '4.4.0';

/** The broker version to run: SF_KAFKA_VERSION (to try another release) or the default. */
export function kafkaVersion(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SF_KAFKA_VERSION?.trim();
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(fromEnv)) {
    throw new HarnessError(
      'SF_HARNESS_BAD_ENV',
      `SF_KAFKA_VERSION=${JSON.stringify(fromEnv)} is not a version like 4.1.1`,
    );
  }
  return fromEnv;
}

export const kafkaArtifacts = (version: string): ArtifactSet => ({
  name: `kafka-${version}`,
  dependencies: [
    { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version },
    // Kafka logs through SLF4J 1.7; this binding sends it to log4j2 (already a Kafka dependency),
    // configured below to write to a file so the test console stays quiet.
    { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.24.3' },
  ],
});

const KAFKA_HEAP = ['-Xms256m', '-Xmx1g'];

/** A KRaft cluster id: 16 random bytes, base64url without padding, not starting with '-' (as Uuid.randomUuid). */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function kafkaServerProperties(options: {
  brokerPort: number;
  controllerPort: number;
  logDir: string;
}): string {
  const { brokerPort, controllerPort, logDir } = options;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    // Fewer partitions than the default 50: the first consumer group creates them all.
    'offsets.topic.num.partitions=8',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'log.retention.hours=1',
    'log.segment.bytes=16777216',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    '',
  ].join('\n');
}

function log4jProperties(): string {
  return [
    'status = error',
    'appender.file.type = File',
    'appender.file.name = file',
    'appender.file.fileName = ${sys:sf.log.file}',
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = file',
    'logger.request.name = kafka.request.logger',
    'logger.request.level = WARN',
    'logger.state.name = state.change.logger',
    'logger.state.level = WARN',
    '',
  ].join('\n');
}

type KafkaAdminProbe = (broker: string) => Promise<boolean>;

/** Ready when the broker answers a metadata request naming itself and an active controller. */
const describeClusterProbe: KafkaAdminProbe = async (broker) => {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'sf-harness-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

async function startOnce(
  version: string,
  jars: readonly string[],
  options: StartOptions,
): Promise<RunningServer & { bindFailed?: boolean }> {
  const started = Date.now();
  const { command: java } = await checkJava();
  const temp = makeTempDir('kafka');
  const dataDir = path.join(temp.dir, 'data');
  mkdirSync(dataDir);
  const [brokerPort, controllerPort] = (await freePorts(2)) as [number, number];
  const propertiesFile = path.join(temp.dir, 'server.properties');
  const log4jFile = path.join(temp.dir, 'log4j2.properties');
  const serverLog = path.join(temp.dir, 'server.log');
  const consoleFile = path.join(temp.dir, 'console.log');
  writeFileSync(
    propertiesFile,
    kafkaServerProperties({ brokerPort, controllerPort, logDir: dataDir }),
  );
  writeFileSync(log4jFile, log4jProperties());
  const jvm = [
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Dsf.log.file=${serverLog}`,
    '-cp',
    jars.join(path.delimiter),
  ];

  const format = await exec(
    java,
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile],
    { cwd: temp.dir, timeoutMs: options.timeoutMs },
  );
  if (format.code !== 0) {
    const tail = tailOf(serverLog);
    temp.remove();
    throw new HarnessError(
      'SF_HARNESS_KAFKA_FORMAT_FAILED',
      `kafka.tools.StorageTool format failed (exit ${String(format.code)}):\n${format.output.trim()}\n${tail}`,
    );
  }

  const server = ServerProcess.start({
    name: `Kafka ${version}`,
    command: java,
    args: [...KAFKA_HEAP, '-XX:+UseG1GC', ...jvm, 'kafka.Kafka', propertiesFile],
    cwd: temp.dir,
    consoleFile,
    logFiles: [serverLog],
  });
  const broker = `127.0.0.1:${brokerPort}`;
  const stop = async (): Promise<void> => {
    await server.stop(5000);
    temp.remove();
  };
  try {
    await server.waitUntil(
      async () =>
        (await canConnect('127.0.0.1', brokerPort)) && (await describeClusterProbe(broker)),
      {
        timeoutMs: options.timeoutMs,
        what: `the broker at ${broker} to answer a metadata request`,
      },
    );
  } catch (error) {
    const bindFailed = /Address already in use|BindException/.test(server.logTail(200));
    await stop();
    if (bindFailed)
      return { name: 'kafka', endpoint: broker, workDir: undefined, startMs: 0, stop, bindFailed };
    throw error;
  }
  return {
    name: 'kafka',
    endpoint: broker,
    workDir: temp.dir,
    startMs: Date.now() - started,
    stop,
  };
}

/** Fetches the jars (once), formats a fresh KRaft log dir and starts a single-node broker on loopback. */
export async function startKafka(options: StartOptions): Promise<RunningServer> {
  const started = Date.now();
  const version = kafkaVersion();
  const { jars, cached } = await resolveClasspath(kafkaArtifacts(version), options.log);
  if (!cached) options.log(`[harness] Kafka ${version} jars cached (${Date.now() - started} ms)`);
  for (let attempt = 1; ; attempt++) {
    const result = await startOnce(version, jars, options);
    if (result.bindFailed !== true) return { ...result, startMs: Date.now() - started };
    if (attempt >= 3) {
      throw new HarnessError(
        'SF_HARNESS_PORT_TAKEN',
        'Kafka could not bind its ports three times in a row',
      );
    }
    options.log('[harness] Kafka lost a port race; retrying on new ports');
  }
}
