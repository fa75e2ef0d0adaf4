import type { EvidenceBus } from '../ports/evidence-bus';
import type { GraphStore } from '../ports/graph-store';
import type { StateStore } from '../ports/state-store';
import {
  checkFunction,
  checkInteger,
  optionsObject,
  throwOnProblems,
  type OptionProblem,
} from '../memory/options-problems';

export interface RetryOptions {
  /** Retries after the first attempt (so at most `retries + 1` calls). Default 3. */
  retries?: number;
  /** Backoff base in milliseconds: attempt n waits up to `baseMs * 2^(n-1)`. Default 100. */
  baseMs?: number;
  /** Upper bound of one wait in milliseconds. Default 5,000. */
  maxMs?: number;
  /** Random source in [0, 1) for full jitter. Default `Math.random`. */
  random?: () => number;
  /** Waits `ms` milliseconds. Default `setTimeout`-based; replace in tests. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called before each retry with the error and the 1-based retry number. Errors it throws are
   * ignored so a hook cannot break the call.
   */
  onRetry?: (info: { method: string; attempt: number; delayMs: number; error: unknown }) => void;
}

type Retryable = EvidenceBus | StateStore | GraphStore;

const RETRIED: Record<'bus' | 'state' | 'graph', readonly string[]> = {
  bus: ['ensureTopic', 'publish', 'subscribe'],
  state: ['get', 'put', 'query', 'delete'],
  graph: [
    'upsertVertex',
    'upsertEdge',
    'getVertex',
    'findVertices',
    'edges',
    'traverse',
    'dropVertex',
  ],
};
const PASSED_THROUGH: Record<'bus' | 'state' | 'graph', readonly string[]> = {
  bus: ['flush', 'close'],
  state: ['close'],
  graph: ['close'],
};

function kindOf(target: unknown): 'bus' | 'state' | 'graph' | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const has = (names: readonly string[]) =>
    names.every((n) => typeof (target as Record<string, unknown>)[n] === 'function');
  for (const kind of ['bus', 'state', 'graph'] as const) {
    if (has(RETRIED[kind]) && has(PASSED_THROUGH[kind])) return kind;
  }
  return undefined;
}

/** True when an error says retrying may succeed (`retriable: true`, as on `SignalFactoryError`). */
export function isRetriable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { retriable?: unknown }).retriable === true
  );
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps an `EvidenceBus`, `StateStore` or `GraphStore` so that every call failing with an error
 * marked `retriable: true` is retried with exponential backoff and full jitter
 * (wait = random × min(maxMs, baseMs × 2^(attempt−1))). Other errors, such as
 * `SF_ERR_STATE_CONDITION_FAILED`, are thrown at once. `close()` and `flush()` are not retried.
 * The result implements the port interface only (not extra methods of the wrapped class), so
 * wrappers compose.
 *
 * Note: a retried `publish` may write a batch twice when the first attempt reached the backend
 * before failing; consumers are at-least-once anyway.
 */
export function withRetry(target: EvidenceBus, options?: RetryOptions): EvidenceBus;
export function withRetry(target: StateStore, options?: RetryOptions): StateStore;
export function withRetry(target: GraphStore, options?: RetryOptions): GraphStore;
export function withRetry(target: Retryable, options?: RetryOptions): Retryable {
  const problems: OptionProblem[] = [];
  const kind = kindOf(target);
  if (kind === undefined) {
    problems.push({ path: 'target', message: 'must be an EvidenceBus, StateStore or GraphStore' });
  }
  const raw = optionsObject(problems, options);
  checkInteger(problems, 'retries', raw.retries, 0);
  checkInteger(problems, 'baseMs', raw.baseMs, 0);
  checkInteger(problems, 'maxMs', raw.maxMs, 0);
  checkFunction(problems, 'random', raw.random);
  checkFunction(problems, 'sleep', raw.sleep);
  checkFunction(problems, 'onRetry', raw.onRetry);
  throwOnProblems('withRetry', problems);

  const opts = raw as RetryOptions;
  const retries = opts.retries ?? 3;
  const baseMs = opts.baseMs ?? 100;
  const maxMs = opts.maxMs ?? 5_000;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? defaultSleep;
  const source = target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await source[method]!(...args);
      } catch (error) {
        if (attempt > retries || !isRetriable(error)) throw error;
        const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
        const delayMs = Math.floor(random() * ceiling);
        try {
          opts.onRetry?.({ method, attempt, delayMs, error });
        } catch {
          // A hook must not break the call.
        }
        await sleep(delayMs);
      }
    }
  };

  const wrapper: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of RETRIED[kind!]) wrapper[method] = (...args) => call(method, args);
  for (const method of PASSED_THROUGH[kind!])
    wrapper[method] = (...args) => source[method]!(...args);
  return wrapper as unknown as Retryable;
}
