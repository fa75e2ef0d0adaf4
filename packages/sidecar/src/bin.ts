#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { InMemoryEvidenceBus, type EvidenceBus, type StateStore } from '@signal-factory/core';

import { createInjectorServer } from './injector/injector-server';
import { jsonLogger } from './logger';
import { GatePipeline } from './pipeline/gate-pipeline';
import { StateStoreRegistrySource } from './registry/state-store-registry-source';
import type { RegistrySource } from './registry/types';
import { StaticRegistrySource, YamlRegistrySource } from './registry/yaml-registry-source';
import { createSidecar } from './sidecar';
import { InMemoryRecordSink } from './sink/in-memory-record-sink';
import { KafkaRecordSink } from './sink/kafka-record-sink';
import type { RecordSink } from './sink/record-sink';
import { readKafkaRange } from './tap/kafka-range-reader';
import { replay } from './tap/replay';
import { startTap } from './tap/tap';

const USAGE = `signal-factory-sidecar <command>

  serve      (default) the HTTP hop: POST /v1/produce, /healthz, /readyz, /metrics, /v1/trust
  injector   the admission-webhook injector (HTTPS): --cert <pem> --key <pem> --image <image> [--port 8443] [--namespaces a,b]
  replay     re-run a topic range through the gates: --topic <t> [--from-offset n] [--to-offset n] [--from-time ms] [--to-time ms]

Environment (serve, replay):
  SF_SIDECAR_HOST, SF_SIDECAR_PORT          listen address (127.0.0.1:7070)
  SF_SIDECAR_REGISTRY_DIR                   YAML registry directory (default: empty registry)
  SF_DYNAMODB_ENDPOINT, SF_DYNAMODB_REGION  registry from DynamoDB (DatasetRegistry, DatasetResolutionMap)
  SF_KAFKA_BROKERS                          comma-separated brokers; without it, records and evidence stay in memory
  SF_KAFKA_CLIENT                           Kafka client that produces: platformatic (default) or kafkajs
  SF_SIDECAR_TAP_TOPICS                     comma-separated raw topics to tap (needs Kafka)
  SF_SIDECAR_REGISTRY_TTL_MS, SF_SIDECAR_MAX_BODY_BYTES, SF_LOG_LEVEL
`;

/** `SF_KAFKA_CLIENT`: which client produces records and evidence. */
function kafkaClient(): 'platformatic' | 'kafkajs' {
  const client = process.env.SF_KAFKA_CLIENT ?? 'platformatic';
  if (client !== 'platformatic' && client !== 'kafkajs')
    throw new Error(
      `SF_KAFKA_CLIENT must be "platformatic" or "kafkajs" (got ${JSON.stringify(client)})`,
    );
  return client;
}

// Backends are imported lazily so the embedded mode never loads kafkajs admin code or the AWS SDK.
async function evidenceBus(brokers: string[] | undefined): Promise<EvidenceBus> {
  if (brokers !== undefined) {
    const { KafkaEvidenceBus } = await import('@signal-factory/kafka');
    return new KafkaEvidenceBus({ brokers, producer: { client: kafkaClient() } });
  }
  return new InMemoryEvidenceBus();
}

async function registrySource(): Promise<RegistrySource> {
  const dir = process.env.SF_SIDECAR_REGISTRY_DIR;
  if (dir) return new YamlRegistrySource(dir);
  const endpoint = process.env.SF_DYNAMODB_ENDPOINT;
  if (endpoint) {
    const { DynamoDbStateStore } = await import('@signal-factory/dynamodb');
    const store: StateStore = new DynamoDbStateStore({
      endpoint,
      region: process.env.SF_DYNAMODB_REGION ?? 'us-east-1',
    });
    return new StateStoreRegistrySource(store);
  }
  return new StaticRegistrySource([]);
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'serve';
  const rest = command === argv[0] ? argv.slice(1) : argv;
  const logger = jsonLogger((process.env.SF_LOG_LEVEL as 'info' | undefined) ?? 'info');
  const brokers = process.env.SF_KAFKA_BROKERS?.split(',').filter(Boolean);

  if (command === 'help' || rest.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'injector') {
    const { values } = parseArgs({
      args: rest,
      options: {
        cert: { type: 'string' },
        key: { type: 'string' },
        image: { type: 'string' },
        port: { type: 'string' },
        namespaces: { type: 'string' },
      },
    });
    const server = createInjectorServer({
      cert: values.cert ? readFileSync(values.cert) : '',
      key: values.key ? readFileSync(values.key) : '',
      image: values.image ?? process.env.SF_SIDECAR_IMAGE ?? '',
      listenPort: Number(values.port ?? 8443),
      optInNamespaces: values.namespaces?.split(',').filter(Boolean) ?? [],
      logger,
    });
    const url = await server.listen();
    logger.info({ url }, 'injector listening');
    const stop = (): void => void server.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  if (command === 'replay') {
    const { values } = parseArgs({
      args: rest,
      options: {
        topic: { type: 'string' },
        'from-offset': { type: 'string' },
        'to-offset': { type: 'string' },
        'from-time': { type: 'string' },
        'to-time': { type: 'string' },
        publish: { type: 'boolean' },
      },
    });
    if (!values.topic || brokers === undefined)
      throw new Error('replay needs --topic and SF_KAFKA_BROKERS');
    const range = {
      ...(values['from-offset'] ? { fromOffset: values['from-offset'] } : {}),
      ...(values['to-offset'] ? { toOffset: values['to-offset'] } : {}),
      ...(values['from-time'] ? { fromTime: Number(values['from-time']) } : {}),
      ...(values['to-time'] ? { toTime: Number(values['to-time']) } : {}),
    };
    const sidecar = createSidecar({
      registry: await registrySource(),
      sink: new InMemoryRecordSink(),
      evidenceBus: await evidenceBus(brokers),
      port: 0,
    });
    const snapshot = await sidecar.registry.start();
    const pipeline = new GatePipeline(snapshot);
    const records = await readKafkaRange({ brokers, topic: values.topic, ...range });
    const report = await replay(records, {
      processor: sidecar.processor,
      pipeline,
      publish: values.publish === true,
    });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    await sidecar.close();
    return;
  }
  if (command !== 'serve') throw new Error(`unknown command ${command}\n${USAGE}`);

  const sink: RecordSink =
    brokers === undefined
      ? new InMemoryRecordSink()
      : new KafkaRecordSink({ brokers, client: kafkaClient() });
  const bus = await evidenceBus(brokers);
  const sidecar = createSidecar({
    registry: await registrySource(),
    sink,
    evidenceBus: bus,
    logger,
  });
  const url = await sidecar.start();
  const tapTopics = process.env.SF_SIDECAR_TAP_TOPICS?.split(',').filter(Boolean) ?? [];
  const tap =
    tapTopics.length > 0
      ? await startTap({ bus, topics: tapTopics, processor: sidecar.processor })
      : undefined;
  logger.info(
    { url, kafka: brokers !== undefined, tap: tapTopics },
    'signal-factory-sidecar started',
  );
  const stop = (): void => {
    void (async () => {
      await tap?.close();
      await sidecar.close();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `signal-factory-sidecar: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
