import type { Sql } from 'postgres';
import { TERMINAL_STATUSES, type OrderStatus } from '../../domain/order';

interface Waiter {
  resolve: (status: OrderStatus) => void;
}

/**
 * Tells the driver when an order has ended, from the orders table: one query for every order
 * waited on, instead of each saga polling the API.
 */
export class OrderTracker {
  readonly #waiters = new Map<string, Waiter[]>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  lastError: string | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly intervalMs = 300,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Resolves with the order's terminal status once its row shows one. */
  terminal(orderId: string): Promise<OrderStatus> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(orderId) ?? [];
      waiters.push({ resolve });
      this.#waiters.set(orderId, waiters);
    });
  }

  private async poll(): Promise<void> {
    if (this.#polling || this.#waiters.size === 0) return;
    this.#polling = true;
    try {
      const rows = await this.sql<{ id: string; status: OrderStatus }[]>`
        SELECT id, status FROM orders WHERE id = ANY(${[...this.#waiters.keys()]}::uuid[]) AND status = ANY(${[...TERMINAL_STATUSES]}::text[])`;
      for (const { id, status } of rows) {
        for (const waiter of this.#waiters.get(id) ?? []) waiter.resolve(status);
        this.#waiters.delete(id);
      }
      this.lastError = null;
    } catch (error) {
      // The next poll tries again; the error is shown if the run ends while it persists.
      this.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      this.#polling = false;
    }
  }
}
