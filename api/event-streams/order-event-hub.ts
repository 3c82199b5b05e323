import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logging/logger';

/** The channel the outbox trigger (migration 0007) notifies, with the order id as payload, once per order an insert touched. */
export const ORDER_EVENTS_CHANNEL = 'order_events';

/** What the hub needs of Postgres: postgres.js's `sql` is one. */
export interface NotificationSource {
  listen(channel: string, onNotify: (payload: string) => void, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
  notify(channel: string, payload: string): PromiseLike<unknown>;
}

export type WaitOutcome = 'changed' | 'timeout' | 'closed';

/** One open stream's view of its order's notifications. */
export interface OrderEventSubscription {
  /**
   * 'changed' once events of the order may have committed since the previous wait (at once when
   * that already happened), 'timeout' after `ms`, 'closed' once the subscription or the hub closed.
   */
  wait(ms: number): Promise<WaitOutcome>;
  /** True when the hub closed it (the API is stopping), rather than its stream. */
  readonly closedByHub: boolean;
  /** Settles when the subscription closes: a stream races its writes against it, so a client that stopped reading cannot hold a stop. */
  readonly ended: Promise<'closed'>;
  close(): void;
}

export interface HubStats {
  listening: boolean;
  /** Times the LISTEN connection came back after it was lost: each made every stream re-read. */
  relistens: number;
  notifications: number;
}

export interface OrderEventHub {
  subscribe(orderId: string): OrderEventSubscription;
  readonly closed: boolean;
  stats(): HubStats;
  /** Stops listening and closes every subscription, so open streams end. */
  close(): Promise<void>;
}

export interface HubOptions {
  /** How often the hub sends itself a notification to prove its LISTEN connection works. */
  probeEveryMs: number;
  log: Logger;
}

class Subscription implements OrderEventSubscription {
  #changed = false;
  #closed = false;
  closedByHub = false;
  #wake: ((outcome: WaitOutcome) => void) | undefined;
  #end: () => void = () => {};
  readonly ended = new Promise<'closed'>((resolve) => {
    this.#end = () => resolve('closed');
  });

  constructor(private readonly onClose: (subscription: Subscription) => void) {}

  notify(): void {
    this.#changed = true;
    this.#wake?.('changed');
  }

  wait(ms: number): Promise<WaitOutcome> {
    if (this.#closed) return Promise.resolve('closed');
    if (this.#changed) {
      this.#changed = false;
      return Promise.resolve('changed');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish('timeout'), ms);
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        this.#wake = undefined;
        if (outcome === 'changed') this.#changed = false;
        resolve(outcome);
      };
      this.#wake = finish;
    });
  }

  close(byHub = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closedByHub = byHub;
    this.onClose(this);
    this.#wake?.('closed');
    this.#end();
  }
}

/**
 * One LISTEN per API process, fanned out to the open streams of each order: a stream reads the
 * outbox only when its order was notified, never on a timer. postgres.js listens again by itself
 * when the connection drops, but gives up silently when that fails; so the hub also notifies
 * itself every `probeEveryMs` and listens anew when its probe did not come back. Each time
 * listening (re)starts, every stream re-reads after its last event: nothing committed while the
 * connection was down is lost.
 */
export function startOrderEventHub(source: NotificationSource, options: HubOptions): OrderEventHub {
  const { log } = options;
  const byOrder = new Map<string, Set<Subscription>>();
  const probeToken = `probe:${randomUUID()}`;
  const stats: HubStats = { listening: false, relistens: 0, notifications: 0 };
  let closed = false;
  let listener: { unlisten(): Promise<void> } | undefined;
  let generation = 0;
  let listenedOnce = false;
  let probeOutstanding = false;

  const everyone = () => [...byOrder.values()].flatMap((subscriptions) => [...subscriptions]);

  const listen = async () => {
    const mine = ++generation;
    // A listener of an earlier generation (postgres.js may restore it on its own) is ignored.
    listener = await source.listen(
      ORDER_EVENTS_CHANNEL,
      (payload) => {
        if (mine !== generation) return;
        if (payload === probeToken) {
          probeOutstanding = false;
          return;
        }
        stats.notifications += 1;
        for (const subscription of byOrder.get(payload) ?? []) subscription.notify();
      },
      () => {
        if (mine !== generation) return;
        stats.listening = true;
        probeOutstanding = false;
        if (listenedOnce) {
          stats.relistens += 1;
          log.info({ streams: everyone().length }, 'order event hub listens again: every open stream re-reads');
        }
        listenedOnce = true;
        // Streams opened before this LISTEN took effect (or while it was lost) may have missed a notification.
        for (const subscription of everyone()) subscription.notify();
      },
    );
  };

  const relisten = async () => {
    stats.listening = false;
    await listener?.unlisten().catch(() => {});
    try {
      await listen();
    } catch (error) {
      log.warn({ err: error }, 'order event hub cannot listen; retrying at its next probe');
    }
  };

  const probe = async () => {
    if (closed) return;
    if (probeOutstanding) {
      log.warn('order event hub: its probe notification did not come back; listening anew');
      await relisten();
    }
    probeOutstanding = true;
    try {
      await source.notify(ORDER_EVENTS_CHANNEL, probeToken);
    } catch (error) {
      log.warn({ err: error }, 'order event hub cannot send its probe');
    }
  };

  // Not awaited: an API started while Postgres is away still serves, and its probe listens once Postgres is back.
  void relisten();
  const probeTimer = setInterval(() => void probe(), options.probeEveryMs);
  probeTimer.unref();

  return {
    get closed() {
      return closed;
    },
    subscribe(orderId) {
      const subscription = new Subscription((gone) => {
        const subscriptions = byOrder.get(orderId);
        subscriptions?.delete(gone);
        if (subscriptions?.size === 0) byOrder.delete(orderId);
      });
      if (closed) subscription.close(true);
      else byOrder.set(orderId, (byOrder.get(orderId) ?? new Set()).add(subscription));
      return subscription;
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(probeTimer);
      for (const subscription of everyone()) subscription.close(true);
      generation += 1;
      stats.listening = false;
      await listener?.unlisten().catch((error: unknown) => log.warn({ err: error }, 'order event hub: unlisten failed'));
    },
  };
}
