import { and, count, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { deadLetterActions, type DeadLetterAction } from '../../drizzle/schema';
import type { DeadLetterActionStatus } from './dead-letter-action-status';
import type { Caller } from '../auth/caller';

/** One replay or discard of dead letters, as the audit keeps it. */
export interface DeadLetterActionRecord {
  id: number;
  consumer: string;
  action: DeadLetterAction;
  actor: Caller;
  filter: Record<string, string>;
  /** running until the sweep ends; a row left running means its API process died during the sweep. */
  status: DeadLetterActionStatus;
  /** Why it failed; null unless failed. */
  error: string | null;
  /** The dead letters acted on: on a failed action, those acted on before it failed. */
  messageIds: (string | null)[];
  count: number;
  skipped: number;
  /** When it started. */
  at: string;
  finishedAt: string | null;
}

/** Who starts which action: recorded before the first dead letter is taken. */
export type NewDeadLetterAction = Pick<DeadLetterActionRecord, 'consumer' | 'action' | 'actor' | 'filter'>;

/** How an action ended, with what it did by then. */
export type DeadLetterActionOutcome = Pick<DeadLetterActionRecord, 'messageIds' | 'count' | 'skipped'> &
  ({ status: 'done' } | { status: 'failed'; error: string });

type Row = typeof deadLetterActions.$inferSelect;
const recordOf = (row: Row): DeadLetterActionRecord => ({
  ...row,
  at: row.at.toISOString(),
  finishedAt: row.finishedAt?.toISOString() ?? null,
});

export async function startDeadLetterAction(db: Database, entry: NewDeadLetterAction): Promise<DeadLetterActionRecord> {
  const [row] = await db
    .insert(deadLetterActions)
    .values({ ...entry, status: 'running', finishedAt: null, messageIds: [], count: 0, skipped: 0 })
    .returning();
  return recordOf(row!);
}

/** Finishes a running action, once: a finished one is never rewritten (a trigger refuses it too, migration 0012). */
export async function finishDeadLetterAction(db: Database, id: number, outcome: DeadLetterActionOutcome): Promise<DeadLetterActionRecord> {
  const [row] = await db
    .update(deadLetterActions)
    .set({ error: null, ...outcome, finishedAt: sql`now()` })
    .where(and(eq(deadLetterActions.id, id), eq(deadLetterActions.status, 'running')))
    .returning();
  if (!row) throw new Error(`dead-letter action ${id} is not running: it cannot be finished again`);
  return recordOf(row);
}

/** A consumer's replays and discards, newest first. */
export async function listDeadLetterActions(db: Database, consumer: string, limit: number): Promise<DeadLetterActionRecord[]> {
  const rows = await db
    .select()
    .from(deadLetterActions)
    .where(eq(deadLetterActions.consumer, consumer))
    .orderBy(desc(deadLetterActions.id))
    .limit(limit);
  return rows.map(recordOf);
}

/**
 * Actions still running that started more than `seconds` ago (DLQ_ACTION_UNFINISHED_AFTER_SECONDS),
 * on the database's clock as `at` is: their API process died during the sweep, or could not record its end.
 */
export async function countUnfinishedDeadLetterActions(db: Database, seconds: number): Promise<number> {
  const [row] = await db
    .select({ unfinished: count() })
    .from(deadLetterActions)
    .where(and(eq(deadLetterActions.status, 'running'), lt(deadLetterActions.at, sql`now() - make_interval(secs => ${seconds})`)));
  return row!.unfinished;
}
