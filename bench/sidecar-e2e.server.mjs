// Child process of bench/sidecar-e2e.bench.ts: the sidecar from the built dist/ (plain node, no
// transpiler), so its RSS is what a deployment would see.
// Usage: node sidecar-e2e.server.mjs <broker> <data topic> <evidence topic>
// SF_HEAP_SAMPLE=<file>: sample allocations (including short-lived objects) and write the
// profile there on 'stop', to find what feeds the garbage collector.
// Messages from the parent: 'cpu' (answers process.cpuUsage()), 'reset-rss' (start sampling afresh; answers 'ok'), 'rss' (answers
// {peakRss, medianRss} of the samples since the reset), 'stop'.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';

import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { KafkaRecordSink, StaticRegistrySource, createSidecar } from '@signal-factory/sidecar';
import { parse } from 'yaml';

const brokers = [process.argv[2]];
const topic = process.argv[3] ?? 'bench.sidecar';
const evidenceTopic = process.argv[4] ?? 'bench.evidence';
const contract = parse(
  readFileSync(
    new URL('../packages/sidecar/deploy/registry/orders-created.contract.yaml', import.meta.url),
    'utf8',
  ),
);
const sidecar = createSidecar({
  registry: new StaticRegistrySource([
    { kind: 'Dataset', urn: 'urn:dp:orders:created', tier: 'gold', topics: [topic] },
    contract,
  ]),
  sink: new KafkaRecordSink({ brokers }),
  evidenceBus: new KafkaEvidenceBus({ brokers }),
  evidenceTopic,
  evidencePartitions: 4,
  port: 0,
  registryTtlMs: 0,
});
const url = await sidecar.start();
let heapSession;
if (process.env.SF_HEAP_SAMPLE) {
  const { Session } = await import('node:inspector/promises');
  heapSession = new Session();
  heapSession.connect();
  await heapSession.post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
let samples = [];
setInterval(() => samples.push(process.memoryUsage().rss), 100).unref();
process.send?.({ url });
process.on('message', async (m) => {
  if (m === 'cpu') {
    process.send?.(process.cpuUsage());
    return;
  }
  if (m === 'reset-rss') {
    samples = [];
    process.send?.('ok');
    return;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const peakRss = sorted.at(-1) ?? process.memoryUsage().rss;
  const medianRss = sorted[Math.floor(sorted.length / 2)] ?? peakRss;
  process.send?.({ peakRss, medianRss });
  if (m === 'stop' && heapSession) {
    const { profile } = await heapSession.post('HeapProfiler.stopSampling');
    (await import('node:fs')).writeFileSync(process.env.SF_HEAP_SAMPLE, JSON.stringify(profile));
  }
  if (m === 'stop') {
    await sidecar.close();
    process.exit(0);
  }
});
