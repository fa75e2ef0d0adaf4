import { Pool } from 'undici';
import type { Logger, SignalFactoryError } from '@signal-factory/core';
import { safeLogger } from '@signal-factory/core';
import { ALERT_ERROR_CODES, alertError, type OptionProblem } from './errors';
import type { Alert, AlertSendResult, AlertSink } from './types';

export interface WebhookAlertSinkOptions {
  /** Name used by the routing table. Required. */
  name: string;
  /** `http://` or `https://` URL the alert is POSTed to. Required. */
  url: string;
  /** Extra request headers (e.g. an auth token). `content-type: application/json` is always set. */
  headers?: Record<string, string>;
  /** Time allowed for one attempt (connect, headers and body), in ms. Default 10,000. */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx, 429, timeouts and network errors. Default 3. */
  maxRetries?: number;
  /** Ceiling of the first backoff delay in ms (full jitter, doubled per retry). Default 200. */
  retryBaseMs?: number;
  /** Largest backoff delay ceiling in ms. Default 10,000. */
  retryMaxMs?: number;
  /**
   * Longest `Retry-After` honoured, in ms. A longer one ends the retries at once with
   * `SF_ERR_ALERT_UNAVAILABLE` (`details.retryAfterMs`) rather than retrying early. Default 60,000.
   */
  maxRetryAfterMs?: number;
  /**
   * Maps an alert to the JSON body. Default: the alert itself (`toWebhookPayload`). This is the seam
   * for receivers with their own format (PagerDuty Events v2, Slack, Jira).
   */
  format?: (alert: Alert) => unknown;
  /** Connections to the receiver. Default 4. */
  connections?: number;
  /** Waits between attempts (tests inject a recorder). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Random number in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

/** The default webhook body: the alert document unchanged. */
export function toWebhookPayload(alert: Alert): Alert {
  return alert;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

function problemsOf(options: WebhookAlertSinkOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (typeof options !== 'object' || options === null) {
    return [{ path: '', message: 'options must be an object' }];
  }
  if (typeof options.name !== 'string' || options.name === '') {
    problems.push({ path: 'name', message: 'must be a non-empty string' });
  }
  let url: URL | undefined;
  try {
    url = new URL(options.url);
  } catch {
    problems.push({ path: 'url', message: 'must be an absolute http(s) URL' });
  }
  if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({ path: 'url', message: 'must use http: or https:' });
  }
  const ints: [keyof WebhookAlertSinkOptions, number][] = [
    ['timeoutMs', 1],
    ['maxRetries', 0],
    ['retryBaseMs', 0],
    ['retryMaxMs', 0],
    ['maxRetryAfterMs', 0],
    ['connections', 1],
  ];
  for (const [key, min] of ints) {
    const value = options[key];
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    ) {
      problems.push({ path: key, message: `must be an integer ≥ ${min}` });
    }
  }
  if (options.headers !== undefined) {
    if (typeof options.headers !== 'object' || options.headers === null) {
      problems.push({ path: 'headers', message: 'must be an object of strings' });
    } else {
      for (const [k, v] of Object.entries(options.headers)) {
        if (typeof v !== 'string')
          problems.push({ path: `headers.${k}`, message: 'must be a string' });
      }
    }
  }
  for (const key of ['format', 'sleep', 'random'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      problems.push({ path: key, message: 'must be a function' });
    }
  }
  return problems;
}

/** Parses `Retry-After` (delta-seconds or an HTTP-date) into ms from `now`; undefined when absent or bad. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number,
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

type Attempt =
  { ok: true; status: number } | { ok: false; error: SignalFactoryError; retryAfterMs?: number };

/**
 * POSTs each alert as JSON to one URL with undici: a per-attempt timeout, retries with exponential
 * backoff and full jitter on 5xx, 429, timeouts and network errors, honouring `Retry-After`.
 * 4xx answers are not retried. `send` resolves with a typed result and never rejects.
 */
export class WebhookAlertSink implements AlertSink {
  readonly name: string;
  readonly #url: URL;
  readonly #pool: Pool;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #format: (alert: Alert) => unknown;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: Logger;
  #closed = false;

  constructor(options: WebhookAlertSinkOptions) {
    const problems = problemsOf(options);
    if (problems.length > 0) {
      throw alertError(
        ALERT_ERROR_CODES.OPTIONS_INVALID,
        `Invalid webhook sink options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        { details: { problems } },
      );
    }
    this.name = options.name;
    this.#url = new URL(options.url);
    this.#pool = new Pool(this.#url.origin, { connections: options.connections ?? 4 });
    this.#headers = { ...options.headers, 'content-type': 'application/json' };
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#format = options.format ?? toWebhookPayload;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#logger = safeLogger(options.logger);
  }

  async send(alert: Alert): Promise<AlertSendResult> {
    if (this.#closed) {
      return {
        ok: false,
        sink: this.name,
        attempts: 0,
        error: alertError(ALERT_ERROR_CODES.CLOSED, `Webhook sink ${this.name} is closed`),
      };
    }
    let body: string;
    try {
      body = JSON.stringify(this.#format(alert));
      if (typeof body !== 'string') throw new TypeError('format returned undefined');
    } catch (cause) {
      return {
        ok: false,
        sink: this.name,
        attempts: 0,
        error: alertError(ALERT_ERROR_CODES.PAYLOAD_INVALID, 'The payload mapping failed', {
          cause,
        }),
      };
    }
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const outcome = await this.#attempt(body);
      if (outcome.ok) return { ok: true, sink: this.name, status: outcome.status, attempts };
      const { error } = outcome;
      const retriesLeft = attempts <= this.#maxRetries && error.retriable && !this.#closed;
      if (!retriesLeft) {
        this.#logger.warn({ sink: this.name, code: error.code, attempts }, 'alert not delivered');
        return { ok: false, sink: this.name, error: withAttempts(error, attempts), attempts };
      }
      let delay = this.#backoff(attempts);
      if (outcome.retryAfterMs !== undefined) {
        if (outcome.retryAfterMs > this.#maxRetryAfterMs) {
          return {
            ok: false,
            sink: this.name,
            attempts,
            error: withAttempts(error, attempts, { retryAfterMs: outcome.retryAfterMs }),
          };
        }
        delay = outcome.retryAfterMs;
      }
      this.#logger.debug({ sink: this.name, code: error.code, attempts, delay }, 'alert retry');
      await this.#sleep(delay);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** (attempt - 1));
    return Math.floor(this.#random() * ceiling);
  }

  async #attempt(body: string): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      const response = await this.#pool.request({
        path: `${this.#url.pathname}${this.#url.search}`,
        method: 'POST',
        headers: this.#headers,
        body,
        signal: controller.signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const text = await response.body.text();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status };
      const details = { status, body: text.slice(0, 512) };
      if (status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after'], Date.now());
        return {
          ok: false,
          error: alertError(
            ALERT_ERROR_CODES.UNAVAILABLE,
            `Webhook ${this.name} answered ${status}`,
            { retriable: true, details },
          ),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      }
      return {
        ok: false,
        error: alertError(ALERT_ERROR_CODES.REJECTED, `Webhook ${this.name} answered ${status}`, {
          retriable: false,
          details,
        }),
      };
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      const timedOut =
        controller.signal.aborted ||
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT';
      return {
        ok: false,
        error: timedOut
          ? alertError(
              ALERT_ERROR_CODES.TIMEOUT,
              `Webhook ${this.name} did not answer within ${this.#timeoutMs} ms`,
              { cause, retriable: true, details: { timeoutMs: this.#timeoutMs } },
            )
          : alertError(ALERT_ERROR_CODES.NETWORK, `Webhook ${this.name} could not be reached`, {
              cause,
              retriable: true,
              details: { errorCode: typeof code === 'string' ? code : undefined },
            }),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function withAttempts(
  error: SignalFactoryError,
  attempts: number,
  extra: Record<string, unknown> = {},
): SignalFactoryError {
  const details = { ...error.details, attempts, ...extra };
  return alertError(error.code as never, error.message, {
    cause: error.cause,
    retriable: error.retriable,
    details,
  });
}
