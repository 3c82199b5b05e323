import { and, asc, eq, gt } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { outbox } from '../../drizzle/schema';

export interface OrderEvent {
  seq: number;
  messageId: string;
  name: string;
  content: Record<string, unknown>;
  metadata: { correlationId: string; causationId: string; createdUtc: string };
  publishedAt: string | null;
}

/**
 * The order's integration events in commit order, from the outbox: everything committed so
 * far, whether or not the relay has published it yet. Published rows past the relay's
 * retention are gone from here.
 */
export async function readOrderEvents(db: Database, orderId: string, afterSeq = 0): Promise<OrderEvent[]> {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.aggregateId, orderId), gt(outbox.seq, afterSeq)))
    .orderBy(asc(outbox.seq));
  return rows.map((row) => ({
    seq: row.seq,
    messageId: row.id,
    name: row.name,
    content: row.payload,
    metadata: row.metadata,
    publishedAt: row.publishedAt?.toISOString() ?? null,
  }));
}

/** The seq of one of the order's events, by its message id (an SSE client's Last-Event-ID); null when there is none. */
export async function findOrderEventSeq(db: Database, orderId: string, messageId: string): Promise<number | null> {
  const [row] = await db
    .select({ seq: outbox.seq })
    .from(outbox)
    .where(and(eq(outbox.aggregateId, orderId), eq(outbox.id, messageId)));
  return row?.seq ?? null;
}
