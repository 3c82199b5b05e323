import { startDeadLetterAction, type DeadLetterActionRecord } from '../../api/store/dead-letter-actions';
import type { DbHandle } from '../../db/client';

/**
 * A replay of `consumer`'s dead letters recorded as the API records it before its sweep
 * (api/store/dead-letter-actions.ts), started `secondsAgo` ago: with nothing finishing it, the
 * entry an API process that died during the sweep leaves behind. Its start is moved back as the
 * test's own (superuser) connection: the API's role may not change `at`.
 */
export async function deadLetterActionStarted(db: DbHandle, consumer: string, secondsAgo: number): Promise<DeadLetterActionRecord> {
  const entry = await startDeadLetterAction(db.db, {
    consumer,
    action: 'replay',
    actor: { kind: 'admin', subject: 'operator', via: 'admin-token' },
    filter: {},
  });
  await db.sql`UPDATE dead_letter_actions SET at = now() - make_interval(secs => ${secondsAgo}) WHERE id = ${entry.id}`;
  return entry;
}
