import type { Sql } from 'postgres';

const DELETE_CHUNK = 1000;

/**
 * Deletes rows published longer than `retentionMs` ago, a small chunk per statement so the
 * outbox never grows without end and no long lock is held. Returns how many went.
 */
export async function deletePublishedBefore(sql: Sql, retentionMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await sql`
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox
        WHERE published_at < now() - ${retentionMs} * interval '1 millisecond'
        LIMIT ${DELETE_CHUNK}
        FOR UPDATE SKIP LOCKED
      )`;
    total += deleted.count;
    if (deleted.count < DELETE_CHUNK) return total;
  }
}
