// Child process of bench/sidecar-e2e.bench.ts: the sidecar from the built dist/ (plain node, no
// transpiler), so its RSS is what a deployment would see. Usage: node sidecar-e2e.server.mjs <broker>
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';

import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { KafkaRecordSink, StaticRegistrySource, createSidecar } from '@signal-factory/sidecar';
import { parse } from 'yaml';

const brokers = [process.argv[2]];
const contract = parse(
  readFileSync(
    new URL('../packages/sidecar/deploy/registry/orders-created.contract.yaml', import.meta.url),
    'utf8',
  ),
);
const sidecar = createSidecar({
  registry: new StaticRegistrySource([
    { kind: 'Dataset', urn: 'urn:dp:orders:created', tier: 'gold', topics: ['bench.sidecar'] },
    contract,
  ]),
  sink: new KafkaRecordSink({ brokers }),
  evidenceBus: new KafkaEvidenceBus({ brokers }),
  evidenceTopic: 'bench.evidence',
  evidencePartitions: 4,
  port: 0,
  registryTtlMs: 0,
});
const url = await sidecar.start();
let peakRss = 0;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100).unref();
process.send?.({ url });
process.on('message', async () => {
  process.send?.({ peakRss });
  await sidecar.close();
  process.exit(0);
});
