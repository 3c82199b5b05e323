import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger';
import { backoffMs } from './backoff';
import { claimBatch } from './claim-batch';
import { ConfirmPublisher, type PublishResults } from './confirm-publisher';
import { deletePublishedBefore } from './retention';
import type { OutboxRow } from './outbox-row';

export interface RelaySettings {
  amqpUrl: string;
  exchange: string;
  batchSize: number;
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

  constructor(
    private readonly sql: Sql,
    private readonly settings: RelaySettings,
    private readonly log: Logger,
    private readonly hooks: RelayHooks = {},
  ) {}

  async start(): Promise<void> {
    const listener = await this.sql.listen(NOTIFY_CHANNEL, () => this.wake(), () => this.wake());
    this.#unlisten = listener.unlisten;
    this.#cleanupTimer = setInterval(() => void this.cleanup(), this.settings.cleanupIntervalMs);
    this.#cleanupTimer.unref();
    this.#loop = this.run();
    this.log.info({ relay: this.name, exchange: this.settings.exchange }, 'outbox relay started');
  }

  /** Finishes the batch in hand, then closes its connections. */
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
    let failures = 0;
    while (!this.#stopping) {
      try {
        const publisher = await this.connectedPublisher();
        const relayed = await this.relayBatch(publisher);
        failures = 0;
        if (relayed < this.settings.batchSize) await this.idle();
      } catch (error) {
        failures += 1;
        const delay = backoffMs(failures, RECONNECT_MIN_MS, RECONNECT_MAX_MS);
        this.log.error({ err: error, relay: this.name, retryInMs: delay }, 'outbox relay cycle failed');
        await this.dropPublisher();
        await this.pause(delay);
      }
    }
  }

  private async connectedPublisher(): Promise<ConfirmPublisher> {
    if (this.#publisher && !this.#publisher.broken) return this.#publisher;
    if (this.#publisher) await this.dropPublisher();
    const { amqpUrl, exchange } = this.settings;
    this.#publisher = await ConfirmPublisher.open(amqpUrl, this.name, exchange, this.log);
    this.stats.connections += 1;
    return this.#publisher;
  }

  private async dropPublisher(): Promise<void> {
    const publisher = this.#publisher;
    this.#publisher = undefined;
    await publisher?.close();
  }

  /** Relays one batch; returns how many rows it claimed. */
  private async relayBatch(publisher: ConfirmPublisher): Promise<number> {
    const { batchSize, leaseMs, maxInFlight } = this.settings;
    const rows = await claimBatch(this.sql, batchSize, leaseMs);
    if (rows.length === 0) return 0;
    // A batch that outlives half its lease is cut short, before another relay may take its rows.
    const deadline = setTimeout(() => void publisher.close(), leaseMs / 2);
    let results: PublishResults;
    try {
      results = await publisher.publishAll(rows, maxInFlight);
    } finally {
      clearTimeout(deadline);
    }
    if (results.confirmed.length > 0) await this.hooks.afterConfirm?.(results.confirmed);
    await this.record(rows, results);
    this.stats.batches += 1;
    // What was confirmed is recorded; the rest is due again for the next connection.
    if (results.broken) throw results.broken;
    return rows.length;
  }

  private async record(rows: readonly OutboxRow[], results: PublishResults): Promise<void> {
    if (results.confirmed.length > 0) {
      await this.sql`UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
                     WHERE id = ANY(${results.confirmed}::uuid[])`;
      this.stats.published += results.confirmed.length;
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const { id, error } of results.refused) {
      const attempts = (byId.get(id)?.attempts ?? 0) + 1;
      const dead = attempts >= this.settings.maxAttempts;
      const delay = backoffMs(attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
      await this.sql`UPDATE outbox SET attempts = ${attempts}, last_error = ${error},
                       next_attempt_at = now() + ${delay} * interval '1 millisecond',
                       dead_at = CASE WHEN ${dead} THEN now() END
                     WHERE id = ${id}`;
      const row = byId.get(id);
      const fields = { relay: this.name, messageId: id, orderId: row?.aggregateId, correlationId: row?.metadata.correlationId, attempts, error };
      if (dead) this.log.error(fields, 'outbox row is dead after its last attempt');
      else this.log.warn({ ...fields, retryInMs: delay }, 'broker refused an outbox row');
    }
    this.stats.refused += results.refused.length;
    // Neither confirmed nor refused (held behind a refusal, or cut off by a broken channel):
    // give the lease back so they go out with the next batch instead of after the lease.
    const settled = new Set([...results.confirmed, ...results.refused.map((r) => r.id)]);
    const unsettled = rows.filter((row) => !settled.has(row.id)).map((row) => row.id);
    if (unsettled.length > 0) {
      await this.sql`UPDATE outbox SET next_attempt_at = now() WHERE id = ANY(${unsettled}::uuid[]) AND published_at IS NULL`;
    }
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

  /** Sleeps until woken by NOTIFY, by stop(), or for `ms` (the poll interval by default). */
  private idle(ms = this.settings.pollIntervalMs): Promise<void> {
    if (this.#pendingWake || this.#stopping) {
      this.#pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let stopWaitingOnBreak: (() => void) | undefined;
      const done = () => {
        this.#wake = undefined;
        clearTimeout(timer);
        stopWaitingOnBreak?.();
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopWaitingOnBreak = this.#publisher?.onBroken(done);
      this.#wake = () => {
        this.#pendingWake = false;
        done();
      };
    });
  }
}
