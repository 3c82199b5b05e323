import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger';
import { BrokerSession } from '../messaging/broker-session';
import { superviseBrokerSession } from '../messaging/supervise-broker-session';
import { assertEventsTopology, checkEventsTopology } from '../messaging/topology';
import { countRelay, relayBatchDuration } from '../telemetry/metrics-outbox';
import { countPruned } from '../telemetry/metrics-retention';
import { applyRetention, type RetentionHorizons } from '../db/retention';
import { claimBatch } from './claim-batch';
import { ConfirmPublisher, type PublishResults } from './confirm-publisher';
import { markPublished, recordUnpublished } from './record-results';
import type { OutboxRow } from './outbox-row';

export interface RelaySettings {
  amqpUrl: string;
  exchange: string;
  /**
   * False: the relay only checks that the events exchange exists (its owner declared it), so its
   * broker user needs no configure permission. Default true.
   */
  declareTopology?: boolean;
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
  /**
   * How long each table keeps its rows (db/retention.ts): published outbox rows move to the order's
   * event history, inbox rows and idempotency keys are deleted. Applied every `cleanupIntervalMs`,
   * off the publishing path.
   */
  retention: RetentionHorizons;
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
  #stopping = false;
  readonly #stopped = new AbortController();
  #wake: (() => void) | undefined;
  #pendingWake = false;
  #loop: Promise<void> | undefined;
  #cleanupTimer: NodeJS.Timeout | undefined;
  #cleaning = false;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly settings: RelaySettings,
    private readonly log: Logger,
    private readonly hooks: RelayHooks = {},
  ) {
    countRelay(this.stats);
  }

  async start(): Promise<void> {
    const listener = await this.sql.listen(
      NOTIFY_CHANNEL,
      () => this.wake(),
      () => this.wake(),
    );
    this.#unlisten = () => listener.unlisten();
    this.#cleanupTimer = setInterval(() => void this.cleanup(), this.settings.cleanupIntervalMs);
    this.#cleanupTimer.unref();
    this.#loop = superviseBrokerSession({
      open: () => this.openSession(),
      work: (session, recovered) => this.pump(session, recovered),
      stopped: this.#stopped.signal,
      log: this.log.child({ relay: this.name }),
    });
    this.log.info({ relay: this.name, exchange: this.settings.exchange }, 'outbox relay started');
  }

  /** Finishes the batches in hand, then closes its broker session. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.abort();
    clearInterval(this.#cleanupTimer);
    this.wake();
    await this.#loop;
    await this.#unlisten?.().catch((error: unknown) => this.log.warn({ err: error }, 'unlisten failed'));
    this.log.info({ relay: this.name, ...this.stats }, 'outbox relay stopped');
  }

  wake(): void {
    this.#pendingWake = true;
    this.#wake?.();
  }

  private async openSession(): Promise<BrokerSession> {
    const { amqpUrl, exchange } = this.settings;
    const session = await BrokerSession.open(amqpUrl, this.name, this.log, {
      prepare: (channel) => (this.settings.declareTopology === false ? checkEventsTopology : assertEventsTopology)(channel, exchange),
    });
    this.stats.connections += 1;
    return session;
  }

  /**
   * Claims batch after batch, one claim at a time, and hands each to the publisher without
   * waiting for it, while fewer than `batchesInFlight` are in hand. Returns once the relay
   * stops or the session broke, and every batch in hand is finished; throws the first
   * failure (of a claim, or of a batch). An empty claim or a batch done is `recovered`.
   */
  private async pump(session: BrokerSession, recovered: () => void): Promise<void> {
    const { batchSize, batchesInFlight, leaseMs, exchange, maxInFlight } = this.settings;
    const publisher = new ConfirmPublisher(session, exchange, maxInFlight);
    const inHand = new Set<Promise<void>>();
    const failed: { error?: unknown } = {};
    try {
      while (!this.#stopping && !('error' in failed) && !session.broken) {
        if (inHand.size >= batchesInFlight) {
          await Promise.race(inHand);
          continue;
        }
        // Claim the next batch while the one before sends, not earlier: claimed rows then wait
        // at most one batch's sending for their turn, a small part of their lease.
        await publisher.allSending();
        const claimedAt = performance.now();
        const rows = await claimBatch(this.sql, batchSize, leaseMs);
        if (rows.length === 0) recovered();
        else {
          const batch: Promise<void> = this.relayBatch(session, publisher, rows, claimedAt)
            .then(
              () => recovered(),
              (error: unknown) => {
                if (!('error' in failed)) failed.error = error;
              },
            )
            .finally(() => inHand.delete(batch));
          inHand.add(batch);
        }
        // Less than a full batch was due: wait for more. A batch finishing may free its
        // orders' next rows, which its lease held back.
        if (rows.length < batchSize) await this.idle(session, [...inHand]);
      }
    } finally {
      await Promise.all(inHand);
    }
    if ('error' in failed) throw failed.error;
  }

  /** Publishes a claimed batch and records the outcome; throws when the session broke meanwhile. */
  private async relayBatch(
    session: BrokerSession,
    publisher: ConfirmPublisher,
    rows: readonly OutboxRow[],
    claimedAt: number,
  ): Promise<void> {
    // A batch that outlives half its lease (counted from its claim, so waiting for its turn to
    // send counts too) is cut short, before another relay may take its rows.
    const deadline = setTimeout(() => void session.close(), this.settings.leaseMs / 2);
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
    relayBatchDuration.observe((performance.now() - claimedAt) / 1000);
    // What was confirmed is recorded; the rest is due again for the next connection.
    if (results.broken) throw results.broken;
  }

  private async cleanup(): Promise<void> {
    // A pass that outlasts the interval is not doubled (SKIP LOCKED would keep two apart, but to no gain).
    if (this.#cleaning) return;
    this.#cleaning = true;
    try {
      await this.retentionPass();
    } finally {
      this.#cleaning = false;
    }
  }

  private async retentionPass(): Promise<void> {
    const { pruned, failed } = await applyRetention(this.sql, this.settings.retention);
    for (const [table, rows] of Object.entries(pruned) as [keyof typeof pruned, number][]) countPruned(table, rows);
    if (Object.values(pruned).some((rows) => rows > 0)) this.log.info({ relay: this.name, pruned }, 'rows past retention let go');
    for (const [table, error] of Object.entries(failed)) this.log.error({ err: error, relay: this.name, table }, 'retention failed');
  }

  /**
   * Sleeps until woken by NOTIFY, by stop(), by the session breaking, by one of `batches`
   * finishing, or for the poll interval.
   */
  private idle(session: BrokerSession, batches: readonly Promise<void>[]): Promise<void> {
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
      // Last: it calls `done` at once when the session is already broken.
      stopWaitingOnBreak = session.onBroken(done);
      if (!waiting) stopWaitingOnBreak?.();
    });
  }
}
