import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { pruneIdempotencyKeys, pruneInbox, RETENTION_CHUNK } from '../../db/retention';
import { envelope, recordEffect, useConsumerKit, waitFor } from '../support/consumer-kit';

const ctx = useConsumerKit();
const HOUR_MS = 60 * 60 * 1000;

describe('inbox retention', () => {
  it('keeps deduplication inside the horizon: a redelivery of a message handled inside it is absorbed, and only older rows go', async () => {
    const consumer = ctx.kit.define('pruned', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'pruned', attempt),
    });
    const runner = await ctx.kit.start(consumer);
    const recent = Array.from({ length: 3 }, () => envelope('order.submitted'));
    const old = Array.from({ length: 3 }, () => envelope('order.submitted'));
    await ctx.kit.publish([...recent, ...old]);
    const all = [...recent, ...old].map((e) => e.messageId);
    await waitFor(async () => (await ctx.kit.effects(all)).length === 6, 'all six handled');

    const { sql } = ctx.stack.db;
    // The old three were handled two hours ago, as far as the inbox knows; and 2 500 more rows
    // of long-gone messages, so the prune takes several chunks.
    await sql`UPDATE inbox SET processed_at = now() - interval '2 hours' WHERE consumer = 'pruned' AND message_id = ANY(${old.map((e) => e.messageId)})`;
    const filler = RETENTION_CHUNK * 2 + 500;
    await sql`INSERT INTO inbox (consumer, message_id, processed_at)
              SELECT 'pruned', gen_random_uuid(), now() - interval '3 hours' FROM generate_series(1, ${filler})`;
    // One row inside the horizon by a minute: it must stay.
    const edge = randomUUID();
    await sql`INSERT INTO inbox (consumer, message_id, processed_at) VALUES ('pruned', ${edge}, now() - interval '59 minutes')`;

    // Sizes and the pruning rate, as docs/operations.md#data-lifecycle quotes them: a row's bytes
    // with its share of the table's indexes, measured, not assumed.
    const [size] = await sql<{ tuple: number; total: number }[]>`
      SELECT avg(pg_column_size(inbox.*))::float8 AS tuple, (pg_total_relation_size('inbox')::float8 / count(*)) AS total FROM inbox`;
    expect(size!.tuple).toBeLessThan(80);
    expect(size!.total).toBeLessThan(400);
    const started = performance.now();
    expect(await pruneInbox(sql, HOUR_MS)).toBe(filler + old.length);
    const rowsPerSecond = (filler + old.length) / ((performance.now() - started) / 1000);
    console.info(
      `inbox: ${size!.tuple.toFixed(0)} B per row, ${size!.total.toFixed(0)} B with indexes; pruned ${rowsPerSecond.toFixed(0)} rows/s`,
    );
    const kept = await sql<{ message_id: string }[]>`SELECT message_id FROM inbox WHERE consumer = 'pruned'`;
    expect(kept.map((row) => row.message_id).sort()).toEqual([...recent.map((e) => e.messageId), edge].sort());
    expect(await pruneInbox(sql, HOUR_MS)).toBe(0);

    // Inside the horizon: the redelivered three are absorbed, no second effect.
    await ctx.kit.publish(recent);
    await waitFor(async () => runner.stats.duplicates === 3, 'the three redeliveries absorbed');
    // Past it, the inbox has forgotten: a redelivery is handled again. This is why INBOX_RETENTION_MS
    // must exceed the longest redelivery (config/env.ts refuses to start otherwise).
    await ctx.kit.publish([old[0]!]);
    await waitFor(async () => (await ctx.kit.effects([old[0]!.messageId])).length === 2, 'the forgotten one handled again');
    await sleep(200);
    const effects = await ctx.kit.effects(recent.map((e) => e.messageId));
    expect(effects).toHaveLength(3);
  });

  it('prunes idempotency keys older than their horizon, in chunks, and keeps the rest', async () => {
    const { sql } = ctx.stack.db;
    const customer = `cust-${randomUUID().slice(0, 8)}`;
    await sql`INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id, created_at)
              SELECT ${customer}, 'old-' || n, 'h', gen_random_uuid(), now() - interval '8 days' FROM generate_series(1, ${RETENTION_CHUNK + 1}) n`;
    await sql`INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id) VALUES (${customer}, 'fresh', 'h', gen_random_uuid())`;
    const [size] = await sql<{ tuple: number; total: number }[]>`
      SELECT avg(pg_column_size(idempotency_keys.*))::float8 AS tuple,
             (pg_total_relation_size('idempotency_keys')::float8 / count(*)) AS total FROM idempotency_keys`;
    expect(size!.tuple).toBeLessThan(200);
    console.info(`idempotency_keys: ${size!.tuple.toFixed(0)} B per row, ${size!.total.toFixed(0)} B with indexes`);
    expect(await pruneIdempotencyKeys(sql, 7 * 24 * HOUR_MS)).toBe(RETENTION_CHUNK + 1);
    expect((await sql`SELECT key FROM idempotency_keys WHERE customer_id = ${customer}`).map((row) => row.key)).toEqual(['fresh']);
  });
});
