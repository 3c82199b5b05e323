import type { Sql } from 'postgres';
import type { OutboxRow } from './outbox-row';

/**
 * Claims a batch of due rows by leasing them: their next_attempt_at moves `leaseMs` ahead, so no
 * other relay sees them as due until this one marks them published, or crashes and the lease
 * runs out (then they go out again: a duplicate, never a loss).
 *
 * One order's events must leave in commit order, also with several relays. So the claim takes
 * an order's rows only from its oldest pending row on, stopping at the first row that is not due
 * (leased by another relay, or backing off), and it claims under a per-order advisory lock held
 * only while the claim runs: a relay that reads the order after us sees our lease.
 * No transaction stays open while messages travel to the broker.
 *
 * The claim runs in the database, as the function outbox_claim (drizzle/migrations/0005): one
 * statement, so one round trip and no connection reserved for a transaction.
 */
export async function claimBatch(sql: Sql, batchSize: number, leaseMs: number): Promise<OutboxRow[]> {
  const claimed = await sql<OutboxRow[]>`
    SELECT id, seq, aggregate_id AS "aggregateId", name, payload, metadata, attempts, trace_context AS "traceContext"
    FROM outbox_claim(${batchSize}::integer, ${leaseMs}::integer)`;
  // RETURNING keeps no order: publish in commit order. (Sorting here is cheaper for Postgres
  // than an ORDER BY over the UPDATE's result.)
  return [...claimed].sort(bySeq);
}

/** seq is a non-negative int8 as text: the shorter is the smaller, else compare as text. */
const bySeq = (a: OutboxRow, b: OutboxRow): number => a.seq.length - b.seq.length || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
