import { fileURLToPath } from 'node:url';

/** Everything the service reads from its environment. */
export interface OrdersServiceConfig {
  /** Kafka bootstrap servers, comma-separated. Env `KAFKA_BROKERS` or `SF_KAFKA_BROKERS`. */
  brokers: string[];
  /** Topic to produce to. Env `ORDERS_TOPIC`, default `orders.created`. */
  topic: string;
  /** When set, records go through the sidecar at this URL. Env `SF_SIDECAR_URL`. */
  sidecarUrl: string | undefined;
  /** `open` (default) or `closed` when the sidecar is down. Env `SF_FAIL_MODE`. */
  failMode: 'open' | 'closed';
  /** Client-side validation mode. Env `SF_VALIDATION`, default `warn`. */
  validation: 'off' | 'warn' | 'block';
  /** Orders per second. Env `ORDERS_RATE`, default 20. */
  ratePerSecond: number;
  /** Stop after this many orders; 0 runs until stopped. Env `ORDERS_COUNT`, default 0. */
  count: number;
  /** Share of deliberately broken orders (0–1), to demo contract failures. Env `ORDERS_INVALID_RATIO`, default 0. */
  invalidRatio: number;
  /** Service version written to the identity header. Env `SERVICE_VERSION`, default `1.0.0`. */
  version: string;
  /** Contract file. Env `ORDERS_CONTRACT`, default the copy shipped with this example. */
  contractFile: string;
}

export const DEFAULT_CONTRACT = fileURLToPath(
  new URL('../contracts/orders-created.odcs.yaml', import.meta.url),
);

function num(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  problems: string[],
  max = Infinity,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > max)
    problems.push(`${name}=${JSON.stringify(raw)} must be a number in [0, ${max}]`);
  return n;
}

/** Reads the configuration; throws one error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrdersServiceConfig {
  const problems: string[] = [];
  const brokers = (env.KAFKA_BROKERS ?? env.SF_KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim());
  const validation = env.SF_VALIDATION ?? 'warn';
  if (validation !== 'off' && validation !== 'warn' && validation !== 'block') {
    problems.push(`SF_VALIDATION=${JSON.stringify(validation)} must be off, warn or block`);
  }
  const failMode = env.SF_FAIL_MODE ?? 'open';
  if (failMode !== 'open' && failMode !== 'closed')
    problems.push(`SF_FAIL_MODE=${JSON.stringify(failMode)} must be open or closed`);
  const config: OrdersServiceConfig = {
    brokers,
    topic: env.ORDERS_TOPIC ?? 'orders.created',
    sidecarUrl: env.SF_SIDECAR_URL || undefined,
    failMode: failMode as 'open' | 'closed',
    validation: validation as 'off' | 'warn' | 'block',
    ratePerSecond: num(env, 'ORDERS_RATE', 20, problems, 100_000),
    count: num(env, 'ORDERS_COUNT', 0, problems),
    invalidRatio: num(env, 'ORDERS_INVALID_RATIO', 0, problems, 1),
    version: env.SERVICE_VERSION ?? '1.0.0',
    contractFile: env.ORDERS_CONTRACT ?? DEFAULT_CONTRACT,
  };
  if (problems.length > 0)
    throw new Error(`orders-svc: bad configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
