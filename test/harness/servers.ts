import { startDynalite } from './dynalite';
import { HarnessError } from './errors';
import { GREMLIN_ARTIFACTS, startGremlin } from './gremlin';
import { kafkaArtifacts, kafkaVersion, startKafka } from './kafka';
import { resolveClasspath } from './maven';
import { canConnect } from './ports';
import { checkJava } from './toolchain';
import type { RunningServer, StartOptions } from './types';

/** What integration tests get through vitest's inject(). */
export interface Endpoints {
  /** '127.0.0.1:PORT' */
  readonly kafkaBrokers: string;
  /** 'ws://127.0.0.1:PORT/gremlin' */
  readonly gremlinUrl: string;
  /** 'http://127.0.0.1:PORT' */
  readonly dynamoEndpoint: string;
}

export type ServerName = 'kafka' | 'gremlin' | 'dynamo';

export interface HarnessServers {
  readonly endpoints: Endpoints;
  /** Start time of each server in ms (0 for servers given by environment variables). */
  readonly timings: Readonly<Record<ServerName, number>>;
  readonly servers: readonly RunningServer[];
  /** Stops every server this harness started. Idempotent. */
  stop(): Promise<void>;
}

export interface StartServersOptions {
  readonly log?: (line: string) => void;
  /** Per-server readiness timeout; default SF_HARNESS_START_TIMEOUT_MS or 180 000. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Environment variables that point the harness at servers that are already running. */
export const ENV = {
  kafka: 'SF_KAFKA_BROKERS',
  gremlin: 'SF_GREMLIN_URL',
  dynamo: 'SF_DYNAMO_ENDPOINT',
} as const satisfies Record<ServerName, string>;

const STARTERS: Record<ServerName, (options: StartOptions) => Promise<RunningServer>> = {
  kafka: startKafka,
  gremlin: startGremlin,
  dynamo: startDynalite,
};

const SHAPES: Record<ServerName, { pattern: RegExp; example: string }> = {
  kafka: { pattern: /^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, example: '127.0.0.1:9092[,host:port]' },
  gremlin: { pattern: /^wss?:\/\/[^\s/]+:\d+\/\S*$/, example: 'ws://127.0.0.1:8182/gremlin' },
  dynamo: { pattern: /^https?:\/\/[^\s/]+:\d+\/?$/, example: 'http://127.0.0.1:4567' },
};

/** A server named by an environment variable: checked for shape and that something listens there. */
async function external(name: ServerName, value: string): Promise<RunningServer> {
  const { pattern, example } = SHAPES[name];
  if (!pattern.test(value)) {
    throw new HarnessError(
      'SF_HARNESS_BAD_ENV',
      `${ENV[name]}=${JSON.stringify(value)} is not of the form ${example}`,
    );
  }
  const first = name === 'kafka' ? `tcp://${value.split(',')[0] as string}` : value;
  const url = new URL(first);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(await canConnect(host, Number(url.port), 3000))) {
    throw new HarnessError(
      'SF_HARNESS_EXTERNAL_UNREACHABLE',
      `${ENV[name]}=${value} is set, but nothing accepts connections at ${host}:${url.port}. ` +
        `Start it (npm run servers) or unset ${ENV[name]} to let the harness start one.`,
    );
  }
  return { name, endpoint: value, workDir: undefined, startMs: 0, stop: async () => undefined };
}

function timeoutFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.SF_HARNESS_START_TIMEOUT_MS;
  if (raw === undefined || raw === '') return 180_000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new HarnessError(
      'SF_HARNESS_BAD_ENV',
      `SF_HARNESS_START_TIMEOUT_MS=${JSON.stringify(raw)} is not a positive number`,
    );
  }
  return value;
}

/**
 * Starts Kafka, Gremlin Server and dynalite on 127.0.0.1 in parallel (or uses the ones named by
 * SF_KAFKA_BROKERS / SF_GREMLIN_URL / SF_DYNAMO_ENDPOINT). If any fails, the others are stopped and
 * the first error is thrown with the failing server's log tail.
 */
export async function startServers(options: StartServersOptions = {}): Promise<HarnessServers> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const startOptions: StartOptions = { timeoutMs: options.timeoutMs ?? timeoutFrom(env), log };
  const names: ServerName[] = ['kafka', 'gremlin', 'dynamo'];
  const fromEnv = new Map<ServerName, string>();
  for (const name of names) {
    const value = env[ENV[name]];
    if (value !== undefined && value.trim() !== '') fromEnv.set(name, value.trim());
  }
  // Fail fast, before anything starts, when a JVM server is needed and Java is missing.
  if (!fromEnv.has('kafka') || !fromEnv.has('gremlin')) await checkJava();

  const settled = await Promise.allSettled(
    names.map(async (name) => {
      const given = fromEnv.get(name);
      if (given !== undefined) return external(name, given);
      const server = await STARTERS[name](startOptions);
      log(`[harness] ${name} ready at ${server.endpoint} in ${server.startMs} ms`);
      return server;
    }),
  );
  const servers = settled.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= Promise.allSettled(servers.map((server) => server.stop())).then(() => undefined);
    return stopped;
  };
  const failures = settled.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await stop();
    // Kafka and Gremlin Server often fail for one reason (no Java, no Maven): say it once.
    const messages = [
      ...new Set(failures.map((f) => (f instanceof Error ? f.message : String(f)))),
    ];
    if (messages.length === 1) throw failures[0];
    throw new HarnessError('SF_HARNESS_START_FAILED', messages.join('\n\n'), {
      cause: failures[0],
    });
  }
  const byName = (name: ServerName): RunningServer =>
    servers.find((server) => server.name === name) as RunningServer;
  return {
    endpoints: {
      kafkaBrokers: byName('kafka').endpoint,
      gremlinUrl: byName('gremlin').endpoint,
      dynamoEndpoint: byName('dynamo').endpoint,
    },
    timings: {
      kafka: byName('kafka').startMs,
      gremlin: byName('gremlin').startMs,
      dynamo: byName('dynamo').startMs,
    },
    servers,
    stop,
  };
}

/** Fetches the Kafka and Gremlin Server jars into the cache without starting anything. */
export async function fetchArtifacts(log: (line: string) => void = () => undefined): Promise<void> {
  for (const set of [kafkaArtifacts(kafkaVersion()), GREMLIN_ARTIFACTS]) {
    const started = Date.now();
    const { jars, cached } = await resolveClasspath(set, log);
    log(
      `[harness] ${set.name}: ${jars.length} jars ${cached ? 'already cached' : `fetched in ${Date.now() - started} ms`}`,
    );
  }
}
