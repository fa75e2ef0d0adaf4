/* eslint-disable @typescript-eslint/no-explicit-any -- reads untyped JSON answers. */
import { request } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import net, { connect, type Socket } from 'node:net';

import { KafkaEvidenceBus } from '@signal-factory/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  KafkaRecordSink,
  StaticRegistrySource,
  createSidecar,
  readKafkaRange,
  type Sidecar,
} from '../../src/index';
import { orderEvent, registryDocuments } from '../../src/testing/fixtures';

function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * The broker "dies" for the sidecar only: its connections can be cut and new ones refused, while
 * the shared test broker keeps running for read-back. kafkajs takes a socket factory; for
 * @platformatic/kafka (the default client) the test wraps `net.createConnection`, which that client
 * imports from `node:net` (`syncBuiltinESMExports` updates the live ESM binding; kafkajs uses
 * `net.connect`, so the read-back is not affected).
 */
for (const client of ['platformatic', 'kafkajs'] as const) {
  describe(`Kafka outage mid-stream (${client} producer)`, () => {
    const brokers = [inject('kafkaBrokers')];
    const topic = `outage.${client}.${Date.now().toString(36)}`;
    const sockets = new Set<Socket>();
    let down = false;
    let sidecar: Sidecar;
    let url: string;
    const originalCreateConnection = net.createConnection;

    const track = (socket: Socket): Socket => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      return socket;
    };

    beforeAll(async () => {
      const admin = new Kafka({
        clientId: 'outage-it',
        brokers,
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await admin.disconnect();
      let socketFactory:
        ((o: { host: string; port: number; onConnect: () => void }) => Socket) | undefined;
      if (client === 'kafkajs') {
        socketFactory = ({ host, port, onConnect }) =>
          // A closed loopback port stands for the dead broker.
          track(
            down ? connect({ host: '127.0.0.1', port: 9 }) : connect({ host, port }, onConnect),
          );
      } else {
        (net as { createConnection: unknown }).createConnection = (
          ...args: Parameters<typeof net.createConnection>
        ): Socket => {
          if (!down) return track(originalCreateConnection(...args));
          const options = args[0] as unknown as net.NetConnectOpts;
          return track(originalCreateConnection({ ...options, host: '127.0.0.1', port: 9 }));
        };
        syncBuiltinESMExports();
      }
      sidecar = createSidecar({
        registry: new StaticRegistrySource([
          ...registryDocuments('observe'),
          { kind: 'Dataset', urn: 'urn:dp:outage:test', topics: [topic] },
        ]),
        sink: new KafkaRecordSink({
          brokers,
          client,
          ...(socketFactory === undefined ? {} : { socketFactory }),
          retries: 2,
          requestTimeoutMs: 3_000,
          connectionTimeoutMs: 1_000,
        }),
        evidenceBus: new KafkaEvidenceBus({ brokers, producer: { client } }),
        evidenceTopic: `signal_factory.evidence.outage-${client}-${Date.now().toString(36)}`,
        evidencePartitions: 2,
        port: 0,
        registryTtlMs: 0,
      });
      url = await sidecar.start();
    });
    afterAll(async () => {
      await sidecar?.close();
      net.createConnection = originalCreateConnection;
      syncBuiltinESMExports();
    });

    it('stops acknowledging, reports not-ready, resumes, and loses no acknowledged record', async () => {
      const acknowledged: Array<{ key: string; partition: number; offset: string }> = [];
      let errors = 0;
      let sawNotReady = false;
      let sinkSockets = 0;
      for (let batch = 0; batch < 18; batch++) {
        if (batch === 6) {
          down = true;
          sinkSockets = sockets.size;
          // What a dying broker does to its clients: connections reset.
          for (const s of sockets)
            s.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        }
        if (batch === 12) down = false;
        const records = Array.from({ length: 20 }, (_, i) => {
          const key = `b${batch}-r${i}`;
          return { topic, key, value: JSON.stringify(orderEvent({ order_id: key })) };
        });
        const res = await call(url, 'POST', '/v1/produce', { records });
        expect(res.status).toBe(200);
        res.json.results.forEach((r: any, i: number) => {
          if (r.status === 'produced')
            acknowledged.push({
              key: records[i]?.key as string,
              partition: r.partition,
              offset: r.offset,
            });
          else {
            expect(r.status).toBe('error');
            expect(r.error.retriable).toBe(true);
            errors++;
          }
        });
        if (down && (await call(url, 'GET', '/readyz')).status === 503) sawNotReady = true;
      }
      // the fault really reached the client under test
      expect(sinkSockets).toBeGreaterThan(0);
      expect(errors).toBeGreaterThan(0);
      expect(sawNotReady).toBe(true);
      // Resumed: the last batches were acknowledged again and the sidecar is ready.
      expect(acknowledged.some((a) => a.key.startsWith('b17-'))).toBe(true);
      expect((await call(url, 'GET', '/readyz')).status).toBe(200);

      const log = await readKafkaRange({ brokers, topic });
      for (const a of acknowledged) {
        const found = log.find((r) => r.partition === a.partition && r.offset === a.offset);
        expect(found?.key?.toString(), `${a.key} at ${a.partition}@${a.offset}`).toBe(a.key);
      }
    });
  });
}
