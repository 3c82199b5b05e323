import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { outbox } from '../../drizzle/schema';
import type { OutboxStats } from '../schemas';
import type { OutboxAdmin } from './api-store';

export async function outboxStats(db: Database): Promise<OutboxStats> {
  const [row] = await db
    .select({
      pending: sql<number>`count(*) FILTER (WHERE ${outbox.publishedAt} IS NULL AND ${outbox.deadAt} IS NULL)::int`,
      published: sql<number>`count(*) FILTER (WHERE ${outbox.publishedAt} IS NOT NULL)::int`,
      dead: sql<number>`count(*) FILTER (WHERE ${outbox.deadAt} IS NOT NULL)::int`,
      oldestPendingAgeMs: sql<
        number | null
      >`(extract(epoch FROM now() - min(${outbox.createdAt}) FILTER (WHERE ${outbox.publishedAt} IS NULL AND ${outbox.deadAt} IS NULL)) * 1000)::float8`,
    })
    .from(outbox);
  return row!;
}

export async function retryDeadOutboxRow(db: Database, id: string): ReturnType<OutboxAdmin['retryDeadOutboxRow']> {
  const [revived] = await db
    .update(outbox)
    .set({ deadAt: null, attempts: 0, nextAttemptAt: sql`now()`, lastError: null })
    .where(and(eq(outbox.id, id), isNotNull(outbox.deadAt)))
    .returning({ aggregateId: outbox.aggregateId });
  if (revived) return { revived: true, orderId: revived.aggregateId };
  const [row] = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, id));
  return { revived: false, reason: row ? 'not_dead' : 'not_found' };
}
