import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger';
import { backoffMs } from './backoff';
import { claimBatch } from './claim-batch';
import { ConfirmPublisher, type PublishResults } from './confirm-publisher';
import { markPublished, recordUnpublished } from './record-results';
import { deletePublishedBefore } from './retention';
import type { OutboxRow } from './outbox-row';

export interface RelaySettings {
  amqpUrl: string;
  exchange: string;
  batchSize: number;
  /**
   * Claimed batches one relay holds at once. They send one after another, so while one sends,
   * the one before waits for its last confirms and is marked published, and the next is claimed:
   * the broker need not wait for the database. 1 makes the relay strictly sequential.
   */
  batchesInFlight: number;
  /** Unconfirmed messages on the channel, over every batch in hand. */
  maxInFlight: number;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retentionMs: number;
  cleanupIntervalMs: number;
  /** How long a claimed row stays invisible to other relays; a crashed relay's rows come back after it. */
  leaseMs: number;
}

export interface RelayHooks {
  /**
   * Runs after the broker confirmed a batch and before the rows are marked published. Tests
   * use it to crash the relay in exactly that window.
   */
  afterConfirm?: (confirmedIds: readonly string[]) => void | Promise<void>;
}

export interface RelayStats {
  published: number;
  refused: number;
  batches: number;
  /** Broker connections opened, the first one included. */
  connections: number;
}

/** Wakes on NOTIFY from the outbox trigger; the poll interval is the fallback. */
const NOTIFY_CHANNEL = 'outbox_inserted';
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Moves committed outbox rows to RabbitMQ: lease a batch, publish on a confirm channel, mark
 * the rows published only after the broker confirmed them. A crash anywhere in between leaves
 * the rows unpublished, so they go out again once the lease ends: a duplicate, never a loss.
 * Up to `batchesInFlight` batches are in hand at once (see RelaySettings); a lease covers an
 * order's rows until they are marked, so no two of them hold rows of the same order.
 */
export class OutboxRelay {
  readonly name = `relay-${randomUUID().slice(0, 8)}`;
  readonly stats: RelayStats = { published: 0, refused: 0, batches: 0, connections: 0 };
  #publisher: ConfirmPublisher | undefined;
  #stopping = false;
  readonly #stopped = new AbortController();
  #wake: (() => void) | undefined;
  #pendingWake = false;
  #loop: Promise<void> | undefined;
  #cleanupTimer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  /** Failed cycles in a row: the reconnect back-off grows with them. */
  #failures = 0;

  constructor(
    private readonly sql: Sql,
    private readonly settings: RelaySettings,
    private readonly log: Logger,
    private readonly hooks: RelayHooks = {},
  ) {}

  async start(): Promise<void> {
    const listener = await this.sql.listen(
      NOTIFY_CHANNEL,
      () => this.wake(),
      () => this.wake(),
    );
    this.#unlisten = () => listener.unlisten();
    this.#cleanupTimer = setInterval(() => void this.cleanup(), this.settings.cleanupIntervalMs);
    this.#cleanupTimer.unref();
    this.#loop = this.run();
    this.log.info({ relay: this.name, exchange: this.settings.exchange }, 'outbox relay started');
  }

  /** Finishes the batches in hand, then closes its connections. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.abort();
    clearInterval(this.#cleanupTimer);
    this.wake();
    await this.#loop;
    await this.#unlisten?.().catch((error: unknown) => this.log.warn({ err: error }, 'unlisten failed'));
    await this.#publisher?.close();
    this.#publisher = undefined;
    this.log.info({ relay: this.name, ...this.stats }, 'outbox relay stopped');
  }

  wake(): void {
    this.#pendingWake = true;
    this.#wake?.();
  }

  private async run(): Promise<void> {
    while (!this.#stopping) {
      try {
        const publisher = await this.connectedPublisher();
        await this.pump(publisher);
      } catch (error) {
        this.#failures += 1;
        const delay = backoffMs(this.#failures, RECONNECT_MIN_MS, RECONNECT_MAX_MS);
        this.log.error({ err: error, relay: this.name, retryInMs: delay }, 'outbox relay cycle failed');
        await this.dropPublisher();
        await this.pause(delay);
      }
    }
  }

  /**
   * Claims batch after batch, one claim at a time, and hands each to the publisher without
   * waiting for it, while fewer than `batchesInFlight` are in hand. Returns once the relay
   * stops or the connection broke, and every batch in hand is finished; throws the first
   * failure (of a claim, or of a batch).
   */
  private async pump(publisher: ConfirmPublisher): Promise<void> {
    const { batchSize, batchesInFlight, leaseMs } = this.settings;
    const inHand = new Set<Promise<void>>();
    const failed: { error?: unknown } = {};
    try {
      while (!this.#stopping && !('error' in failed) && !publisher.broken) {
        if (inHand.size >= batchesInFlight) {
          await Promise.race(inHand);
          continue;
        }
        // Claim the next batch while the one before sends, not earlier: claimed rows then wait
        // at most one batch's sending for their turn, a small part of their lease.
        await publisher.allSending();
        const rows = await claimBatch(this.sql, batchSize, leaseMs);
        if (rows.length === 0) this.#failures = 0;
        else {
          const batch: Promise<void> = this.relayBatch(publisher, rows)
            .then(
              () => void (this.#failures = 0),
              (error: unknown) => {
                if (!('error' in failed)) failed.error = error;
              },
            )
            .finally(() => inHand.delete(batch));
          inHand.add(batch);
        }
        // Less than a full batch was due: wait for more. A batch finishing may free its
        // orders' next rows, which its lease held back.
        if (rows.length < batchSize) await this.idle([...inHand]);
      }
    } finally {
      await Promise.all(inHand);
    }
    if ('error' in failed) throw failed.error;
  }

  private async connectedPublisher(): Promise<ConfirmPublisher> {
    if (this.#publisher && !this.#publisher.broken) return this.#publisher;
    if (this.#publisher) await this.dropPublisher();
    const { amqpUrl, exchange, maxInFlight } = this.settings;
    this.#publisher = await ConfirmPublisher.open(amqpUrl, this.name, exchange, this.log, maxInFlight);
    this.stats.connections += 1;
    return this.#publisher;
  }

  private async dropPublisher(): Promise<void> {
    const publisher = this.#publisher;
    this.#publisher = undefined;
    await publisher?.close();
  }

  /** Publishes a claimed batch and records the outcome; throws when the channel broke meanwhile. */
  private async relayBatch(publisher: ConfirmPublisher, rows: readonly OutboxRow[]): Promise<void> {
    // A batch that outlives half its lease (counted from its claim, so waiting for its turn to
    // send counts too) is cut short, before another relay may take its rows.
    const deadline = setTimeout(() => void publisher.close(), this.settings.leaseMs / 2);
    let results: PublishResults;
    try {
      results = await publisher.publishAll(rows);
    } finally {
      clearTimeout(deadline);
    }
    if (results.confirmed.length > 0) await this.hooks.afterConfirm?.(results.confirmed);
    await markPublished(this.sql, results.confirmed);
    this.stats.published += results.confirmed.length;
    await recordUnpublished(this.sql, rows, results, this.settings, this.log.child({ relay: this.name }));
    this.stats.refused += results.refused.length;
    this.stats.batches += 1;
    // What was confirmed is recorded; the rest is due again for the next connection.
    if (results.broken) throw results.broken;
  }

  private async cleanup(): Promise<void> {
    try {
      const deleted = await deletePublishedBefore(this.sql, this.settings.retentionMs);
      if (deleted > 0) this.log.info({ relay: this.name, deleted }, 'deleted published outbox rows past retention');
    } catch (error) {
      this.log.error({ err: error, relay: this.name }, 'outbox retention cleanup failed');
    }
  }

  /** Waits out a failure; only stop() cuts it short, so a flood of NOTIFYs cannot turn it into a busy loop. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#stopped.signal }).catch(() => {});
  }

  /**
   * Sleeps until woken by NOTIFY, by stop(), by a broken connection, by one of `batches`
   * finishing, or for the poll interval.
   */
  private idle(batches: readonly Promise<void>[] = []): Promise<void> {
    if (this.#pendingWake || this.#stopping) {
      this.#pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let waiting = true;
      // `let`, not `const`: onBroken may call `done` (which reads this) before it returns.
      // eslint-disable-next-line prefer-const
      let stopWaitingOnBreak: (() => void) | undefined;
      const done = () => {
        if (!waiting) return;
        waiting = false;
        if (this.#wake === wake) this.#wake = undefined;
        clearTimeout(timer);
        stopWaitingOnBreak?.();
        resolve();
      };
      const wake = () => {
        this.#pendingWake = false;
        done();
      };
      const timer = setTimeout(done, this.settings.pollIntervalMs);
      this.#wake = wake;
      for (const batch of batches) void batch.then(done);
      // Last: it calls `done` at once when the connection is already broken.
      stopWaitingOnBreak = this.#publisher?.onBroken(done);
      if (!waiting) stopWaitingOnBreak?.();
    });
  }
}
