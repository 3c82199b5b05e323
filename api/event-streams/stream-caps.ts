import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';

export interface StreamCapSettings {
  perCustomer: number;
  total: number;
  /** Retry-After of a refusal, in seconds. */
  retryAfterSeconds: number;
}

export interface StreamCounts {
  open: number;
  /** The callers holding the most streams, most first. */
  topCustomers: { customer: string; open: number }[];
  refused: { perCustomer: number; total: number; stopping: number };
}

/** Whose cap a stream counts against: a customer's id, or an admin's subject (prefixed, so it never equals a customer id). */
export const capKeyOf = (caller: Caller): string => (caller.kind === 'customer' ? caller.customerId : `admin:${caller.subject}`);

/**
 * Open streams of this API process, per caller and in total. `open` takes a slot or refuses with
 * the ApiError to answer: 429 for a caller over their cap, 503 for a full process (another
 * instance may have room) or one that is stopping.
 */
export class StreamCaps {
  readonly #open = new Map<string, number>();
  #total = 0;
  readonly #refused = { perCustomer: 0, total: 0, stopping: 0 };
  #drained: (() => void)[] = [];

  constructor(readonly settings: StreamCapSettings) {}

  /** Takes a slot for `key`; the answer gives it back (once, however often it is called). */
  open(key: string, stopping = false): () => void {
    const retry = { 'Retry-After': String(this.settings.retryAfterSeconds) };
    if (stopping) {
      this.#refused.stopping += 1;
      throw new ApiError(503, 'shutting_down', 'this API instance is stopping; reconnect to open the stream elsewhere', [], retry);
    }
    const mine = this.#open.get(key) ?? 0;
    if (mine >= this.settings.perCustomer) {
      this.#refused.perCustomer += 1;
      throw new ApiError(
        429,
        'too_many_streams',
        `you have ${mine} event streams open, the most one caller may (EVENT_STREAMS_PER_CUSTOMER); close one first`,
        [],
        retry,
      );
    }
    if (this.#total >= this.settings.total) {
      this.#refused.total += 1;
      throw new ApiError(
        503,
        'streams_full',
        'this API instance holds as many event streams as it may (EVENT_STREAMS_MAX); retry later',
        [],
        retry,
      );
    }
    this.#open.set(key, mine + 1);
    this.#total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total -= 1;
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left > 0) this.#open.set(key, left);
      else this.#open.delete(key);
      if (this.#total === 0) for (const resolve of this.#drained.splice(0)) resolve();
    };
  }

  /** Settles once no stream is open, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.#total === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  counts(top: number): StreamCounts {
    const topCustomers = [...this.#open.entries()]
      .map(([customer, open]) => ({ customer, open }))
      .sort((a, b) => b.open - a.open || a.customer.localeCompare(b.customer))
      .slice(0, top);
    return { open: this.#total, topCustomers, refused: { ...this.#refused } };
  }
}
