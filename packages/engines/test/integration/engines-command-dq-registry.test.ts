import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { randomRunId, waitFor } from '@signal-factory/core/testing';
import { DynamoDbStateStore } from '@signal-factory/dynamodb';
import { describe, expect, inject, it } from 'vitest';

import {
  ENGINES_EXIT,
  runEnginesCommand,
  type EnginesCommandParts,
} from '../../src/cli/run-engines-command';
import { evidence } from '../../src/runtime/fixtures.test-data';

// `signal-factory-engines --engines dq` on DynamoDB without a contracts directory: the rules come
// from the registry the sidecars read (DatasetResolutionMap lists the dataset, DatasetRegistry
// holds its contract), on dynalite.

const endpoint = inject('dynamoEndpoint');
const run = randomRunId();
const URN = `urn:dp:it${run}:orders`;
const CONTRACT = readFileSync(
  new URL('../../../../../shared/scenarios/examples/orders-created.odcs.yaml', import.meta.url),
  'utf8',
).replace('id: urn:dp:orders:created', `id: ${URN}`);

describe('runEnginesCommand --engines dq with the DynamoDB registry', () => {
  it('judges the registered contract: 20 % null emails is DQ CRITICAL', async () => {
    const tablePrefix = `sf-dqreg-${run}-`;
    const registry = new DynamoDbStateStore({
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      tablePrefix,
      autoCreateTables: true,
    });
    await registry.put(
      'DatasetResolutionMap',
      { pk: 'resolution', sk: 'exact#raw.orders' },
      {
        urn: URN,
      },
    );
    await registry.put(
      'DatasetRegistry',
      { pk: URN, sk: 'contract#3.0.0' },
      { contract: CONTRACT },
    );
    await registry.close();
    const dir = mkdtempSync(join(tmpdir(), 'sf-dqreg-'));
    const config = join(dir, 'engines.json');
    writeFileSync(
      config,
      JSON.stringify({ dynamodb: { endpoint, tablePrefix, autoCreateTables: true } }),
    );

    const controller = new AbortController();
    let parts: EnginesCommandParts | undefined;
    const running = runEnginesCommand(
      ['run', '--config', config, '--engines', 'dq', '--no-incidents'],
      {
        stdout: { write: () => true },
        stderr: { write: () => true },
        env: {
          SF_LOG_LEVEL: 'error',
          SF_ENGINES_WINDOW_MS: '1000',
          SF_ENGINES_GRACE_MS: '100',
          SF_ENGINES_TICK_MS: '50',
        },
        signal: controller.signal,
        onStarted: (_r, p) => {
          parts = p;
        },
      },
    );
    try {
      await waitFor(() => parts !== undefined, { timeoutMs: 30_000 });
      const signals: Array<{ signal_type: string; state: string; reason: string }> = [];
      const sub = await parts!.bus.subscribe(
        { groupId: 'it-dqreg-signals', topics: ['signal_factory.signals'] },
        async (batch) => {
          for (const m of batch) signals.push(JSON.parse(m.value) as (typeof signals)[number]);
        },
      );
      const now = Date.now();
      const records = Array.from({ length: 100 }, (_, i) =>
        evidence(URN, now, {
          contract: { id: URN, version: '3.0.0' },
          ...(i % 5 === 0 ? { dq: ['nullValues:email'] } : {}),
        }),
      );
      await parts!.bus.publish(
        'signal_factory.evidence',
        records.map((r) => ({ key: URN, value: JSON.stringify(r) })),
      );
      await waitFor(() => signals.some((s) => s.signal_type === 'DQ'), { timeoutMs: 20_000 });
      expect(signals.find((s) => s.signal_type === 'DQ')).toMatchObject({
        state: 'CRITICAL',
        reason: expect.stringContaining('email nullValues 20% (must be < 1%)'),
      });
      await sub.close();
    } finally {
      controller.abort();
    }
    expect(await running).toBe(ENGINES_EXIT.OK);
  }, 90_000);
});
