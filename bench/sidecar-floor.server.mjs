// Child process of bench/sidecar-e2e.bench.ts: the floor of the sidecar's design, to tell what
// the gates cost from what the hop itself costs. It speaks the same POST /v1/produce protocol with
// the same Kafka plumbing (KafkaRecordSink, KafkaEvidenceBus: idempotent, acks=all, group
// commit) and does only what any enforcing sidecar must do per record: decode the HTTP batch,
// JSON.parse the value (no gate can judge it otherwise), produce it, then write one ~700-byte
// Evidence v1 document with its offset. No gates, fingerprints, PII scan, metrics or trust.
// Usage: node sidecar-floor.server.mjs <broker> <data topic> <evidence topic>
// Messages from the parent: 'cpu' (answers process.cpuUsage()), 'stop'.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';

import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { KafkaRecordSink } from '@signal-factory/sidecar';

const brokers = [process.argv[2]];
const evidenceTopic = process.argv[4] ?? 'bench.floor.evidence';
const sink = new KafkaRecordSink({ brokers });
const bus = new KafkaEvidenceBus({ brokers });
await sink.start();
await bus.ensureTopic(evidenceTopic, { partitions: 4 });
const URN = 'urn:dp:orders:created';
const FP = `sha256:${'ab'.repeat(32)}`;
let seq = 0;

function evidenceOf(record, written, parsed) {
  const now = new Date().toISOString();
  seq += 1;
  return JSON.stringify({
    schema_version: 'evidence/v1',
    evidence_id: `ev_${seq.toString(16).padStart(32, '0')}`,
    dataset_urn: URN,
    topic: written.topic,
    partition: written.partition,
    offset: written.offset,
    producer: {
      service: record.headers['x-obs-producer-service'] ?? 'unknown',
      version: record.headers['x-obs-producer-version'] ?? null,
      identity_confidence: 'HIGH',
      identity_method: 'header',
    },
    trace_id: null,
    event_time: now,
    produce_time: now,
    processing_time: now,
    schema_fingerprint: FP,
    contract: { id: 'orders-created', version: '2.1.0' },
    gates: ['G1', 'G2', 'G3', 'G4', 'G5'].map((gate) => ({
      gate,
      result: typeof parsed === 'object' ? 'PASS' : 'FAIL',
      reason_codes: [],
    })),
    result: 'PASS',
    reason_codes: [],
    pii_findings: [],
    sample_weight: 1,
    enforcement: 'observe',
    source: 'sidecar',
  });
}

async function produce(body) {
  const records = JSON.parse(body).records;
  const toSend = [];
  const parsed = [];
  for (const r of records) {
    const headers = {};
    for (const [name, v] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = v;
    toSend.push({
      topic: r.topic,
      key: r.key ?? null,
      value: Buffer.from(r.value, 'utf8'),
      headers,
    });
    parsed.push(JSON.parse(r.value));
  }
  const written = await sink.send(toSend);
  const evidence = [];
  const results = written.map((w, index) => {
    const id = `ev_${index}`;
    evidence.push({ key: URN, value: evidenceOf(toSend[index], w, parsed[index]) });
    return {
      index,
      status: 'produced',
      topic: w.topic,
      partition: w.partition,
      offset: w.offset,
      evidenceId: id,
      outcome: 'PASS',
      reasonCodes: [],
    };
  });
  await bus.publish(evidenceTopic, evidence);
  return { results };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/readyz' || req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true}');
      return;
    }
    produce(Buffer.concat(chunks).toString('utf8')).then(
      (answer) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)),
      (error) => res.writeHead(500).end(String(error)),
    );
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.send?.({ url: `http://127.0.0.1:${server.address().port}` });
process.on('message', async (m) => {
  if (m === 'cpu') process.send?.(process.cpuUsage());
  if (m === 'stop') {
    server.close();
    await sink.close();
    await bus.close();
    process.exit(0);
  }
});
