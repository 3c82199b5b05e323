import { desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { deadLetterActions, type DeadLetterAction } from '../../drizzle/schema';
import type { Caller } from '../auth/caller';

/** One replay or discard of dead letters, as the audit keeps it. */
export interface DeadLetterActionRecord {
  id: number;
  consumer: string;
  action: DeadLetterAction;
  actor: Caller;
  filter: Record<string, string>;
  messageIds: (string | null)[];
  count: number;
  skipped: number;
  at: string;
}

export type NewDeadLetterAction = Omit<DeadLetterActionRecord, 'id' | 'at'>;

export async function recordDeadLetterAction(db: Database, entry: NewDeadLetterAction): Promise<DeadLetterActionRecord> {
  const [row] = await db.insert(deadLetterActions).values(entry).returning();
  return { ...row!, at: row!.at.toISOString() };
}

/** A consumer's replays and discards, newest first. */
export async function listDeadLetterActions(db: Database, consumer: string, limit: number): Promise<DeadLetterActionRecord[]> {
  const rows = await db
    .select()
    .from(deadLetterActions)
    .where(eq(deadLetterActions.consumer, consumer))
    .orderBy(desc(deadLetterActions.id))
    .limit(limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
