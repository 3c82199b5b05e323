import amqp from 'amqplib';
import type { Sql } from 'postgres';
import { outboxMessage } from '../../../outbox/confirm-publisher';
import type { OutboxRow } from '../../../outbox/outbox-row';

/** The outbox's pending rows, read once, as the relay would publish them. */
export function readPendingRows(sql: Sql): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT id, seq, aggregate_id AS "aggregateId", name, payload, metadata, attempts
    FROM outbox WHERE published_at IS NULL ORDER BY seq`;
}

/**
 * Baseline (a): the fastest a Node process can push these messages through RabbitMQ with
 * publisher confirms and no database at all: one confirm channel, up to `window` unconfirmed.
 * Returns the elapsed time from the first publish to the last confirm.
 */
export async function publishRaw(amqpUrl: string, exchange: string, rows: readonly OutboxRow[], window: number): Promise<number> {
  const connection = await amqp.connect(amqpUrl, { clientProperties: { connection_name: 'bench-raw-publisher' } });
  try {
    const channel = await connection.createConfirmChannel();
    const messages = rows.map((row) => ({ routingKey: row.name, ...outboxMessage(row) }));
    const started = performance.now();
    let inFlight = 0;
    let failure: Error | undefined;
    let wakeSender: (() => void) | undefined;
    const settled = () => {
      inFlight -= 1;
      wakeSender?.();
    };
    for (const { routingKey, body, properties } of messages) {
      while (inFlight >= window) await new Promise<void>((resolve) => (wakeSender = resolve));
      if (failure) throw failure;
      inFlight += 1;
      const writable = channel.publish(exchange, routingKey, body, properties, (error) => {
        if (error) failure ??= new Error(`broker refused a message: ${String(error)}`);
        settled();
      });
      if (!writable) await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
    if (failure) throw failure;
    return performance.now() - started;
  } finally {
    await connection.close();
  }
}
