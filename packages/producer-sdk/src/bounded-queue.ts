import { sdkError, SDK_ERROR_CODES } from './errors';

interface Waiter<T> {
  items: readonly T[];
  need: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * An in-memory FIFO that bounds the records accepted but not yet acknowledged (queued plus in
 * flight). `push` waits for room (back-pressure) and fails with `SF_ERR_SDK_QUEUE_FULL` after
 * `waitTimeoutMs`. Admission is FIFO, so a large request is not starved by small ones.
 */
export class BoundedQueue<T> {
  readonly #capacity: number;
  readonly #waitTimeoutMs: number;
  #items: T[] = [];
  #head = 0;
  #pending = 0;
  readonly #waiters: Waiter<T>[] = [];
  #onItems: (() => void) | undefined;

  constructor(capacity: number, waitTimeoutMs: number) {
    this.#capacity = capacity;
    this.#waitTimeoutMs = waitTimeoutMs;
  }

  /** Items waiting to be taken. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Items accepted and not yet released (queued plus in flight). */
  get pending(): number {
    return this.#pending;
  }

  /** Records waiting for room. */
  get waiting(): number {
    return this.#waiters.reduce((n, w) => n + w.items.length, 0);
  }

  /** Registers the consumer's wake-up call, invoked whenever items are added. */
  onItems(fn: () => void): void {
    this.#onItems = fn;
  }

  push(items: readonly T[]): Promise<void> {
    // a single call larger than the capacity is admitted alone, when the queue is empty
    const need = Math.min(items.length, this.#capacity);
    if (this.#waiters.length === 0 && this.#pending + need <= this.#capacity) {
      this.#admit(items);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<T> = { items, need, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        reject(
          sdkError(
            SDK_ERROR_CODES.queueFull,
            `the sidecar queue stayed full for ${this.#waitTimeoutMs} ms`,
            {
              retriable: true,
              details: { capacity: this.#capacity, pending: this.#pending },
            },
          ),
        );
        this.#wake();
      }, this.#waitTimeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Removes up to `max` items from the head; they stay counted until `release`. */
  take(max: number): T[] {
    const end = Math.min(this.#items.length, this.#head + max);
    const out = this.#items.slice(this.#head, end);
    this.#head = end;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  /** Frees the room of `count` items that were acknowledged or failed. */
  release(count: number): void {
    this.#pending = Math.max(0, this.#pending - count);
    this.#wake();
  }

  /** Rejects every waiter (on close). */
  rejectWaiters(error: unknown): void {
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  #admit(items: readonly T[]): void {
    this.#pending += items.length;
    for (const it of items) this.#items.push(it);
    this.#onItems?.();
  }

  #wake(): void {
    while (this.#waiters.length > 0) {
      const w = this.#waiters[0]!;
      if (this.#pending + w.need > this.#capacity) return;
      this.#waiters.shift();
      clearTimeout(w.timer);
      // room is reserved synchronously, so no later push can overtake this waiter
      this.#admit(w.items);
      w.resolve();
    }
  }
}
