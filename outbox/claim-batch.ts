import type { TransactionSql } from 'postgres';
import type { OutboxRow } from './outbox-row';

// First key of the two-key advisory locks relays take per aggregate, so they cannot collide
// with other users of advisory locks in the same database.
const RELAY_LOCK_NAMESPACE = 0x0b0c;

/**
 * Claims, inside the caller's transaction, a batch of due rows whose aggregates no other relay
 * holds. Each aggregate is locked for the transaction's life, and rows are returned in seq
 * order, stopping at an aggregate's first row that is still backing off: one order's events
 * leave in commit order even when several relays run at once.
 */
export async function claimBatch(tx: TransactionSql, batchSize: number): Promise<OutboxRow[]> {
  const candidates = await tx<{ aggregateId: string }[]>`
    SELECT DISTINCT aggregate_id AS "aggregateId" FROM (
      SELECT aggregate_id FROM outbox
      WHERE published_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now()
      ORDER BY seq
      LIMIT ${batchSize}
    ) due`;
  if (candidates.length === 0) return [];

  const locked = await tx<{ aggregateId: string }[]>`
    SELECT aggregate_id AS "aggregateId"
    FROM unnest(${candidates.map((c) => c.aggregateId)}::text[]) AS a(aggregate_id)
    WHERE pg_try_advisory_xact_lock(${RELAY_LOCK_NAMESPACE}, hashtext(aggregate_id))`;
  if (locked.length === 0) return [];

  // Read after locking: this statement's snapshot sees whatever the previous holder committed.
  const rows = await tx<OutboxRow[]>`
    SELECT id, seq, aggregate_id AS "aggregateId", name, payload, metadata, attempts,
           next_attempt_at <= now() AS due
    FROM outbox
    WHERE aggregate_id = ANY(${locked.map((l) => l.aggregateId)}::text[])
      AND published_at IS NULL AND dead_at IS NULL
    ORDER BY seq
    LIMIT ${batchSize}`;
  return inCommitOrderUntilBlocked(rows);
}

/** Per aggregate, keeps rows up to (not including) the first one that is not due yet. */
function inCommitOrderUntilBlocked(rows: readonly OutboxRow[]): OutboxRow[] {
  const blocked = new Set<string>();
  return rows.filter((row) => {
    if (blocked.has(row.aggregateId)) return false;
    if (!row.due) {
      blocked.add(row.aggregateId);
      return false;
    }
    return true;
  });
}
