import type { Sql } from 'postgres';
import type { OutboxRow } from './outbox-row';

// First key of the two-key advisory locks relays take per aggregate while they claim, so they
// cannot collide with other users of advisory locks in the same database.
const RELAY_LOCK_NAMESPACE = 0x0b0c;

/**
 * Claims a batch of due rows by leasing them: their next_attempt_at moves `leaseMs` ahead, so no
 * other relay sees them as due until this one marks them published, or crashes and the lease
 * runs out (then they go out again: a duplicate, never a loss).
 *
 * One order's events must leave in commit order, also with several relays. So the claim takes
 * an order's rows only from its oldest pending row on, stopping at the first row that is not due
 * (leased by another relay, or backing off), and it claims under a per-order advisory lock held
 * only for this short transaction: a relay that reads the order after us sees our lease.
 * No transaction stays open while messages travel to the broker.
 */
export async function claimBatch(sql: Sql, batchSize: number, leaseMs: number): Promise<OutboxRow[]> {
  const claimed = await sql.begin(async (tx): Promise<OutboxRow[]> => {
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

    // A fresh statement, so a fresh snapshot: it sees the leases of whoever held a lock before us.
    return tx<OutboxRow[]>`
      UPDATE outbox o SET next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
      FROM (
        SELECT id FROM (
          SELECT id, seq, bool_and(next_attempt_at <= now()) OVER (PARTITION BY aggregate_id ORDER BY seq) AS due_so_far
          FROM outbox
          WHERE aggregate_id = ANY(${locked.map((l) => l.aggregateId)}::text[]) AND published_at IS NULL AND dead_at IS NULL
        ) ordered
        WHERE due_so_far
        ORDER BY seq
        LIMIT ${batchSize}
      ) pick
      WHERE o.id = pick.id
      RETURNING o.id, o.seq, o.aggregate_id AS "aggregateId", o.name, o.payload, o.metadata, o.attempts`;
  });
  // RETURNING keeps no order: publish in commit order.
  return [...claimed].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
}
