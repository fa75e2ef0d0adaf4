import { InvalidOptionsError, type OptionProblem } from './errors';
import type { Logger } from './logger';
import type { ProducerTransport } from './transport';
import type { RecordViolation } from './types';

/** Where a contract comes from. Give exactly one of `file`, `url`, `contract`. */
export interface ContractBinding {
  /** Path of an ODCS YAML/JSON file. Re-read every `refreshIntervalMs`. */
  file?: string;
  /** Registry URL answering the ODCS document (YAML or JSON). Re-fetched every `refreshIntervalMs`. */
  url?: string;
  /** An already parsed ODCS document. Compiled once. */
  contract?: object;
  /** Topics the contract applies to. Default: every topic sent through this producer. */
  topics?: string[];
  /** ODCS schema object to validate against when the contract has several. */
  schemaName?: string;
  /** How often a file/url contract is reloaded, in ms; 0 disables. Default 60 000. */
  refreshIntervalMs?: number;
}

/** Options of the sidecar hop (`transport: 'sidecar'`). */
export interface SidecarOptions {
  /** Base URL of the local sidecar. Default: env `SF_SIDECAR_URL`, else `http://127.0.0.1:7070`. */
  url?: string;
  /** Records per HTTP request at most. Default 100. */
  batchSize?: number;
  /** How long a partial batch waits for more records, in ms. Default 5. */
  lingerMs?: number;
  /** Records waiting for the sidecar at most; `send` waits for room beyond it. Default 10 000. */
  maxQueueRecords?: number;
  /** How long `send` waits for room in a full queue before `SF_ERR_SDK_QUEUE_FULL`, in ms. Default 30 000. */
  enqueueTimeoutMs?: number;
  /** Time for one sidecar request before it counts as unavailable, in ms. Default 2 000. */
  requestTimeoutMs?: number;
  /** Keep-alive connections in the undici pool. Default 8. */
  connections?: number;
  /** What to do when the sidecar is unavailable: produce directly (`open`, default) or reject (`closed`). */
  failMode?: 'open' | 'closed';
  /** Consecutive failures that open the breaker. Default 3. */
  failureThreshold?: number;
  /** How long the breaker stays open before one probe request, in ms. Default 5 000. */
  resetTimeoutMs?: number;
}

/** Options of `instrument` and `createProducer`. */
export interface ProducerSdkOptions {
  /** Producer identity. Defaults: env `OTEL_SERVICE_NAME` and `npm_package_version`. */
  service?: { name?: string; version?: string };
  /** Payload field (dotted path) holding the event time, e.g. `created_at`. Default: send time. */
  eventTimeField?: string;
  /** Contracts to validate against, by topic. */
  contracts?: ContractBinding[];
  /** Client-side validation. */
  validation?: {
    /** `off` (default when no contract), `warn` (default with contracts) or `block`. */
    mode?: 'off' | 'warn' | 'block';
    /** In block mode, still send the valid records of a batch. Default false. */
    partialSends?: boolean;
    /** Called with the violations of each send (warn and block). Errors it throws are swallowed. */
    onViolation?: (violations: RecordViolation[]) => void;
  };
  /** Trace context. */
  tracing?: {
    /** Inject W3C `traceparent`/`tracestate` when a span is active. Default true. */
    propagate?: boolean;
    /** Start a `send {topic}` PRODUCER span per send (messaging semconv). Default false. */
    span?: boolean;
  };
  /** `direct` (default): produce with the kafkajs producer; `sidecar`: through the local sidecar; or your own transport. */
  transport?: 'direct' | 'sidecar' | ProducerTransport;
  /** Sidecar hop settings (used with `transport: 'sidecar'`). */
  sidecar?: SidecarOptions;
  /** pino-compatible logger. Default: silent. */
  logger?: Logger;
  /** Environment to read defaults from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export type ResolvedSidecarOptions = Required<SidecarOptions>;

export interface ResolvedOptions {
  serviceName: string;
  serviceVersion: string | undefined;
  eventTimeField: string[] | undefined;
  contracts: (ContractBinding & { refreshIntervalMs: number })[];
  validationMode: 'off' | 'warn' | 'block';
  partialSends: boolean;
  onViolation: ((violations: RecordViolation[]) => void) | undefined;
  propagate: boolean;
  span: boolean;
  transport: 'direct' | 'sidecar' | ProducerTransport;
  sidecar: ResolvedSidecarOptions;
  logger: Logger | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  problems: OptionProblem[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push({ path: `${path}${key}`, message: 'unknown option' });
  }
}

function positiveInt(
  value: unknown,
  path: string,
  fallback: number,
  problems: OptionProblem[],
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push({ path, message: `must be an integer ≥ ${min}` });
    return fallback;
  }
  return value;
}

function optionalString(
  value: unknown,
  path: string,
  problems: OptionProblem[],
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ path, message: 'must be a non-empty string' });
    return undefined;
  }
  return value;
}

/**
 * Validates options and fills defaults. Every problem is collected and thrown at once as
 * `SF_ERR_SDK_INVALID_OPTIONS`, each with its path.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  const problems: OptionProblem[] = [];
  const o: Record<string, unknown> = input === undefined ? {} : isObject(input) ? input : {};
  if (input !== undefined && !isObject(input))
    problems.push({ path: '(options)', message: 'must be an object' });
  checkKeys(
    o,
    [
      'service',
      'eventTimeField',
      'contracts',
      'validation',
      'tracing',
      'transport',
      'sidecar',
      'logger',
      'env',
    ],
    '',
    problems,
  );

  let env: Record<string, string | undefined> = process.env;
  if (o.env !== undefined) {
    if (isObject(o.env)) env = o.env as Record<string, string | undefined>;
    else problems.push({ path: 'env', message: 'must be an object of strings' });
  }

  // service identity: option, else environment variable (both named in the error)
  let serviceName: string | undefined;
  let serviceVersion: string | undefined;
  if (o.service !== undefined && !isObject(o.service)) {
    problems.push({ path: 'service', message: 'must be an object { name?, version? }' });
  } else if (isObject(o.service)) {
    checkKeys(o.service, ['name', 'version'], 'service.', problems);
    serviceName = optionalString(o.service.name, 'service.name', problems);
    serviceVersion = optionalString(o.service.version, 'service.version', problems);
  }
  serviceName ??= env.OTEL_SERVICE_NAME?.trim() || undefined;
  serviceVersion ??= env.npm_package_version?.trim() || undefined;
  if (serviceName === undefined) {
    problems.push({
      path: 'service.name',
      message: 'required: set options.service.name or the OTEL_SERVICE_NAME environment variable',
    });
  }

  let eventTimeField: string[] | undefined;
  const etf = optionalString(o.eventTimeField, 'eventTimeField', problems);
  if (etf !== undefined) {
    eventTimeField = etf.split('.');
    if (eventTimeField.some((s) => s === '')) {
      problems.push({
        path: 'eventTimeField',
        message: 'must be a dotted path like "created_at" or "meta.ts"',
      });
    }
  }

  const contracts: (ContractBinding & { refreshIntervalMs: number })[] = [];
  if (o.contracts !== undefined) {
    if (!Array.isArray(o.contracts))
      problems.push({ path: 'contracts', message: 'must be an array' });
    else
      o.contracts.forEach((c: unknown, i) => {
        const p = `contracts[${i}]`;
        if (!isObject(c)) {
          problems.push({
            path: p,
            message: 'must be an object { file | url | contract, topics? }',
          });
          return;
        }
        checkKeys(
          c,
          ['file', 'url', 'contract', 'topics', 'schemaName', 'refreshIntervalMs'],
          `${p}.`,
          problems,
        );
        const given = (['file', 'url', 'contract'] as const).filter((k) => c[k] !== undefined);
        if (given.length !== 1) {
          problems.push({ path: p, message: 'give exactly one of file, url, contract' });
        }
        optionalString(c.file, `${p}.file`, problems);
        if (c.url !== undefined) {
          try {
            const u = new URL(String(c.url));
            if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
          } catch {
            problems.push({ path: `${p}.url`, message: 'must be an http(s) URL' });
          }
        }
        if (c.contract !== undefined && !isObject(c.contract)) {
          problems.push({ path: `${p}.contract`, message: 'must be an ODCS document object' });
        }
        if (
          c.topics !== undefined &&
          (!Array.isArray(c.topics) ||
            c.topics.length === 0 ||
            c.topics.some((t) => typeof t !== 'string' || t === ''))
        ) {
          problems.push({
            path: `${p}.topics`,
            message: 'must be a non-empty array of topic names',
          });
        }
        optionalString(c.schemaName, `${p}.schemaName`, problems);
        const refreshIntervalMs = positiveInt(
          c.refreshIntervalMs,
          `${p}.refreshIntervalMs`,
          60_000,
          problems,
          0,
        );
        contracts.push({ ...(c as ContractBinding), refreshIntervalMs });
      });
  }

  let validationMode: 'off' | 'warn' | 'block' = contracts.length > 0 ? 'warn' : 'off';
  let partialSends = false;
  let onViolation: ((v: RecordViolation[]) => void) | undefined;
  if (o.validation !== undefined) {
    if (!isObject(o.validation))
      problems.push({ path: 'validation', message: 'must be an object' });
    else {
      const v = o.validation;
      checkKeys(v, ['mode', 'partialSends', 'onViolation'], 'validation.', problems);
      if (v.mode !== undefined) {
        if (v.mode === 'off' || v.mode === 'warn' || v.mode === 'block') validationMode = v.mode;
        else problems.push({ path: 'validation.mode', message: 'must be one of off, warn, block' });
      }
      if (v.partialSends !== undefined) {
        if (typeof v.partialSends === 'boolean') partialSends = v.partialSends;
        else problems.push({ path: 'validation.partialSends', message: 'must be a boolean' });
      }
      if (v.onViolation !== undefined) {
        if (typeof v.onViolation === 'function') onViolation = v.onViolation as typeof onViolation;
        else problems.push({ path: 'validation.onViolation', message: 'must be a function' });
      }
    }
  }
  if (validationMode !== 'off' && contracts.length === 0) {
    problems.push({
      path: 'validation.mode',
      message: `"${validationMode}" needs at least one entry in contracts`,
    });
  }

  let propagate = true;
  let span = false;
  if (o.tracing !== undefined) {
    if (!isObject(o.tracing)) problems.push({ path: 'tracing', message: 'must be an object' });
    else {
      checkKeys(o.tracing, ['propagate', 'span'], 'tracing.', problems);
      for (const k of ['propagate', 'span'] as const) {
        const val = o.tracing[k];
        if (val === undefined) continue;
        if (typeof val !== 'boolean')
          problems.push({ path: `tracing.${k}`, message: 'must be a boolean' });
        else if (k === 'propagate') propagate = val;
        else span = val;
      }
    }
  }

  let transport: ResolvedOptions['transport'] = 'direct';
  if (o.transport !== undefined) {
    if (o.transport === 'direct' || o.transport === 'sidecar') transport = o.transport;
    else if (
      isObject(o.transport) &&
      typeof o.transport.send === 'function' &&
      typeof o.transport.flush === 'function' &&
      typeof o.transport.close === 'function'
    ) {
      transport = o.transport as unknown as ProducerTransport;
    } else {
      problems.push({
        path: 'transport',
        message: 'must be "direct", "sidecar" or a ProducerTransport',
      });
    }
  }

  const s: Record<string, unknown> = isObject(o.sidecar) ? o.sidecar : {};
  if (o.sidecar !== undefined && !isObject(o.sidecar))
    problems.push({ path: 'sidecar', message: 'must be an object' });
  checkKeys(
    s,
    [
      'url',
      'batchSize',
      'lingerMs',
      'maxQueueRecords',
      'enqueueTimeoutMs',
      'requestTimeoutMs',
      'connections',
      'failMode',
      'failureThreshold',
      'resetTimeoutMs',
    ],
    'sidecar.',
    problems,
  );
  let url = (s.url as string | undefined) ?? env.SF_SIDECAR_URL ?? 'http://127.0.0.1:7070';
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error('protocol');
    url = u.origin;
  } catch {
    problems.push({
      path: 'sidecar.url',
      message: `must be an http:// URL (from options.sidecar.url or SF_SIDECAR_URL), got ${JSON.stringify(url)}`,
    });
  }
  const failMode = s.failMode ?? 'open';
  if (failMode !== 'open' && failMode !== 'closed') {
    problems.push({ path: 'sidecar.failMode', message: 'must be "open" or "closed"' });
  }
  const sidecar: ResolvedSidecarOptions = {
    url,
    batchSize: positiveInt(s.batchSize, 'sidecar.batchSize', 100, problems),
    lingerMs: positiveInt(s.lingerMs, 'sidecar.lingerMs', 5, problems, 0),
    maxQueueRecords: positiveInt(s.maxQueueRecords, 'sidecar.maxQueueRecords', 10_000, problems),
    enqueueTimeoutMs: positiveInt(
      s.enqueueTimeoutMs,
      'sidecar.enqueueTimeoutMs',
      30_000,
      problems,
      0,
    ),
    requestTimeoutMs: positiveInt(s.requestTimeoutMs, 'sidecar.requestTimeoutMs', 2_000, problems),
    connections: positiveInt(s.connections, 'sidecar.connections', 8, problems),
    failMode: failMode === 'closed' ? 'closed' : 'open',
    failureThreshold: positiveInt(s.failureThreshold, 'sidecar.failureThreshold', 3, problems),
    resetTimeoutMs: positiveInt(s.resetTimeoutMs, 'sidecar.resetTimeoutMs', 5_000, problems),
  };
  if (sidecar.maxQueueRecords < sidecar.batchSize) {
    problems.push({ path: 'sidecar.maxQueueRecords', message: 'must be ≥ sidecar.batchSize' });
  }

  let logger: Logger | undefined;
  if (o.logger !== undefined) {
    const l = o.logger as Record<string, unknown>;
    if (
      !isObject(l) ||
      !['debug', 'info', 'warn', 'error'].every((k) => typeof l[k] === 'function')
    ) {
      problems.push({
        path: 'logger',
        message: 'must have debug, info, warn and error functions (pino-compatible)',
      });
    } else logger = o.logger as Logger;
  }

  if (problems.length > 0) throw new InvalidOptionsError(problems);
  return {
    serviceName: serviceName as string,
    serviceVersion,
    eventTimeField,
    contracts,
    validationMode,
    partialSends,
    onViolation,
    propagate,
    span,
    transport,
    sidecar,
    logger,
  };
}
