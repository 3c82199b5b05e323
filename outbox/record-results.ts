import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger';
import { backoffMs } from './backoff';
import type { PublishResults } from './confirm-publisher';
import type { OutboxRow } from './outbox-row';

/** How the relay retries a row the broker refused before it is dead (not the consumers' ConsumerRetryPolicy). */
export interface RelayRetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** Marks broker-confirmed rows published (and only those). */
export async function markPublished(sql: Sql, confirmedIds: readonly string[]): Promise<void> {
  if (confirmedIds.length === 0) return;
  await sql`UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE id = ANY(${confirmedIds}::uuid[])`;
}

/**
 * Writes down what became of a batch's other rows: refused ones back off (or are dead after
 * their last attempt), and the rest get their lease back.
 */
export async function recordUnpublished(
  sql: Sql,
  rows: readonly OutboxRow[],
  results: PublishResults,
  policy: RelayRetryPolicy,
  log: Logger,
): Promise<void> {
  if (results.refused.length === 0 && results.confirmed.length === rows.length) return;
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const { id, error } of results.refused) {
    const attempts = (byId.get(id)?.attempts ?? 0) + 1;
    const dead = attempts >= policy.maxAttempts;
    const delay = backoffMs(attempts, policy.backoffBaseMs, policy.backoffMaxMs);
    await sql`UPDATE outbox SET attempts = ${attempts}, last_error = ${error},
                next_attempt_at = now() + ${delay} * interval '1 millisecond',
                dead_at = CASE WHEN ${dead} THEN now() END
              WHERE id = ${id}`;
    const row = byId.get(id);
    const fields = { messageId: id, orderId: row?.aggregateId, correlationId: row?.metadata.correlationId, attempts, error };
    if (dead) log.error(fields, 'outbox row is dead after its last attempt');
    else log.warn({ ...fields, retryInMs: delay }, 'broker refused an outbox row');
  }
  // Neither confirmed nor refused (held behind a refusal, or cut off by a broken channel):
  // give the lease back so they go out with the next batch instead of after the lease.
  const settled = new Set([...results.confirmed, ...results.refused.map((r) => r.id)]);
  const unsettled = rows.filter((row) => !settled.has(row.id)).map((row) => row.id);
  if (unsettled.length > 0) {
    await sql`UPDATE outbox SET next_attempt_at = now() WHERE id = ANY(${unsettled}::uuid[]) AND published_at IS NULL`;
  }
}
