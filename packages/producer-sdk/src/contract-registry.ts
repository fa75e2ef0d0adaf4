import { compileContract, loadContract, loadContractFile } from '@signal-factory/contracts';
import { request } from 'undici';
import type { Logger } from './logger';
import type { ContractBinding } from './options';
import type { ContractStatus } from './types';

/** The part of a compiled contract the SDK uses. */
export interface ContractValidator {
  id: string;
  version: string;
  validate(record: unknown): { valid: boolean; reasonCodes: readonly string[] };
}

interface Entry {
  binding: ContractBinding & { refreshIntervalMs: number };
  status: ContractStatus;
  validator: ContractValidator | undefined;
  /** The raw text last compiled, so an unchanged refresh does not recompile. */
  lastText: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

const REGISTRY_TIMEOUT_MS = 5_000;

function describe(b: ContractBinding): string {
  if (b.file !== undefined) return `file:${b.file}`;
  if (b.url !== undefined) return `url:${b.url}`;
  return 'object';
}

function errorInfo(error: unknown): { code: string; message: string } {
  const code =
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : 'SF_ERR_SDK_CONTRACT_UNAVAILABLE';
  return { code, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Loads contracts from files, objects or a registry URL, compiles each once (ajv compile is
 * ~4 ms: never on the hot path), and refreshes file/url contracts on a timer. A failed load
 * keeps the last good validator and records why.
 */
export class ContractRegistry {
  readonly #entries: Entry[];
  readonly #logger: Logger;
  readonly #byTopic = new Map<string, Entry | null>();
  readonly ready: Promise<void>;
  #closed = false;

  constructor(
    bindings: readonly (ContractBinding & { refreshIntervalMs: number })[],
    logger: Logger,
  ) {
    this.#logger = logger;
    this.#entries = bindings.map((binding) => ({
      binding,
      status: { source: describe(binding), state: 'loading' },
      validator: undefined,
      lastText: undefined,
      timer: undefined,
    }));
    this.ready = Promise.all(this.#entries.map((e) => this.#load(e))).then(() => {
      for (const e of this.#entries) this.#schedule(e);
    });
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The binding that applies to a topic: the first whose `topics` include it (or has none). */
  entryFor(
    topic: string,
  ): { validator: ContractValidator | undefined; status: ContractStatus } | undefined {
    let e = this.#byTopic.get(topic);
    if (e === undefined) {
      e =
        this.#entries.find(
          (x) => x.binding.topics === undefined || x.binding.topics.includes(topic),
        ) ?? null;
      this.#byTopic.set(topic, e);
    }
    return e === null ? undefined : e;
  }

  statuses(): ContractStatus[] {
    return this.#entries.map((e) => ({ ...e.status }));
  }

  /** Reloads every contract now (also what the timer does). */
  async refresh(): Promise<void> {
    await Promise.all(this.#entries.map((e) => this.#load(e)));
  }

  close(): void {
    this.#closed = true;
    for (const e of this.#entries) clearTimeout(e.timer);
  }

  #schedule(e: Entry): void {
    if (this.#closed || e.binding.contract !== undefined || e.binding.refreshIntervalMs === 0)
      return;
    e.timer = setTimeout(() => {
      void this.#load(e).finally(() => this.#schedule(e));
    }, e.binding.refreshIntervalMs);
    e.timer.unref();
  }

  async #load(e: Entry): Promise<void> {
    const b = e.binding;
    try {
      let doc: object;
      let text: string | undefined;
      if (b.file !== undefined) {
        doc = await loadContractFile(b.file);
        text = JSON.stringify(doc);
      } else if (b.url !== undefined) {
        text = await fetchText(b.url);
        if (text === e.lastText && e.validator) {
          e.status = { ...e.status, state: 'ready', loadedAt: Date.now() };
          return;
        }
        doc = loadContract(text);
      } else {
        doc = loadContract(b.contract as object);
      }
      if (text !== undefined && text === e.lastText && e.validator) {
        e.status = { ...e.status, state: 'ready', loadedAt: Date.now() };
        return;
      }
      const compiled = compileContract(doc as Parameters<typeof compileContract>[0], {
        ...(b.schemaName === undefined ? {} : { schemaName: b.schemaName }),
      });
      e.validator = compiled;
      e.lastText = text;
      e.status = {
        source: e.status.source,
        state: 'ready',
        id: compiled.id,
        version: compiled.version,
        loadedAt: Date.now(),
      };
      this.#logger.debug(
        { contract: compiled.id, version: compiled.version },
        'producer-sdk: contract loaded',
      );
    } catch (error) {
      const info = errorInfo(error);
      e.status = {
        ...e.status,
        // a refresh failure keeps serving the last good version
        state: e.validator ? 'ready' : 'failed',
        error: info,
      };
      this.#logger.warn(
        { source: e.status.source, code: info.code, err: info.message },
        e.validator
          ? 'producer-sdk: contract refresh failed; keeping the last good version'
          : 'producer-sdk: contract failed to load; records on its topics are not validated',
      );
    }
  }
}

async function fetchText(url: string): Promise<string> {
  const res = await request(url, {
    method: 'GET',
    headers: { accept: 'application/yaml, application/json;q=0.9, */*;q=0.1' },
    headersTimeout: REGISTRY_TIMEOUT_MS,
    bodyTimeout: REGISTRY_TIMEOUT_MS,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    throw Object.assign(new Error(`contract registry answered ${res.statusCode} for ${url}`), {
      code: 'SF_ERR_SDK_CONTRACT_UNAVAILABLE',
    });
  }
  return text;
}
