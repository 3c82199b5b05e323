import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { consumerControls } from '../drizzle/schema';
import type { ConsumerState } from './consumer-states';

/** Consumer processes LISTEN here; the payload is the consumer's name. */
export const CONSUMER_CONTROL_CHANNEL = 'consumer_control';

export interface DesiredState {
  state: ConsumerState;
  /** When an operator last changed it; null while it never was (a consumer runs by default). */
  changedAt: Date | null;
}

export async function readDesiredState(db: Database, consumer: string): Promise<DesiredState> {
  const [row] = await db.select().from(consumerControls).where(eq(consumerControls.consumer, consumer));
  return row ? { state: row.state, changedAt: row.changedAt } : { state: 'running', changedAt: null };
}

export async function readDesiredStates(db: Database): Promise<Map<string, DesiredState>> {
  const rows = await db.select().from(consumerControls);
  return new Map(rows.map((row) => [row.consumer, { state: row.state, changedAt: row.changedAt }]));
}

/**
 * Records the desired state and notifies every consumer process in the same transaction: the
 * NOTIFY goes out at commit, and a process that starts later reads the row.
 */
export async function writeDesiredState(db: Database, consumer: string, state: ConsumerState): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(consumerControls)
      .values({ consumer, state })
      .onConflictDoUpdate({ target: consumerControls.consumer, set: { state, changedAt: sql`now()` } });
    await tx.execute(sql`SELECT pg_notify(${CONSUMER_CONTROL_CHANNEL}, ${consumer})`);
  });
}
