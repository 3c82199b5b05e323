import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client';
import { postgresErrorIn } from '../db/postgres-errors';
import { inbox } from '../drizzle/schema';

export type InboxOutcome = 'handled' | 'duplicate';

export interface HandleOnceOptions {
  /**
   * Caps every statement of the transaction (SET LOCAL statement_timeout). It matters most for
   * the claim: while an earlier, timed-out delivery of the same message still holds its
   * uncommitted row, a retry waits on that key this long at most instead of for ever.
   */
  statementTimeoutMs?: number;
}

/** A retry found the inbox row held by an earlier delivery of the same message that has not finished. */
export class InboxRowBusyError extends Error {
  override readonly name = 'InboxRowBusyError';
  constructor(messageId: string, waitedMs: number, cause: unknown) {
    // The cause keeps Postgres's own error in the chain: the transaction is then known to be
    // healthy and is rolled back rather than its connection replaced.
    super(`an earlier delivery of message ${messageId} is still being handled (it holds the inbox row; waited ${waitedMs} ms)`, { cause });
  }
}

/**
 * Runs `effect` at most once per (consumer, messageId): the inbox row and the effect commit in
 * one transaction. The row is written first, so a concurrent duplicate waits on its key and
 * then finds it taken; if the effect fails, the row rolls back with it.
 */
export function handleOnce(
  db: Database,
  consumer: string,
  messageId: string,
  effect: (tx: Transaction) => Promise<void>,
  { statementTimeoutMs }: HandleOnceOptions = {},
): Promise<InboxOutcome> {
  return db.transaction(async (tx) => {
    if (statementTimeoutMs !== undefined)
      await tx.execute(sql`SELECT set_config('statement_timeout', ${String(statementTimeoutMs)}, true)`);
    let claimed: { messageId: string }[];
    try {
      claimed = await tx.insert(inbox).values({ consumer, messageId }).onConflictDoNothing().returning({ messageId: inbox.messageId });
    } catch (error) {
      // 57014 query_canceled: here, the statement timeout fired while the claim waited on the key.
      if (statementTimeoutMs !== undefined && postgresErrorIn(error)?.code === '57014')
        throw new InboxRowBusyError(messageId, statementTimeoutMs, error);
      throw error;
    }
    if (claimed.length === 0) return 'duplicate';
    await effect(tx);
    return 'handled';
  });
}
