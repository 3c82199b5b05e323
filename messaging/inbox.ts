import type { Database, Transaction } from '../db/client';
import { inbox } from '../drizzle/schema';

export type InboxOutcome = 'handled' | 'duplicate';

/**
 * Runs `effect` at most once per (consumer, messageId): the inbox row and the effect commit in
 * one transaction. The row is written first, so a concurrent duplicate waits on its key and
 * then finds it taken; if the effect fails, the row rolls back with it.
 */
export function handleOnce(db: Database, consumer: string, messageId: string, effect: (tx: Transaction) => Promise<void>): Promise<InboxOutcome> {
  return db.transaction(async (tx) => {
    const claimed = await tx.insert(inbox).values({ consumer, messageId }).onConflictDoNothing().returning({ messageId: inbox.messageId });
    if (claimed.length === 0) return 'duplicate';
    await effect(tx);
    return 'handled';
  });
}
