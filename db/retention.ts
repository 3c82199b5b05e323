import type { Sql } from 'postgres';

/** Rows per statement: each chunk is its own short transaction, so no long lock is held and the hot path never waits long. */
export const RETENTION_CHUNK = 1000;

/** The tables retention keeps bounded, as the rows-pruned counter labels them. */
export const RETAINED_TABLES = ['outbox', 'inbox', 'idempotency_keys', 'order_event_history'] as const;
export type RetainedTable = (typeof RETAINED_TABLES)[number];

/** How long each table keeps a row; 0 for order_event_history keeps it for good. */
export interface RetentionHorizons {
  /** A published outbox row moves to order_event_history this long after its publish. */
  outboxMs: number;
  /** An inbox row (a handled message id) is kept this long after it was handled: the dedup horizon. */
  inboxMs: number;
  idempotencyKeyMs: number;
  /** 0: an order's event history is kept for good. */
  orderEventHistoryMs: number;
}

/**
 * Runs `chunk` (which deletes at most `limit` rows and says how many it did) until a chunk comes
 * back short. The one chunked-delete loop of the project: every table's retention goes through it.
 */
export async function inChunks(chunk: (limit: number) => Promise<number>, limit = RETENTION_CHUNK): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await chunk(limit);
    total += count;
    if (count < limit) return total;
  }
}

const before = (sql: Sql, ms: number) => sql`now() - ${ms} * interval '1 millisecond'`;

/**
 * Moves outbox rows published longer than `ms` ago to order_event_history, in one statement per
 * chunk (deleted here and inserted there, atomically): the outbox stays small for the relay and
 * the API still serves the order's events. Dead and pending rows stay.
 */
export const archivePublishedOutbox = (sql: Sql, ms: number): Promise<number> =>
  inChunks(async (limit) => {
    const moved = await sql`
      WITH gone AS (
        DELETE FROM outbox WHERE id IN (
          SELECT id FROM outbox WHERE published_at < ${before(sql, ms)} LIMIT ${limit} FOR UPDATE SKIP LOCKED
        )
        RETURNING id, seq, aggregate_id, name, payload, metadata, created_at, published_at, attempts
      )
      INSERT INTO order_event_history (id, seq, aggregate_id, name, payload, metadata, created_at, published_at, attempts)
      SELECT id, seq, aggregate_id, name, payload, metadata, created_at, published_at, attempts FROM gone
      ON CONFLICT (id) DO NOTHING`;
    return moved.count;
  });

/**
 * Deletes the inbox rows of messages handled longer than `ms` ago. A redelivery of such a message
 * would be handled again, so `ms` must exceed the longest redelivery (config/env.ts checks it).
 */
export const pruneInbox = (sql: Sql, ms: number): Promise<number> => deleteOlderThan(sql, 'inbox', 'processed_at', ms);

/** Deletes Idempotency-Keys recorded longer than `ms` ago: a repeat after that starts a new order. */
export const pruneIdempotencyKeys = (sql: Sql, ms: number): Promise<number> => deleteOlderThan(sql, 'idempotency_keys', 'created_at', ms);

/** Deletes the rows of `table` whose `column` is older than `ms`, in chunks (tables without a single-column key: by ctid). */
const deleteOlderThan = (sql: Sql, table: string, column: string, ms: number): Promise<number> =>
  inChunks(async (limit) => {
    const deleted = await sql`
      DELETE FROM ${sql(table)} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${sql(table)} WHERE ${sql(column)} < ${before(sql, ms)} LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ))`;
    return deleted.count;
  });

/** Deletes archived events older than `ms`; 0 keeps them all. */
export const pruneOrderEventHistory = (sql: Sql, ms: number): Promise<number> =>
  ms === 0
    ? Promise.resolve(0)
    : inChunks(async (limit) => {
        const deleted = await sql`
          DELETE FROM order_event_history WHERE id IN (
            SELECT id FROM order_event_history WHERE archived_at < ${before(sql, ms)} LIMIT ${limit} FOR UPDATE SKIP LOCKED
          )`;
        return deleted.count;
      });

/**
 * One round of retention over every table, each on its own (a failing one does not stop the
 * others): the rows each let go, and the errors of those that failed.
 */
export async function applyRetention(
  sql: Sql,
  horizons: RetentionHorizons,
): Promise<{ pruned: Partial<Record<RetainedTable, number>>; failed: Partial<Record<RetainedTable, unknown>> }> {
  const work: Record<RetainedTable, () => Promise<number>> = {
    outbox: () => archivePublishedOutbox(sql, horizons.outboxMs),
    inbox: () => pruneInbox(sql, horizons.inboxMs),
    idempotency_keys: () => pruneIdempotencyKeys(sql, horizons.idempotencyKeyMs),
    order_event_history: () => pruneOrderEventHistory(sql, horizons.orderEventHistoryMs),
  };
  const pruned: Partial<Record<RetainedTable, number>> = {};
  const failed: Partial<Record<RetainedTable, unknown>> = {};
  for (const table of RETAINED_TABLES) {
    try {
      pruned[table] = await work[table]();
    } catch (error) {
      failed[table] = error;
    }
  }
  return { pruned, failed };
}
