import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  loadPlatformConfig,
  platformConfigProblems,
  validatePlatformConfig,
} from './platform-config';

const dir = mkdtempSync(join(tmpdir(), 'sf-config-'));

describe('platform config', () => {
  it('accepts an empty config (everything embedded) and a full one', () => {
    expect(platformConfigProblems(undefined)).toEqual([]);
    expect(platformConfigProblems({})).toEqual([]);
    const full = {
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'sf', partitions: 8, maxWaitTimeMs: 50 },
      dynamodb: {
        endpoint: 'http://127.0.0.1:8000',
        region: 'eu-west-1',
        tablePrefix: 't_',
        createTables: true,
      },
      gremlin: { url: 'wss://neptune:8182/gremlin', traversalSource: 'g' },
      http: { host: '127.0.0.1', copilotPort: 0, lineagePort: 5001, sidecarPort: 7071 },
    };
    expect(validatePlatformConfig(full)).toEqual(full);
  });

  it('reports every problem at once with its path', () => {
    const problems = platformConfigProblems({
      kafka: { brokers: [], partitions: 0, client: 'librdkafka' },
      dynamodb: { endpoint: 'ftp://x', createTables: 'yes' },
      gremlin: {},
      http: { copilotPort: 70000, extra: 1 },
      neptune: {},
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'dynamodb.createTables',
        'dynamodb.endpoint',
        'gremlin.url',
        'http.copilotPort',
        'http.extra',
        'kafka.brokers',
        'kafka.client',
        'kafka.partitions',
        'neptune',
      ].sort(),
    );
    expect(() => validatePlatformConfig({ kafka: {} })).toThrowError(
      expect.objectContaining({ code: 'SF_ERR_CLI_CONFIG_INVALID' }),
    );
  });

  it('loads YAML and JSON files; problems carry their line', async () => {
    const yaml = join(dir, 'ok.yaml');
    writeFileSync(yaml, 'kafka:\n  brokers:\n    - 127.0.0.1:9092\n');
    expect(await loadPlatformConfig(yaml)).toEqual({ kafka: { brokers: ['127.0.0.1:9092'] } });
    const json = join(dir, 'ok.json');
    writeFileSync(json, JSON.stringify({ gremlin: { url: 'ws://127.0.0.1:8182/gremlin' } }));
    expect(await loadPlatformConfig(json)).toEqual({
      gremlin: { url: 'ws://127.0.0.1:8182/gremlin' },
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'http:\n  host: 127.0.0.1\n  copilotPort: -1\n');
    await expect(loadPlatformConfig(bad)).rejects.toMatchObject({
      code: 'SF_ERR_CLI_CONFIG_INVALID',
      details: { problems: [{ path: 'http.copilotPort', line: 3 }] },
    });
  });

  it('distinguishes an unreadable or unparsable file', async () => {
    await expect(loadPlatformConfig(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'SF_ERR_CLI_CONFIG_UNREADABLE',
    });
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kafka: [unclosed\n');
    await expect(loadPlatformConfig(broken)).rejects.toMatchObject({
      code: 'SF_ERR_CLI_CONFIG_UNREADABLE',
    });
  });
});
