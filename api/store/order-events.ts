import { and, eq, gt, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client';
import { orderEventHistory, outbox } from '../../drizzle/schema';

export interface OrderEvent {
  seq: number;
  messageId: string;
  name: string;
  content: Record<string, unknown>;
  metadata: { correlationId: string; causationId: string; createdUtc: string };
  publishedAt: string | null;
}

/**
 * Where an order's events live, once (docs/outbox-relay.md#event-history): in the outbox until
 * retention moves them, published, to order_event_history, same id and seq. One statement reads
 * both, so an event moving meanwhile is seen exactly once.
 */
export function orderEventRows(db: Database, orderId: string, afterSeq = 0) {
  const fromOutbox = db
    .select({
      seq: outbox.seq,
      id: outbox.id,
      name: outbox.name,
      payload: outbox.payload,
      metadata: outbox.metadata,
      createdAt: outbox.createdAt,
      publishedAt: outbox.publishedAt,
      attempts: outbox.attempts,
      deadAt: outbox.deadAt,
    })
    .from(outbox)
    .where(and(eq(outbox.aggregateId, orderId), gt(outbox.seq, afterSeq)));
  const fromHistory = db
    .select({
      seq: orderEventHistory.seq,
      id: orderEventHistory.id,
      name: orderEventHistory.name,
      payload: orderEventHistory.payload,
      metadata: orderEventHistory.metadata,
      createdAt: orderEventHistory.createdAt,
      publishedAt: sql<Date | null>`${orderEventHistory.publishedAt}`.as('published_at'),
      attempts: orderEventHistory.attempts,
      deadAt: sql<Date | null>`NULL::timestamptz`.as('dead_at'),
    })
    .from(orderEventHistory)
    .where(and(eq(orderEventHistory.aggregateId, orderId), gt(orderEventHistory.seq, afterSeq)));
  return unionAll(fromOutbox, fromHistory).orderBy(sql`seq`);
}

/**
 * The order's integration events in commit order: everything committed so far, whether or not
 * the relay has published it yet, and those retention moved to the order's event history.
 */
export async function readOrderEvents(db: Database, orderId: string, afterSeq = 0): Promise<OrderEvent[]> {
  const rows = await orderEventRows(db, orderId, afterSeq);
  return rows.map((row) => ({
    seq: row.seq,
    messageId: row.id,
    name: row.name,
    content: row.payload,
    metadata: row.metadata,
    publishedAt: timestampOrNull(row.publishedAt),
  }));
}

/** A union's timestamps can come back as strings from the driver; either way, ISO 8601. */
export const timestampOrNull = (value: Date | string | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();

/** The seq of one of the order's events, by its message id (an SSE client's Last-Event-ID); null when there is none. */
export async function findOrderEventSeq(db: Database, orderId: string, messageId: string): Promise<number | null> {
  const [row] = await unionAll(
    db
      .select({ seq: outbox.seq })
      .from(outbox)
      .where(and(eq(outbox.aggregateId, orderId), eq(outbox.id, messageId))),
    db
      .select({ seq: orderEventHistory.seq })
      .from(orderEventHistory)
      .where(and(eq(orderEventHistory.aggregateId, orderId), eq(orderEventHistory.id, messageId))),
  );
  return row?.seq ?? null;
}
