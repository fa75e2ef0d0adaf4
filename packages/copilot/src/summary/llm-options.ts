import type { Problem } from '../errors';

/** The one call the summarizer makes; `@anthropic-ai/sdk`'s `client.messages` fits it. */
export interface MessagesClient {
  create(
    body: {
      model: string;
      max_tokens: number;
      system: string;
      temperature?: number;
      messages: { role: 'user' | 'assistant'; content: string }[];
    },
    options?: { signal?: AbortSignal; timeout?: number; maxRetries?: number },
  ): PromiseLike<{
    content: { type: string; text?: string }[];
    stop_reason?: string | null;
    model?: string;
  }>;
}

/** LLM summary settings. Given with an `apiKey`, the copilot asks the Messages API to word the summary. */
export interface LlmOptions {
  /** Anthropic API key. Required (see `llmOptionsFromEnv` for the environment variables). */
  apiKey: string;
  /** Base URL of the Messages API, e.g. a gateway. Default: the SDK's (`https://api.anthropic.com`). */
  baseURL?: string;
  /** Model id. Default `claude-sonnet-4-5`. */
  model?: string;
  /** Most output tokens. Default 400. */
  maxTokens?: number;
  /** Whole-call deadline including the SDK's retries, ms. Default 10,000. */
  timeoutMs?: number;
  /** Retries the SDK makes on 429/5xx/connection errors (it honours `retry-after`). Default 1. */
  maxRetries?: number;
  /** Calls allowed per minute (token bucket); over it the template is used. Default 100. */
  requestsPerMinute?: number;
  /** How long a summary is reused for an unchanged report, ms. Default 3,600,000 (1 h). */
  cacheTtlMs?: number;
  /** Most cached summaries. Default 1,000. */
  cacheMaxEntries?: number;
  /** A ready client (tests, custom transports); when given, `apiKey` and `baseURL` are not used. */
  client?: MessagesClient;
}

export interface ResolvedLlmOptions {
  apiKey: string;
  baseURL: string | undefined;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  maxRetries: number;
  requestsPerMinute: number;
  cacheTtlMs: number;
  cacheMaxEntries: number;
  client: MessagesClient | undefined;
}

export const DEFAULT_LLM_MODEL = 'claude-sonnet-4-5';

function positiveInt(
  problems: Problem[],
  path: string,
  value: unknown,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push({ path, message: `must be an integer >= ${min}` });
    return fallback;
  }
  return value;
}

/** Validates LLM options, pushing every problem with its path. */
export function resolveLlmOptions(
  raw: unknown,
  problems: Problem[],
  path = 'llm',
): ResolvedLlmOptions | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (typeof raw !== 'object' || raw === null) {
    problems.push({ path, message: 'must be an object or false' });
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  const client = o.client as MessagesClient | undefined;
  if (client !== undefined && (typeof client !== 'object' || typeof client.create !== 'function')) {
    problems.push({ path: `${path}.client`, message: 'must have a create() method' });
  }
  if (client === undefined && (typeof o.apiKey !== 'string' || o.apiKey.trim() === '')) {
    problems.push({
      path: `${path}.apiKey`,
      message: 'must be a non-empty string (or set SF_COPILOT_LLM_API_KEY / ANTHROPIC_API_KEY)',
    });
  }
  if (o.baseURL !== undefined) {
    let ok = typeof o.baseURL === 'string';
    if (ok) {
      try {
        const url = new URL(o.baseURL as string);
        ok = url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        ok = false;
      }
    }
    if (!ok) problems.push({ path: `${path}.baseURL`, message: 'must be an http(s) URL' });
  }
  if (o.model !== undefined && (typeof o.model !== 'string' || o.model === '')) {
    problems.push({ path: `${path}.model`, message: 'must be a non-empty string' });
  }
  return {
    apiKey: typeof o.apiKey === 'string' ? o.apiKey : '',
    baseURL: typeof o.baseURL === 'string' ? o.baseURL : undefined,
    model: typeof o.model === 'string' && o.model !== '' ? o.model : DEFAULT_LLM_MODEL,
    maxTokens: positiveInt(problems, `${path}.maxTokens`, o.maxTokens, 400),
    timeoutMs: positiveInt(problems, `${path}.timeoutMs`, o.timeoutMs, 10_000),
    maxRetries: positiveInt(problems, `${path}.maxRetries`, o.maxRetries, 1, 0),
    requestsPerMinute: positiveInt(problems, `${path}.requestsPerMinute`, o.requestsPerMinute, 100),
    cacheTtlMs: positiveInt(problems, `${path}.cacheTtlMs`, o.cacheTtlMs, 3_600_000, 0),
    cacheMaxEntries: positiveInt(problems, `${path}.cacheMaxEntries`, o.cacheMaxEntries, 1_000),
    client,
  };
}

/**
 * LLM options from environment variables, or `false` when no key is set:
 * `SF_COPILOT_LLM_API_KEY` (else `ANTHROPIC_API_KEY`), `SF_COPILOT_LLM_BASE_URL` (else
 * `ANTHROPIC_BASE_URL`), `SF_COPILOT_LLM_MODEL`, `SF_COPILOT_LLM_TIMEOUT_MS`.
 */
export function llmOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): LlmOptions | false {
  const apiKey = env.SF_COPILOT_LLM_API_KEY ?? env.ANTHROPIC_API_KEY;
  if (apiKey === undefined || apiKey.trim() === '') return false;
  const options: LlmOptions = { apiKey };
  const baseURL = env.SF_COPILOT_LLM_BASE_URL ?? env.ANTHROPIC_BASE_URL;
  if (baseURL !== undefined && baseURL !== '') options.baseURL = baseURL;
  if (env.SF_COPILOT_LLM_MODEL !== undefined && env.SF_COPILOT_LLM_MODEL !== '')
    options.model = env.SF_COPILOT_LLM_MODEL;
  const timeout = Number(env.SF_COPILOT_LLM_TIMEOUT_MS);
  if (env.SF_COPILOT_LLM_TIMEOUT_MS !== undefined && Number.isInteger(timeout) && timeout > 0)
    options.timeoutMs = timeout;
  return options;
}
