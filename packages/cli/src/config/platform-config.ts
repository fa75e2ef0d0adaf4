import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { SignalFactoryError } from '@signal-factory/core';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';

import { CLI_ERROR_CODES, formatProblems, type Problem } from '../errors';
import { buildAlertRouter, type AlertsConfig } from '../platform/engines-api';

/** Kafka: evidence bus, record sink (sidecar) and lineage/signal topics. */
export interface KafkaConfig {
  /** Bootstrap brokers, `host:port`. Required, at least one. */
  brokers: string[];
  /** Client id reported to the brokers. Default `signal-factory`. */
  clientId?: string;
  /** Partitions of topics the platform creates. Default 64 (evidence) / the bus default. */
  partitions?: number;
  /** Longest a consumer fetch waits for data, in ms. Default 100 (faster simulations than Kafka's 500). */
  maxWaitTimeMs?: number;
  /** Client that produces records and evidence: `platformatic` (default, `@platformatic/kafka`) or `kafkajs`. */
  client?: 'platformatic' | 'kafkajs';
}

/** DynamoDB (or dynalite / DynamoDB Local): registry, signal state and incidents. */
export interface DynamoDbConfig {
  /** Endpoint URL, e.g. `http://127.0.0.1:8000`. Default: AWS for `region`. */
  endpoint?: string;
  /** AWS region. Default `us-east-1` when `endpoint` is set. */
  region?: string;
  /** Prefix of physical table names. Default `''`. */
  tablePrefix?: string;
  /** Create missing tables at start (development). Default `true` when `endpoint` is set. */
  createTables?: boolean;
}

/** Gremlin Server or Amazon Neptune: the knowledge graph. */
export interface GremlinConfig {
  /** `ws://` or `wss://` URL, e.g. `ws://127.0.0.1:8182/gremlin`. Required. */
  url: string;
  /** Traversal source name. Default `g`. */
  traversalSource?: string;
}

/** Where the HTTP APIs listen. */
export interface HttpConfig {
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Copilot API (`/v1/incidents`, `/v1/incidents/:id/rca`, `/v1/datasets/:urn/blast-radius`). Default 8080; 0 = any free port. */
  copilotPort?: number;
  /** Lineage ingestion API (`/api/v1/lineage`, `/api/v1/deployments`…). Default 5000; 0 = any free port. */
  lineagePort?: number;
  /** Sidecar hop (`POST /v1/produce`) when the sidecar runs as its own process. Default 7070. */
  sidecarPort?: number;
}

/**
 * The platform configuration: every section is optional and an absent section means the embedded
 * default for that port (in-process bus, state store or graph).
 */
export interface PlatformConfig {
  kafka?: KafkaConfig;
  dynamodb?: DynamoDbConfig;
  gremlin?: GremlinConfig;
  http?: HttpConfig;
  /** Alert routing of incident transitions, as in the engines binary's config. Default: none. */
  alerts?: AlertsConfig;
}

const SECTIONS: Record<string, readonly string[]> = {
  kafka: ['brokers', 'clientId', 'partitions', 'maxWaitTimeMs', 'client'],
  dynamodb: ['endpoint', 'region', 'tablePrefix', 'createTables'],
  gremlin: ['url', 'traversalSource'],
  http: ['host', 'copilotPort', 'lineagePort', 'sidecarPort'],
  alerts: [
    'sinks',
    'routes',
    'defaultRoute',
    'maxAlertsPerHourPerTeam',
    'storm',
    'dedupTtlMs',
    'linkBase',
  ],
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkPort(v: unknown, path: string, problems: Problem[]): void {
  if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65_535))
    problems.push({ path, message: 'must be an integer port between 0 and 65535' });
}

function checkString(v: unknown, path: string, problems: Problem[], required = false): void {
  if (v === undefined) {
    if (required) problems.push({ path, message: 'is required' });
  } else if (typeof v !== 'string' || v === '') {
    problems.push({ path, message: 'must be a non-empty string' });
  }
}

function checkUrl(v: unknown, path: string, protocols: string[], problems: Problem[]): void {
  if (typeof v !== 'string') return;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    problems.push({ path, message: 'must be a URL' });
    return;
  }
  if (!protocols.includes(url.protocol))
    problems.push({
      path,
      message: `must be a ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL`,
    });
}

/**
 * Validates a platform configuration object and reports every problem with its path
 * (`kafka.brokers[1]`). Returns the typed configuration.
 * @throws SignalFactoryError `SF_ERR_CLI_CONFIG_INVALID` with `details.problems`.
 */
export function validatePlatformConfig(input: unknown, source = 'config'): PlatformConfig {
  const problems = platformConfigProblems(input);
  if (problems.length > 0) {
    throw new SignalFactoryError(
      CLI_ERROR_CODES.CONFIG_INVALID,
      `Invalid platform configuration in ${source}:\n${formatProblems(problems)}`,
      { details: { source, problems } },
    );
  }
  return (input ?? {}) as PlatformConfig;
}

/** Every problem of a configuration object, with its path; empty when valid. */
export function platformConfigProblems(input: unknown): Problem[] {
  const problems: Problem[] = [];
  if (input === null || input === undefined) return problems;
  if (!isRecord(input)) return [{ path: '', message: 'must be a mapping' }];
  for (const [key, value] of Object.entries(input)) {
    const allowed = SECTIONS[key];
    if (allowed === undefined) {
      problems.push({
        path: key,
        message: `unknown section (expected one of ${Object.keys(SECTIONS).join(', ')})`,
      });
      continue;
    }
    if (!isRecord(value)) {
      problems.push({ path: key, message: 'must be a mapping' });
      continue;
    }
    for (const field of Object.keys(value)) {
      if (!allowed.includes(field))
        problems.push({
          path: `${key}.${field}`,
          message: `unknown setting (expected one of ${allowed.join(', ')})`,
        });
    }
  }
  const kafka = input.kafka;
  if (isRecord(kafka)) {
    const brokers = kafka.brokers;
    if (brokers === undefined) problems.push({ path: 'kafka.brokers', message: 'is required' });
    else if (!Array.isArray(brokers) || brokers.length === 0)
      problems.push({ path: 'kafka.brokers', message: 'must be a non-empty list of host:port' });
    else
      brokers.forEach((b, i) => {
        if (typeof b !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(b))
          problems.push({ path: `kafka.brokers[${i}]`, message: 'must be host:port' });
      });
    checkString(kafka.clientId, 'kafka.clientId', problems);
    if (kafka.client !== undefined && kafka.client !== 'platformatic' && kafka.client !== 'kafkajs')
      problems.push({ path: 'kafka.client', message: 'must be "platformatic" or "kafkajs"' });
    if (
      kafka.partitions !== undefined &&
      !(Number.isInteger(kafka.partitions) && (kafka.partitions as number) >= 1)
    )
      problems.push({ path: 'kafka.partitions', message: 'must be an integer ≥ 1' });
    if (
      kafka.maxWaitTimeMs !== undefined &&
      !(Number.isInteger(kafka.maxWaitTimeMs) && (kafka.maxWaitTimeMs as number) >= 0)
    )
      problems.push({ path: 'kafka.maxWaitTimeMs', message: 'must be an integer ≥ 0' });
  }
  const dynamodb = input.dynamodb;
  if (isRecord(dynamodb)) {
    checkString(dynamodb.endpoint, 'dynamodb.endpoint', problems);
    checkUrl(dynamodb.endpoint, 'dynamodb.endpoint', ['http:', 'https:'], problems);
    checkString(dynamodb.region, 'dynamodb.region', problems);
    if (dynamodb.tablePrefix !== undefined && typeof dynamodb.tablePrefix !== 'string')
      problems.push({ path: 'dynamodb.tablePrefix', message: 'must be a string' });
    if (dynamodb.createTables !== undefined && typeof dynamodb.createTables !== 'boolean')
      problems.push({ path: 'dynamodb.createTables', message: 'must be true or false' });
    if (dynamodb.endpoint === undefined && dynamodb.region === undefined)
      problems.push({ path: 'dynamodb', message: 'needs an endpoint or a region' });
  }
  const gremlin = input.gremlin;
  if (isRecord(gremlin)) {
    checkString(gremlin.url, 'gremlin.url', problems, true);
    checkUrl(gremlin.url, 'gremlin.url', ['ws:', 'wss:'], problems);
    checkString(gremlin.traversalSource, 'gremlin.traversalSource', problems);
  }
  const http = input.http;
  if (isRecord(http)) {
    checkString(http.host, 'http.host', problems);
    checkPort(http.copilotPort, 'http.copilotPort', problems);
    checkPort(http.lineagePort, 'http.lineagePort', problems);
    checkPort(http.sidecarPort, 'http.sidecarPort', problems);
  }
  const alerts = input.alerts;
  if (isRecord(alerts)) {
    checkString(alerts.linkBase, 'alerts.linkBase', problems);
    if (!Array.isArray(alerts.sinks) || alerts.sinks.length === 0)
      problems.push({ path: 'alerts.sinks', message: 'must list at least one sink' });
    else {
      try {
        // the router's own checks: sinks, routes naming them, limits
        void buildAlertRouter(alerts as AlertsConfig, {}).close();
      } catch (error) {
        problems.push({
          path: 'alerts',
          message: (error as Error).message.replace(/^alerts: /, ''),
        });
      }
    }
  }
  return problems;
}

function lineOf(node: Node | null | undefined, counter: LineCounter): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : counter.linePos(start).line;
}

/** The YAML node at a problem path such as `kafka.brokers[1]` (or its nearest existing parent). */
function nodeAt(root: Node | null, path: string): Node | null | undefined {
  const segments = path.match(/[^.[\]]+/g) ?? [];
  let node: Node | null | undefined = root;
  for (const seg of segments) {
    if (isMap(node)) {
      const map: YAMLMap = node;
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (pair === undefined) return node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && /^\d+$/.test(seg)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (item === undefined) return node;
      node = item;
    } else return node;
  }
  return node;
}

/**
 * Reads and validates a platform configuration file (YAML or JSON). Problems carry their path and
 * line.
 * @throws SignalFactoryError `SF_ERR_CLI_CONFIG_UNREADABLE` or `SF_ERR_CLI_CONFIG_INVALID`.
 */
export async function loadPlatformConfig(
  file: string,
  cwd = process.cwd(),
): Promise<PlatformConfig> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SignalFactoryError(
      CLI_ERROR_CODES.CONFIG_UNREADABLE,
      `Cannot read the config file ${path}: ${(cause as Error).message}`,
      { cause, details: { file: path } },
    );
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: '',
      message: e.message.split('\n')[0] ?? e.message,
      line: e.linePos?.[0]?.line,
    }));
    throw new SignalFactoryError(
      CLI_ERROR_CODES.CONFIG_UNREADABLE,
      `The config file ${path} is not valid YAML/JSON:\n${formatProblems(problems)}`,
      { details: { file: path, problems } },
    );
  }
  const value: unknown = doc.toJS();
  const problems = platformConfigProblems(value).map((p) => ({
    ...p,
    line: lineOf(nodeAt(doc.contents, p.path), counter),
  }));
  if (problems.length > 0) {
    throw new SignalFactoryError(
      CLI_ERROR_CODES.CONFIG_INVALID,
      `Invalid platform configuration in ${path}:\n${formatProblems(problems)}`,
      { details: { file: path, problems } },
    );
  }
  return (value ?? {}) as PlatformConfig;
}
