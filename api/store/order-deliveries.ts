import { asc, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { inbox } from '../../drizzle/schema';
import { orderEventRows, timestampOrNull } from './order-events';

/** Where one of an order's events went: committed, published, and handled by which consumers. */
export interface EventDelivery {
  messageId: string;
  name: string;
  /** When the step that emitted it committed (its outbox row). */
  committedAt: string;
  /** When the broker confirmed it; null while pending (or dead). */
  publishedAt: string | null;
  /** Publish attempts the relay made. */
  attempts: number;
  /** When the relay gave up on it (revive it with the admin API); null unless dead. */
  deadAt: string | null;
  /** Each consumer's receipt (its inbox row), in the order they handled it. */
  handledBy: { consumer: string; handledAt: string }[];
}

/**
 * The order's events in commit order (outbox and event history, as readOrderEvents) with each
 * consumer's receipt from the inbox. Receipts past INBOX_RETENTION_MS are pruned, so an old
 * event's list may be empty.
 */
export async function readOrderDeliveries(db: Database, orderId: string): Promise<EventDelivery[]> {
  const events = await orderEventRows(db, orderId);
  if (events.length === 0) return [];
  const receipts = await db
    .select()
    .from(inbox)
    .where(
      inArray(
        inbox.messageId,
        events.map((event) => event.id),
      ),
    )
    .orderBy(asc(inbox.processedAt));
  return events.map((event) => ({
    messageId: event.id,
    name: event.name,
    committedAt: timestampOrNull(event.createdAt)!,
    publishedAt: timestampOrNull(event.publishedAt),
    attempts: event.attempts,
    deadAt: timestampOrNull(event.deadAt),
    handledBy: receipts
      .filter((receipt) => receipt.messageId === event.id)
      .map((receipt) => ({ consumer: receipt.consumer, handledAt: receipt.processedAt.toISOString() })),
  }));
}
