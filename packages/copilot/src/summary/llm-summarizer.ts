import { createHash } from 'node:crypto';
import {
  Anthropic,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { LLM_FALLBACK_REASONS, type LlmFallbackReason } from '../errors';
import type { Logger } from '../logger';
import type { RcaReport } from '../types';
import type { MessagesClient, ResolvedLlmOptions } from './llm-options';
import { RateLimiter } from './rate-limiter';
import { validateLlmText } from './validate-llm-text';

export type LlmOutcome =
  | { ok: true; text: string; refs: string[]; model: string; cached: boolean }
  | { ok: false; reason: LlmFallbackReason; detail: string };

export const SYSTEM_PROMPT = [
  'You are the Signal Factory incident copilot. You write the summary an on-call engineer reads first.',
  'You are given one RCA report as JSON. Use only facts stated in it: do not add causes, times, versions,',
  'commits, datasets, numbers or actions that are not in the report, and do not speculate.',
  'Write at most four short sentences: the root cause, when it started (first bad / last good),',
  'who is hurt (blast radius) and the first suggested action, and state the confidence level.',
  'If root_cause.kind is "unexplained", say plainly that the cause is unknown.',
  'Cite the evidence behind every sentence with its ref from the report\'s "evidence" list in square',
  'brackets, e.g. [E1] or [E2, E3]. Use square brackets for nothing else. Answer with the summary only.',
].join(' ');

/** What the model sees: the report without its own summary, capped in size. */
export function promptPayload(report: RcaReport): string {
  const { summary: _summary, ...rest } = report;
  const trimmed = {
    ...rest,
    blast_radius: { ...rest.blast_radius, entries: rest.blast_radius.entries.slice(0, 20) },
    signals: rest.signals.slice(0, 20),
    evidence: rest.evidence.slice(0, 200),
  };
  const text = JSON.stringify(trimmed);
  return text.length <= 60_000 ? text : text.slice(0, 60_000);
}

/** A stable key of the report's content (generation time and summary excluded). */
export function reportFingerprint(report: RcaReport, model: string): string {
  const { summary: _summary, generated_at: _at, ...rest } = report;
  return createHash('sha256').update(model).update('\n').update(JSON.stringify(rest)).digest('hex');
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (
    headers !== null &&
    typeof headers === 'object' &&
    typeof (headers as Headers).get === 'function'
  ) {
    return (headers as Headers).get(name) ?? undefined;
  }
  return undefined;
}

function retryAfterMs(error: APIError): number | undefined {
  const ms = Number(headerValue(error.headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headerValue(error.headers, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : date - Date.now();
}

/**
 * Words a report with the Messages API, and refuses any answer that is empty, cites evidence that
 * is not in the report or mentions facts the report lacks. Rate-limited, cached, time-bounded;
 * never throws: failures come back as `{ ok: false, reason }` for the caller to fall back.
 */
export class LlmSummarizer {
  readonly #options: ResolvedLlmOptions;
  readonly #client: MessagesClient;
  readonly #limiter: RateLimiter;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #cache = new Map<
    string,
    { text: string; refs: string[]; model: string; expiresAt: number }
  >();
  readonly #inflight = new Map<string, Promise<LlmOutcome>>();

  constructor(options: ResolvedLlmOptions, now: () => number, logger: Logger) {
    this.#options = options;
    this.#now = now;
    this.#logger = logger;
    this.#limiter = new RateLimiter(options.requestsPerMinute, now);
    this.#client =
      options.client ??
      new Anthropic({
        apiKey: options.apiKey,
        ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
        timeout: options.timeoutMs,
        maxRetries: options.maxRetries,
        logLevel: 'off',
        openTelemetry: false,
      }).messages;
  }

  get model(): string {
    return this.#options.model;
  }

  async summarize(report: RcaReport): Promise<LlmOutcome> {
    const key = reportFingerprint(report, this.#options.model);
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.expiresAt > this.#now()) {
      return { ok: true, text: hit.text, refs: hit.refs, model: hit.model, cached: true };
    }
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const task = this.#call(report, key).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, task);
    return task;
  }

  async #call(report: RcaReport, key: string): Promise<LlmOutcome> {
    if (!this.#limiter.tryTake()) {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.RATE_LIMITED,
        detail: `over ${this.#options.requestsPerMinute} requests per minute (or the API asked to wait)`,
      };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.timeoutMs);
    timer.unref?.();
    let outcome: LlmOutcome;
    try {
      const response = await this.#client.create(
        {
          model: this.#options.model,
          max_tokens: this.#options.maxTokens,
          temperature: 0,
          system: SYSTEM_PROMPT,
          messages: [{ role: 'user', content: promptPayload(report) }],
        },
        { signal: controller.signal },
      );
      outcome = this.#judge(response, report);
    } catch (error) {
      outcome = this.#failure(error, controller.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    if (outcome.ok) {
      if (this.#options.cacheTtlMs > 0) {
        if (this.#cache.size >= this.#options.cacheMaxEntries) {
          const oldest = this.#cache.keys().next().value;
          if (oldest !== undefined) this.#cache.delete(oldest);
        }
        this.#cache.set(key, {
          text: outcome.text,
          refs: outcome.refs,
          model: outcome.model,
          expiresAt: this.#now() + this.#options.cacheTtlMs,
        });
      }
    } else {
      this.#logger.warn(
        { incidentId: report.incident_id, reason: outcome.reason, detail: outcome.detail },
        'LLM summary not used; template summary returned',
      );
    }
    return outcome;
  }

  #judge(response: Awaited<ReturnType<MessagesClient['create']>>, report: RcaReport): LlmOutcome {
    if (response === null || typeof response !== 'object' || !Array.isArray(response.content)) {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.MALFORMED,
        detail: 'the answer has no content array',
      };
    }
    if (response.stop_reason === 'max_tokens') {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.MALFORMED,
        detail: 'the answer was cut off at max_tokens',
      };
    }
    if (response.stop_reason === 'refusal') {
      return { ok: false, reason: LLM_FALLBACK_REASONS.MALFORMED, detail: 'the model refused' };
    }
    const text = response.content
      .filter(
        (b) =>
          b !== null && typeof b === 'object' && b.type === 'text' && typeof b.text === 'string',
      )
      .map((b) => b.text as string)
      .join('\n');
    const check = validateLlmText(text, report);
    if (!check.ok) return check;
    return {
      ok: true,
      text: check.text,
      refs: check.refs,
      model:
        typeof response.model === 'string' && response.model !== ''
          ? response.model
          : this.#options.model,
      cached: false,
    };
  }

  #failure(error: unknown, aborted: boolean): LlmOutcome {
    if (
      aborted ||
      error instanceof APIUserAbortError ||
      error instanceof APIConnectionTimeoutError
    ) {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.TIMEOUT,
        detail: `no answer within ${this.#options.timeoutMs} ms`,
      };
    }
    if (error instanceof APIError && error.status !== undefined) {
      const body = error.error as { error?: { type?: unknown } } | undefined;
      const type =
        typeof body?.error?.type === 'string' ? body.error.type : (error.type ?? 'unknown');
      if (error.status === 429) {
        const wait = retryAfterMs(error);
        if (wait !== undefined) this.#limiter.blockFor(wait);
        return {
          ok: false,
          reason: LLM_FALLBACK_REASONS.API_RATE_LIMITED,
          detail: `HTTP 429 ${type}${wait !== undefined ? `, retry after ${Math.round(wait)} ms` : ''}`,
        };
      }
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.API_ERROR,
        detail: `HTTP ${error.status} ${type}${error.requestID ? ` (request ${error.requestID})` : ''}`,
      };
    }
    if (error instanceof APIConnectionError) {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.CONNECTION_ERROR,
        detail: error.message.slice(0, 200),
      };
    }
    if (error instanceof SyntaxError) {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.MALFORMED,
        detail: `the answer is not JSON: ${error.message.slice(0, 120)}`,
      };
    }
    return {
      ok: false,
      reason: LLM_FALLBACK_REASONS.UNKNOWN,
      detail:
        error instanceof Error
          ? `${error.name}: ${error.message.slice(0, 200)}`
          : String(error).slice(0, 200),
    };
  }
}
