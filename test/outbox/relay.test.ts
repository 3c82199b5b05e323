import { randomUUID } from 'node:crypto';
import { count, eq, inArray, isNotNull, isNull, and } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../activities/build-event';
import { findOrderEventSeq, readOrderEvents } from '../../api/store/order-events';
import { orderEventHistory, outbox } from '../../drizzle/schema';
import { appendToOutbox } from '../../outbox/append';
import { rowsPruned } from '../../telemetry/metrics-retention';
import { closeBrokerConnection } from '../support/broker';
import { spawnTs } from '../support/child-process';
import { submittedEvent, writeOrderEvents } from '../support/outbox-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  // No relay of its own: each test starts the relays it needs.
  stack = await startTestStack({ worker: false, relay: false });
});
afterAll(() => stack?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function unpublished(orderIds: readonly string[]): Promise<number> {
  const [row] = await stack.db.db
    .select({ n: count() })
    .from(outbox)
    .where(and(inArray(outbox.aggregateId, [...orderIds]), isNull(outbox.publishedAt)));
  return row!.n;
}

async function waitUntilPublished(orderIds: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await unpublished(orderIds)) > 0) {
    if (Date.now() > deadline) throw new Error(`${await unpublished(orderIds)} rows still unpublished after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** messageId -> how many times the probe received it, for these orders. */
function deliveries(orderIds: readonly string[]): Map<string, number> {
  const wanted = new Set(orderIds);
  const seen = new Map<string, number>();
  for (const event of stack.probe.received) {
    if (wanted.has(event.envelope.metadata.correlationId))
      seen.set(event.envelope.messageId, (seen.get(event.envelope.messageId) ?? 0) + 1);
  }
  return seen;
}

async function committedIds(orderIds: readonly string[]): Promise<string[][]> {
  const rows = await stack.db.db
    .select({ id: outbox.id, aggregateId: outbox.aggregateId })
    .from(outbox)
    .where(inArray(outbox.aggregateId, [...orderIds]))
    .orderBy(outbox.seq);
  return orderIds.map((orderId) => rows.filter((r) => r.aggregateId === orderId).map((r) => r.id));
}

/** Each order's first deliveries, in the order the probe received them. */
function receivedOrder(orderId: string): string[] {
  const firsts: string[] = [];
  for (const event of stack.probe.forOrder(orderId)) {
    if (!firsts.includes(event.envelope.messageId)) firsts.push(event.envelope.messageId);
  }
  return firsts;
}

describe('outbox relay', () => {
  it('wakes on NOTIFY at commit, long before its poll interval', async () => {
    const relay = await stack.startRelay({ settings: { pollIntervalMs: 60_000 } });
    await sleep(300); // let its first, empty, cycle pass so it is idle
    const [orderId] = await writeOrderEvents(stack.db.db, 1, 1);
    await stack.probe.waitUntil(() => stack.probe.forOrder(orderId!).length === 1, 5_000, 'the notified event');
    await relay.stop();
  });

  it('publishes a row again after a crash between broker confirm and mark: a duplicate, never a loss', async () => {
    const orderIds = await writeOrderEvents(stack.db.db, 10, 1);
    // Its own process, so the SIGKILL ends the very process we watch.
    const child = spawnTs('test/support/crashing-relay.ts', {
      DATABASE_URL: stack.databaseUrl,
      EVENTS_EXCHANGE: stack.exchange,
      RELAY_BATCH_SIZE: '100',
      RELAY_LEASE_MS: '1000',
    });
    const [, signal] = await child.exited;
    expect(signal).toBe('SIGKILL');
    expect(child.output()).toContain('confirmed 10');

    // The broker has every event, and the outbox still thinks none went out.
    await stack.probe.waitUntil(() => deliveries(orderIds).size === 10, 10_000, 'the crashed batch');
    expect(await unpublished(orderIds)).toBe(10);

    // Once the dead relay's lease (1 s) runs out, another relay publishes them again.
    const relay = await stack.startRelay();
    await waitUntilPublished(orderIds);
    await stack.probe.waitUntil(() => [...deliveries(orderIds).values()].every((n) => n === 2), 10_000, 'the second copies');
    expect([...deliveries(orderIds).values()]).toEqual(Array(10).fill(2));
    await relay.stop();
  });

  it('two relays at once publish every event exactly once and keep each order in commit order', async () => {
    const first = await stack.startRelay({ settings: { batchSize: 25 } });
    const second = await stack.startRelay({ settings: { batchSize: 25 } });
    const orderIds = await writeOrderEvents(stack.db.db, 120, 5);
    await waitUntilPublished(orderIds);
    await stack.probe.waitUntil(() => deliveries(orderIds).size === 600, 10_000, '600 events');

    expect([...deliveries(orderIds).values()].every((n) => n === 1)).toBe(true);
    const committed = await committedIds(orderIds);
    orderIds.forEach((orderId, i) => expect(receivedOrder(orderId)).toEqual(committed[i]));
    expect(first.stats.published).toBeGreaterThan(0);
    expect(second.stats.published).toBeGreaterThan(0);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('stops only after the batches in hand are published and marked, leaving no row leased', async () => {
    const orderIds = await writeOrderEvents(stack.db.db, 100, 4);
    let stopping: Promise<void> | undefined;
    // Stop while the first batch waits to be marked and the next ones are claimed or sending.
    const relay = await stack.startRelay({
      settings: { batchSize: 20, batchesInFlight: 3 },
      hooks: { afterConfirm: () => void (stopping ??= relay.stop()) },
    });
    await waitFor(() => stopping !== undefined, 'the first confirmed batch');
    await stopping;

    const [leased] = await stack.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM outbox
      WHERE aggregate_id = ANY(${orderIds}::text[]) AND published_at IS NULL AND next_attempt_at > now()`;
    expect(leased!.n).toBe(0);
    expect(relay.stats.published).toBe(400 - (await unpublished(orderIds)));
    expect(relay.stats.published).toBeLessThan(400);

    // The next relay takes the rest: every event once, each order in commit order.
    const next = await stack.startRelay();
    await waitUntilPublished(orderIds);
    await stack.probe.waitUntil(() => deliveries(orderIds).size === 400, 10_000, '400 events');
    expect([...deliveries(orderIds).values()].every((n) => n === 1)).toBe(true);
    const committed = await committedIds(orderIds);
    orderIds.forEach((orderId, i) => expect(receivedOrder(orderId)).toEqual(committed[i]));
    await next.stop();
  });

  it('loses nothing when the broker drops its connection mid-run, and reconnects', async () => {
    const relay = await stack.startRelay({ settings: { batchSize: 50 } });
    const orderIds: string[] = [];
    const producing = (async () => {
      for (let i = 0; i < 60; i++) {
        orderIds.push(...(await writeOrderEvents(stack.db.db, 10, 2)));
        await sleep(50);
      }
    })();
    for (const reconnected of [2, 3]) {
      await sleep(300);
      await closeBrokerConnection(relay.name);
      await waitFor(() => relay.stats.connections >= reconnected, `reconnect ${reconnected - 1}`);
    }
    await producing;
    await waitUntilPublished(orderIds);
    await stack.probe.waitUntil(() => deliveries(orderIds).size === orderIds.length * 2, 15_000, 'every event');

    expect(relay.stats.connections).toBe(3); // the first one and two reconnects
    const committed = await committedIds(orderIds);
    orderIds.forEach((orderId, i) => expect(receivedOrder(orderId)).toEqual(committed[i]));
    await relay.stop();
  });

  it('loses nothing when its database connections are killed mid-run', async () => {
    // Rows whose mark was lost with the connection come back when their lease ends.
    const relay = await stack.startRelay({ settings: { batchSize: 50, leaseMs: 2000 } });
    const orderIds: string[] = [];
    const producing = (async () => {
      for (let i = 0; i < 20; i++) {
        orderIds.push(...(await writeOrderEvents(stack.db.db, 10, 1)));
        await sleep(50);
      }
    })();
    await sleep(300);
    await stack.db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${stack.relayApplicationName}`;
    await producing;
    await waitUntilPublished(orderIds);
    await stack.probe.waitUntil(() => deliveries(orderIds).size === orderIds.length, 15_000, 'every event');
    await relay.stop();
  });

  it('backs off a row the broker cannot take, marks it dead after the last attempt, and blocks no other order', async () => {
    const poisoned = randomUUID();
    const healthy = randomUUID();
    await stack.db.db.transaction(async (tx) => {
      // A 70 KiB header value: amqplib refuses to encode it, every time.
      await appendToOutbox(tx, { orderId: poisoned, step: 'poison', causationId: 'x'.repeat(70 * 1024) }, [submittedEvent(poisoned)]);
    });
    await stack.db.db.transaction((tx) =>
      appendToOutbox(tx, { orderId: poisoned, step: 'after', causationId: 'ok' }, [
        buildEvent('order.completed', { orderId: poisoned, customerId: 'customer-test', totalCents: 0, currency: 'EUR' }),
      ]),
    );
    await stack.db.db.transaction((tx) =>
      appendToOutbox(tx, { orderId: healthy, step: 'only', causationId: 'ok' }, [submittedEvent(healthy)]),
    );

    const relay = await stack.startRelay({ settings: { maxAttempts: 3, backoffBaseMs: 200, backoffMaxMs: 400 } });
    await stack.probe.waitUntil(() => stack.probe.forOrder(healthy).length === 1, 5_000, 'the healthy order');
    // While the poisoned order's first event backs off, its next event waits behind it.
    expect(stack.probe.forOrder(poisoned)).toEqual([]);

    const deadline = Date.now() + 10_000;
    let poison: typeof outbox.$inferSelect | undefined;
    while (Date.now() < deadline) {
      [poison] = await stack.db.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.aggregateId, poisoned), isNotNull(outbox.deadAt)));
      if (poison) break;
      await sleep(100);
    }
    expect(poison).toMatchObject({ attempts: 3, publishedAt: null, lastError: expect.stringMatching(/64 ?KiB|exceeds|RangeError/i) });
    // Once the poison is dead (parked for an operator), the order's later event goes out.
    await stack.probe.waitUntil(() => stack.probe.namesFor(poisoned).includes('order.completed'), 5_000, 'the event after the dead one');
    await relay.stop();
  });

  it('moves published rows past retention to the order event history, where the API still reads them', async () => {
    const relay = await stack.startRelay({
      settings: {
        retention: { outboxMs: 500, inboxMs: 60 * 60 * 1000, idempotencyKeyMs: 60 * 60 * 1000, orderEventHistoryMs: 0 },
        cleanupIntervalMs: 200,
      },
    });
    const orderIds = await writeOrderEvents(stack.db.db, 5, 2);
    const before = await readOrderEvents(stack.db.db, orderIds[0]!);
    await stack.probe.waitUntil(() => deliveries(orderIds).size === 10, 10_000, 'the events');
    const deadline = Date.now() + 10_000;
    let left = -1;
    while (Date.now() < deadline && left !== 0) {
      [{ n: left }] = (await stack.db.db.select({ n: count() }).from(outbox).where(inArray(outbox.aggregateId, orderIds))) as [
        { n: number },
      ];
      await sleep(100);
    }
    expect(left).toBe(0);
    const [{ n: archived }] = (await stack.db.db
      .select({ n: count() })
      .from(orderEventHistory)
      .where(inArray(orderEventHistory.aggregateId, orderIds))) as [{ n: number }];
    expect(archived).toBe(10);
    // The same events, same seq and ids, now published: what /orders/{id}/events and its streams read.
    const after = await readOrderEvents(stack.db.db, orderIds[0]!);
    expect(after.map(({ seq, messageId, name }) => ({ seq, messageId, name }))).toEqual(
      before.map(({ seq, messageId, name }) => ({ seq, messageId, name })),
    );
    expect(after.every((event) => event.publishedAt !== null)).toBe(true);
    expect(await findOrderEventSeq(stack.db.db, orderIds[0]!, after[1]!.messageId)).toBe(after[1]!.seq);
    // Counted where operators look: the relay process's retention_rows_pruned_total{table="outbox"}.
    const pruned = (await rowsPruned.get()).values.find((value) => value.labels.table === 'outbox');
    expect(pruned?.value).toBeGreaterThanOrEqual(10);
    await relay.stop();
  });
});
