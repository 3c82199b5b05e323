import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiStore } from '../../api/store/api-store';
import { postgresApiStore } from '../../api/store/postgres-store';
import { startApi, submitOrder, useApiStack, waitForOrderStatus, type RunningApi } from '../support/api-server';
import type { TestCaller } from '../support/json-request';
import { orderBody } from '../support/order-body';
import { openStream, type OpenStream, type SseMessage } from '../support/sse-client';

/** Two mugs are over this: such an order waits for review, so its stream stays open and quiet. */
const REVIEW_THRESHOLD_CENTS = 2000;
const HEARTBEAT_MS = 200;

/** Counts the outbox reads of each order, to prove streams read only when notified. */
function countingStore(store: ApiStore): ApiStore & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    ...store,
    reads,
    readOrderEvents: (orderId, afterSeq) => {
      reads.set(orderId, (reads.get(orderId) ?? 0) + 1);
      return store.readOrderEvents(orderId, afterSeq);
    },
  };
}

let store: ReturnType<typeof countingStore>;
const ctx = useApiStack({}, (stack) => {
  store = countingStore(postgresApiStore(stack.db.db));
  return {
    store,
    config: { ...stack.config, REVIEW_THRESHOLD_CENTS, EVENT_STREAM_HEARTBEAT_MS: HEARTBEAT_MS, EVENT_STREAMS_PER_CUSTOMER: 50 },
  };
});

async function submit(api: RunningApi, as: TestCaller = 'admin', quantity = 1): Promise<string> {
  const body = orderBody({ items: [{ sku: 'SKU-RED-MUG', quantity }], ...(as === 'admin' ? {} : { customerId: undefined }) });
  return (await submitOrder(api, body, as)).orderId;
}

/** An order that waits for review once its first events are out. */
async function waitingOrder(api: RunningApi, as: TestCaller = 'admin'): Promise<string> {
  const orderId = await submit(api, as, 2);
  await waitForOrderStatus(api, orderId, 'AWAITING_REVIEW');
  return orderId;
}

const approve = async (api: RunningApi, orderId: string) =>
  expect([200, 202]).toContain((await api.client().POST('/orders/{id}/approve', { params: { path: { id: orderId } } })).response.status);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const eventNames = (stream: OpenStream) => stream.messages.filter((m) => m.id).map((m) => m.event);
const isOutcome = (m: SseMessage) => m.event === 'order.completed';

async function streamStats(api: RunningApi) {
  const { data, response } = await api.client().GET('/admin/event-streams');
  expect(response.status).toBe(200);
  return data!;
}

async function waitForOpen(api: RunningApi, open: number) {
  const deadline = Date.now() + 5000;
  while ((await streamStats(api)).open !== open) {
    if (Date.now() > deadline) throw new Error(`open streams never reached ${open}`);
    await sleep(50);
  }
}

describe('event streams: live, without polling', () => {
  it('reads the outbox only when the order is notified, sends heartbeats while quiet, and ends after the outcome', async () => {
    const orderId = await waitingOrder(ctx.api);
    const stream = await openStream(ctx.api, `/orders/${orderId}/events`);
    expect(stream.response.status).toBe(200);
    await stream.waitFor((m) => m.event === 'order.submitted');
    await sleep(200);
    const readsWhileQuiet = store.reads.get(orderId) ?? 0;
    const heartbeatsBefore = stream.comments.length;
    // Quiet for many heartbeats: a polling stream would have read several times by now.
    await sleep(HEARTBEAT_MS * 8);
    expect(store.reads.get(orderId)).toBe(readsWhileQuiet);
    expect(stream.comments.length - heartbeatsBefore).toBeGreaterThanOrEqual(4);
    expect(stream.comments).toContain('heartbeat');

    const before = stream.messages.length;
    await approve(ctx.api, orderId);
    await stream.waitForEnd();
    expect(eventNames(stream).at(-1)).toBe('order.completed');
    const newEvents = stream.messages.length - before;
    // At most one read per event that committed (each commits in its own transaction), plus one.
    expect((store.reads.get(orderId) ?? 0) - readsWhileQuiet).toBeLessThanOrEqual(newEvents + 1);
  });

  it("a stream resumes after Last-Event-ID (header or lastEventId=); an id that is not one of the order's events starts over", async () => {
    const orderId = await submit(ctx.api);
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED');
    const all = await openStream(ctx.api, `/orders/${orderId}/events`);
    await all.waitForEnd();
    const ids = all.messages.map((m) => m.id);
    expect(all.messages.map((m) => m.event)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.charged',
      'shipment.created',
      'order.completed',
    ]);

    const resumed = await openStream(ctx.api, `/orders/${orderId}/events`, { headers: { 'last-event-id': ids[1] as string } });
    await resumed.waitForEnd();
    expect(resumed.messages.map((m) => m.id)).toEqual(ids.slice(2));

    const byQuery = await openStream(ctx.api, `/orders/${orderId}/events?lastEventId=${ids[3]}`);
    await byQuery.waitForEnd();
    expect(byQuery.messages.map((m) => m.id)).toEqual(ids.slice(4));

    for (const unknown of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const fromStart = await openStream(ctx.api, `/orders/${orderId}/events`, { headers: { 'last-event-id': unknown } });
      await fromStart.waitForEnd();
      expect(fromStart.messages.map((m) => m.id)).toEqual(ids);
    }
  });

  it('the events query and the relay claim each use their index (EXPLAIN)', async () => {
    const plans = await ctx.stack.db.sql.begin(async (sql) => {
      // With sequential scans priced out, the planner shows which index serves each query.
      await sql`SET LOCAL enable_seqscan = off`;
      const events = await sql.unsafe(`EXPLAIN SELECT * FROM outbox WHERE aggregate_id = 'x' AND seq > 0 ORDER BY seq`);
      const claim = await sql.unsafe(
        `EXPLAIN SELECT p.id FROM outbox p WHERE p.aggregate_id = ANY(ARRAY['x']) AND p.published_at IS NULL AND p.dead_at IS NULL`,
      );
      const text = (rows: readonly Record<string, unknown>[]) => rows.map((row) => String(row['QUERY PLAN'])).join('\n');
      return { events: text(events), claim: text(claim) };
    });
    expect(plans.events).toContain('outbox_aggregate_seq_idx');
    expect(plans.claim).toContain('outbox_pending_aggregate_idx');
  });
});

describe('event streams: caps and lifetime', () => {
  let capped: RunningApi;
  beforeAll(async () => {
    capped = await startApi(ctx.stack, {
      config: {
        ...ctx.stack.config,
        REVIEW_THRESHOLD_CENTS,
        EVENT_STREAMS_PER_CUSTOMER: 2,
        EVENT_STREAMS_MAX: 3,
        EVENT_STREAM_RETRY_MS: 4000,
        EVENT_STREAM_HEARTBEAT_MS: HEARTBEAT_MS,
      },
    });
  });
  afterAll(() => capped?.close());

  it('refuses a customer over their cap with 429 and a full instance with 503, both with Retry-After; the admin route counts them', async () => {
    const a: TestCaller = { customer: 'cap-a' };
    const b: TestCaller = { customer: 'cap-b' };
    const orderA = await waitingOrder(capped, a);
    const orderB = await waitingOrder(capped, b);
    const open = [
      await openStream(capped, `/orders/${orderA}/events`, { as: a }),
      await openStream(capped, `/orders/${orderA}/events`, { as: a }),
    ];
    expect(open.map((s) => s.response.status)).toEqual([200, 200]);
    const overCustomer = await openStream(capped, `/orders/${orderA}/events`, { as: a });
    expect(overCustomer.response.status).toBe(429);
    expect(overCustomer.response.headers.get('retry-after')).toBe('4');
    expect(await overCustomer.response.json()).toMatchObject({ code: 'too_many_streams' });

    open.push(await openStream(capped, `/orders/${orderB}/events`, { as: b }));
    expect(open[2]?.response.status).toBe(200);
    const overTotal = await openStream(capped, `/orders/${orderB}/events`, { as: b });
    expect(overTotal.response.status).toBe(503);
    expect(overTotal.response.headers.get('retry-after')).toBe('4');
    expect(await overTotal.response.json()).toMatchObject({ code: 'streams_full' });

    const stats = await streamStats(capped);
    expect(stats).toMatchObject({
      open: 3,
      topCustomers: [
        { customer: 'cap-a', open: 2 },
        { customer: 'cap-b', open: 1 },
      ],
      refused: { perCustomer: 1, total: 1, stopping: 0 },
      settings: { perCustomer: 2, total: 3, heartbeatMs: HEARTBEAT_MS, retryMs: 4000 },
      listener: { listening: true },
    });
    // A closed stream gives its slot back.
    open[0]?.close();
    await waitForOpen(capped, 2);
    const again = await openStream(capped, `/orders/${orderA}/events`, { as: a });
    expect(again.response.status).toBe(200);
    for (const stream of [...open, again]) stream.close();
    await waitForOpen(capped, 0);
  });

  it('a stream ends at its maximum lifetime with a reconnect event and retry:, and resuming continues without repeats', async () => {
    const short = await startApi(ctx.stack, {
      config: { ...ctx.stack.config, REVIEW_THRESHOLD_CENTS, EVENT_STREAM_MAX_LIFETIME_MS: 1000, EVENT_STREAM_HEARTBEAT_MS: HEARTBEAT_MS },
    });
    try {
      const orderId = await waitingOrder(short);
      const first = await openStream(short, `/orders/${orderId}/events`);
      await first.waitForEnd(5000);
      const last = first.messages.at(-1);
      expect(last).toMatchObject({ event: 'reconnect', retry: '3000' });
      expect(JSON.parse(last?.data ?? '{}')).toMatchObject({ reason: 'lifetime' });
      const seen = first.messages.filter((m) => m.id).map((m) => m.id);
      expect(seen.length).toBeGreaterThan(0);

      // As a client does: reconnect after the last event seen until the outcome (each stream lives 1 s).
      await approve(short, orderId);
      const deadline = Date.now() + 30_000;
      let ended = false;
      while (!ended && Date.now() < deadline) {
        const next = await openStream(short, `/orders/${orderId}/events`, { headers: { 'last-event-id': seen.at(-1) as string } });
        await next.waitForEnd(5000);
        seen.push(...next.messages.filter((m) => m.id).map((m) => m.id));
        ended = next.messages.some(isOutcome);
      }
      expect(ended).toBe(true);
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await short.close();
    }
  });
});

describe('event streams: stopping and a lost LISTEN connection', () => {
  it('stopping the API ends its open streams promptly, each with a reconnect event', async () => {
    const stopping = await startApi(ctx.stack, { config: { ...ctx.stack.config, REVIEW_THRESHOLD_CENTS } });
    const orderId = await waitingOrder(stopping);
    const stream = await openStream(stopping, `/orders/${orderId}/events`);
    await stream.waitFor((m) => m.event === 'order.submitted');
    const started = Date.now();
    await stopping.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await stream.waitForEnd(2000);
    expect(stream.messages.at(-1)).toMatchObject({ event: 'reconnect' });
    expect(JSON.parse(stream.messages.at(-1)?.data ?? '{}')).toMatchObject({ reason: 'stopping' });
  });

  it('after its LISTEN connection is killed, the hub listens again and streams still get later events', async () => {
    const orderId = await waitingOrder(ctx.api);
    const stream = await openStream(ctx.api, `/orders/${orderId}/events`);
    await stream.waitFor((m) => m.event === 'order.submitted');
    const relistensBefore = (await streamStats(ctx.api)).listener.relistens;
    const killed = await ctx.stack.db.sql<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE '%listen%order_events%'`;
    expect(killed.length).toBeGreaterThan(0);
    for (const { pid } of killed) await ctx.stack.db.sql`SELECT pg_terminate_backend(${pid})`;
    const deadline = Date.now() + 10_000;
    while ((await streamStats(ctx.api)).listener.relistens <= relistensBefore) {
      if (Date.now() > deadline) throw new Error('the hub never listened again');
      await sleep(50);
    }
    await approve(ctx.api, orderId);
    await stream.waitFor(isOutcome);
    expect(eventNames(stream).at(-1)).toBe('order.completed');
  });
});
