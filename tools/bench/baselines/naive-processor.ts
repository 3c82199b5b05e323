import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Sql } from 'postgres';
import { outboxMessage } from '../../../outbox/confirm-publisher';
import type { OutboxRow } from '../../../outbox/outbox-row';

const POLL_INTERVAL_MS = 5000;
const BATCH_SIZE = 100;

/**
 * Baseline (b): the textbook outbox processor. Every 5 s it reads up to 100 pending rows and
 * publishes them one at a time, waiting for each confirm and marking each row published.
 */
export class NaiveProcessor {
  published = 0;
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;

  private constructor(
    private readonly sql: Sql,
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly exchange: string,
  ) {}

  static async start(sql: Sql, amqpUrl: string, exchange: string): Promise<NaiveProcessor> {
    const connection = await amqp.connect(amqpUrl, { clientProperties: { connection_name: 'bench-naive-processor' } });
    const processor = new NaiveProcessor(sql, connection, await connection.createConfirmChannel(), exchange);
    processor.#loop = processor.run();
    return processor;
  }

  private async run(): Promise<void> {
    while (!this.#stopping.signal.aborted) {
      const rows = await this.sql<OutboxRow[]>`
        SELECT id, seq, aggregate_id AS "aggregateId", name, payload, metadata, attempts
        FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT ${BATCH_SIZE}`;
      for (const row of rows) {
        if (this.#stopping.signal.aborted) return;
        const { body, properties } = outboxMessage(row);
        this.channel.publish(this.exchange, row.name, body, properties);
        await this.channel.waitForConfirms();
        await this.sql`UPDATE outbox SET published_at = now() WHERE id = ${row.id}`;
        this.published += 1;
      }
      await sleep(POLL_INTERVAL_MS, undefined, { signal: this.#stopping.signal }).catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
    await this.connection.close();
  }
}
