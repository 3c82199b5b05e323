import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { finishDeadLetterAction } from '../../api/store/dead-letter-actions';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { orders } from '../../drizzle/schema';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { API, appEntry, CONSUMERS, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { freePort } from '../../workers/free-port';
import { apiClientAt, TEST_ADMIN_TOKEN } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { envelope, startConsumerKit, waitFor, type ConsumerKit } from '../support/consumer-kit';
import { failOrderWrites } from '../support/failing-trigger';
import { orderBody, type SubmitOrder } from '../support/order-body';
import { delta, scrapeMetrics, type Scrape } from '../support/prometheus-text';
import { deleteShippedQueues } from '../support/shipped-queues';
import { deadLetterActionStarted } from '../support/dead-letter-actions';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';

/**
 * The metrics of the real processes (workers/run-*.ts), scraped before and after known
 * scenarios: the deltas of the per-instance counters, and the shared-state gauges rising and
 * returning to 0. The names are those of docs/observability.md "## Metrics".
 */
const PROJECTION = 'order-projection';
const STALL_AFTER_SECONDS = 2;
const UNFINISHED_AFTER_SECONDS = 60;

let stack: TestStack;
let kit: ConsumerKit;
let prefix: string;
const children: RunningChild[] = [];

interface LogLine {
  msg: string;
  metricsPort?: number;
  url?: string;
}
const logLines = (child: RunningChild): LogLine[] => child.logLines<LogLine>();

/** Spawns an app process with METRICS_PORT=0 and answers the URL of its /metrics (the API's on its HTTP port). */
async function start(name: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: RunningChild; url: string }> {
  const child = spawnTs(
    appEntry(name),
    appProcessEnv(stack, {
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      METRICS_PORT: '0',
      SAGA_STALL_AFTER_SECONDS: String(STALL_AFTER_SECONDS),
      DLQ_ACTION_UNFINISHED_AFTER_SECONDS: String(UNFINISHED_AFTER_SECONDS),
      CONSUMER_QUEUE_PREFIX: prefix,
      CONSUMER_MAX_ATTEMPTS: '2',
      CONSUMER_RETRY_BASE_MS: '100',
      CONSUMER_RETRY_MAX_MS: '200',
      RELAY_POLL_INTERVAL_MS: '250',
      LOG_LEVEL: 'info',
      ...env,
    }),
  );
  children.push(child);
  const wanted = name === API ? 'API listening' : 'metrics listening';
  await child.waitForLog(wanted, 60_000);
  const line = logLines(child).find((l) => l.msg === wanted)!;
  return { child, url: name === API ? `${line.url}/metrics` : `http://127.0.0.1:${line.metricsPort}/metrics` };
}

async function stop(child: RunningChild): Promise<void> {
  child.child.kill('SIGTERM');
  const [code] = await child.exited;
  expect(code).toBe(0);
}

let worker: string;
let relay: { child: RunningChild; url: string };
let api: string;
let consumers: string;
const scrape = (url: string): Promise<Scrape> => scrapeMetrics(url, url === api ? TEST_ADMIN_TOKEN : undefined);

/** Scrapes `url` until `check` holds (shared gauges are cached for a few seconds), and answers that scrape. */
async function scrapeUntil(url: string, check: (metrics: Scrape) => boolean, what: string, timeoutMs = 20_000): Promise<Scrape> {
  let last: Scrape | undefined;
  await waitFor(
    async () => {
      last = await scrape(url);
      return check(last);
    },
    what,
    timeoutMs,
  );
  return last!;
}

/** POST /orders to the API process as the body's customer. */
async function submit(body: SubmitOrder & { customerId: string }): Promise<string> {
  const client = apiClientAt(api.replace(/\/metrics$/, ''), stack.config, { customer: body.customerId });
  const { data, error, response } = await client.POST('/orders', { body, params: { header: { 'idempotency-key': randomUUID() } } });
  expect(response.status, JSON.stringify(error)).toBeLessThan(300);
  return data!.orderId;
}

async function statusOf(orderId: string): Promise<string | undefined> {
  const [row] = await stack.db.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
  return row?.status;
}

const waitForEnd = (orderId: string, status: string) =>
  waitFor(async () => (await statusOf(orderId)) === status, `order ${orderId} to be ${status}`, 30_000);

beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack);
  prefix = `${stack.exchange}.`;
  [worker, relay, api, consumers] = await Promise.all([
    start(SAGA_WORKER).then((started) => started.url),
    start(RELAY),
    start(API).then((started) => started.url),
    start(CONSUMERS).then((started) => started.url),
  ]);
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await kit?.close();
  if (stack) await deleteShippedQueues(stack, prefix);
  await stack?.close();
});

describe('metrics of the real processes', () => {
  it('every process serves its metrics: the contract names, the default process metrics, and the worker Temporal Core’s', async () => {
    const [w, r, a, c] = await Promise.all([worker, relay.url, api, consumers].map(scrape));
    for (const metrics of [w, r, a, c]) expect(metrics!.has('process_cpu_user_seconds_total')).toBe(true);
    expect(w!.has('saga_needs_attention_sagas') && w!.has('saga_stalled_sagas')).toBe(true);
    // Core's runtime metrics, merged into the worker's endpoint at scrape time.
    expect([...w!.names()].filter((name) => name.startsWith('temporal_')).length).toBeGreaterThan(0);
    for (const name of [
      'outbox_pending_events',
      'outbox_oldest_pending_age_seconds',
      'outbox_dead_events',
      'outbox_events_published_total',
    ])
      expect(r!.has(name), name).toBe(true);
    expect(c!.value('consumer_queue_messages', { consumer: PROJECTION })).toBe(0);
    expect(c!.has('consumer_dead_letter_messages')).toBe(true);
    expect(a!.has('dead_letter_actions_unfinished')).toBe(true);
    expect(a!.value('dead_letter_actions_unfinished')).toBe(0);
    // The API's /metrics is for the operator only.
    expect((await fetch(api)).status).toBe(401);
  });

  it('a completed and a compensated order: outcomes once each, step latencies, events published and handled, requests by route', async () => {
    const before = await Promise.all([worker, relay.url, api, consumers].map(scrape));
    const completed = await submit(orderBody());
    const declined = await submit(orderBody({ payment: { token: 'tok_chargeDeclined' } }));
    await waitForEnd(completed, 'COMPLETED');
    await waitForEnd(declined, 'FAILED');
    // Both orders' last events reached the projection.
    await waitFor(async () => (await scrape(consumers)).value('consumer_queue_messages') === 0, 'the queues drained');
    const [w0, r0, a0, c0] = before;
    const w1 = await scrape(worker);
    expect(delta(w0!, w1, 'saga_outcomes_total', { outcome: 'completed', failed_step: '' })).toBe(1);
    expect(delta(w0!, w1, 'saga_outcomes_total', { outcome: 'failed', failed_step: 'chargePayment' })).toBe(1);
    expect(delta(w0!, w1, 'saga_outcomes_total')).toBe(2);
    const steps = (labels: Record<string, string>) => delta(w0!, w1, 'saga_step_duration_seconds_count', labels);
    expect(steps({ step: 'completeOrder', kind: 'action', result: 'ok' })).toBe(1);
    expect(steps({ step: 'chargePayment', kind: 'action', result: 'error' })).toBe(1);
    expect(steps({ step: 'releaseInventory', kind: 'compensation', result: 'ok' })).toBe(1);
    expect(steps({ step: 'markOrderOutcome', kind: 'compensation', result: 'ok' })).toBe(1);
    expect(delta(w0!, w1, 'saga_step_retries_total')).toBe(0);

    const committed = await stack.db.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM outbox WHERE aggregate_id IN (${completed}, ${declined})`;
    const events = committed[0]!.n;
    const r1 = await scrapeUntil(relay.url, (m) => delta(r0!, m, 'outbox_events_published_total') >= events, 'the events published');
    expect(delta(r0!, r1, 'outbox_events_published_total')).toBe(events);
    expect(delta(r0!, r1, 'outbox_publish_failures_total')).toBe(0);
    expect(delta(r0!, r1, 'outbox_relay_batch_duration_seconds_count')).toBeGreaterThan(0);

    // The projection binds every event; each was handled once. The notifications consumer's two
    // e-mails may come after the projection's last event: wait for both, and for every ack.
    const c1 = await scrapeUntil(
      consumers,
      (m) =>
        delta(c0!, m, 'consumer_messages_handled_total', { consumer: PROJECTION }) >= events &&
        delta(c0!, m, 'consumer_messages_handled_total', { consumer: 'notifications' }) >= 2 &&
        m.value('consumer_unacknowledged_messages') === 0,
      'events handled',
    );
    expect(delta(c0!, c1, 'consumer_messages_handled_total', { consumer: PROJECTION })).toBe(events);
    expect(delta(c0!, c1, 'consumer_handler_duration_seconds_count', { consumer: PROJECTION })).toBe(events);
    // The notifications consumer e-mails each outcome.
    expect(delta(c0!, c1, 'consumer_messages_handled_total', { consumer: 'notifications' })).toBe(2);
    expect(c1.value('consumer_unacknowledged_messages')).toBe(0);

    const a1 = await scrape(api);
    expect(delta(a0!, a1, 'http_server_requests_total', { method: 'POST', route: '/orders' })).toBe(2);
    expect(delta(a0!, a1, 'http_server_request_duration_seconds_count', { method: 'POST', route: '/orders' })).toBe(2);
  });

  it('a compensation that cannot succeed: outcome needs_attention with its failed step, and the saga_needs_attention_sagas gauge', async () => {
    const w0 = await scrapeUntil(worker, () => true, 'a scrape');
    const orderId = await submit(
      orderBody({
        payment: { token: 'tok_refundRejected' },
        // No shipping to Antarctica: createShipment fails for good, and the refund is rejected.
        shippingAddress: { name: 'Base', line1: 'Ice shelf 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
      }),
    );
    await waitForEnd(orderId, 'NEEDS_ATTENTION');
    const w1 = await scrapeUntil(
      worker,
      (m) => m.value('saga_needs_attention_sagas') === w0.value('saga_needs_attention_sagas') + 1,
      'the order in the needs-attention gauge',
    );
    expect(delta(w0, w1, 'saga_outcomes_total', { outcome: 'needs_attention', failed_step: 'createShipment' })).toBe(1);
    expect(delta(w0, w1, 'saga_step_duration_seconds_count', { step: 'refundPayment', kind: 'compensation', result: 'error' })).toBe(1);
  });

  it('a step that keeps failing: retries counted, the saga counted as stalled, then not once it moves on', async () => {
    const w0 = await scrape(worker);
    const body = orderBody();
    const failing = await failOrderWrites(stack.db.sql, {
      table: 'payments',
      on: 'INSERT',
      customerId: body.customerId,
      sqlState: '40001',
      message: 'simulated serialization failure',
    });
    let removed = false;
    try {
      const orderId = await submit(body);
      await scrapeUntil(worker, (m) => m.value('saga_stalled_sagas') >= 1, 'the saga counted as stalled', 30_000);
      await failing.remove();
      removed = true;
      await waitForEnd(orderId, 'COMPLETED');
      const w1 = await scrapeUntil(worker, (m) => m.value('saga_stalled_sagas') === 0, 'no stalled saga any more', 20_000);
      expect(delta(w0, w1, 'saga_step_retries_total', { step: 'chargePayment' })).toBeGreaterThanOrEqual(1);
      expect(delta(w0, w1, 'saga_step_duration_seconds_count', { step: 'chargePayment', result: 'error' })).toBe(
        delta(w0, w1, 'saga_step_retries_total', { step: 'chargePayment' }),
      );
      expect(delta(w0, w1, 'saga_outcomes_total', { outcome: 'completed' })).toBe(1);
      expect(delta(w0, w1, 'saga_needs_attention_sagas')).toBe(0);
    } finally {
      if (!removed) await failing.remove();
    }
  });

  it('consumer retries, dead letters and duplicates: counted by consumer and reason; the DLQ depth rises, and falls once purged', async () => {
    const c0 = await scrape(consumers);
    const orderId = randomUUID();
    const failing = await failOrderWrites(stack.db.sql, {
      table: 'order_projection',
      on: 'INSERT',
      orderId,
      sqlState: '40001',
      message: 'simulated projection failure',
    });
    try {
      await kit.publish([envelope('order.submitted', { customerId: 'c-metrics', totalCents: 500, currency: 'EUR', lines: [] }, orderId)]);
      await kit.publishRaw('order.submitted', Buffer.from('not json'), { messageId: randomUUID(), contentType: 'application/json' });
      const c1 = await scrapeUntil(
        consumers,
        (m) =>
          m.value('consumer_dead_letter_messages', { consumer: PROJECTION }) -
            c0.value('consumer_dead_letter_messages', { consumer: PROJECTION }) ===
          2,
        'two dead letters in the projection’s DLQ',
      );
      // CONSUMER_MAX_ATTEMPTS=2: one retry, then parked.
      expect(delta(c0, c1, 'consumer_messages_retried_total', { consumer: PROJECTION })).toBe(1);
      expect(delta(c0, c1, 'consumer_messages_dead_lettered_total', { consumer: PROJECTION, reason: 'retries-exhausted' })).toBe(1);
      expect(delta(c0, c1, 'consumer_messages_dead_lettered_total', { consumer: PROJECTION })).toBe(2);
      expect(delta(c0, c1, 'consumer_messages_handled_total', { consumer: PROJECTION })).toBe(0);
      expect(c1.value('consumer_queue_messages', { consumer: PROJECTION })).toBe(0);
    } finally {
      await failing.remove();
    }

    // The same event twice: one effect, one duplicate absorbed by the inbox.
    const c2 = await scrape(consumers);
    const again = envelope('order.submitted', { customerId: 'c-metrics', totalCents: 500, currency: 'EUR', lines: [] });
    await kit.publish([again]);
    await kit.publish([again]);
    const c3 = await scrapeUntil(
      consumers,
      (m) => delta(c2, m, 'consumer_duplicates_absorbed_total', { consumer: PROJECTION }) === 1,
      'the duplicate absorbed',
    );
    expect(delta(c2, c3, 'consumer_messages_handled_total', { consumer: PROJECTION })).toBe(1);

    // The operator empties the DLQ: the shared gauge follows.
    const connection = await amqp.connect(stack.config.AMQP_URL);
    try {
      const channel = await connection.createChannel();
      const projection = shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix }).find((definition) => definition.name === PROJECTION)!;
      await channel.purgeQueue(consumerQueuesOf(projection, retryPolicyFrom(stack.config)).deadLetter);
    } finally {
      await connection.close();
    }
    await scrapeUntil(
      consumers,
      (m) => m.value('consumer_dead_letter_messages', { consumer: PROJECTION }) === 0,
      'the DLQ gauge back to 0',
    );
  });

  it('a delivery held in its handler counts as unacknowledged until it settles', async () => {
    const orderId = randomUUID();
    const name = `test_slow_${orderId.slice(0, 8)}`;
    // The projection's insert for this order waits 4 s inside the handler's transaction.
    await stack.db.sql.unsafe(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.order_id = '${orderId}' THEN PERFORM pg_sleep(4); END IF; RETURN NEW; END $$;
      CREATE TRIGGER ${name} BEFORE INSERT ON order_projection FOR EACH ROW EXECUTE FUNCTION ${name}();`);
    try {
      const c0 = await scrape(consumers);
      await kit.publish([envelope('order.submitted', { customerId: 'c-metrics', totalCents: 500, currency: 'EUR', lines: [] }, orderId)]);
      await scrapeUntil(
        consumers,
        (m) => m.value('consumer_unacknowledged_messages', { consumer: PROJECTION }) === 1,
        'one delivery held',
        5000,
      );
      const settled = await scrapeUntil(
        consumers,
        (m) => m.value('consumer_unacknowledged_messages', { consumer: PROJECTION }) === 0,
        'the delivery settled',
        10_000,
      );
      expect(delta(c0, settled, 'consumer_messages_handled_total', { consumer: PROJECTION })).toBe(1);
      // Its handler call took the trigger's 4 s: in the 5 s bucket, not the 2.5 s one.
      const bucket = (le: string) => delta(c0, settled, 'consumer_handler_duration_seconds_bucket', { consumer: PROJECTION, le });
      expect([bucket('2.5'), bucket('5')]).toEqual([0, 1]);
    } finally {
      await stack.db.sql.unsafe(`DROP TRIGGER ${name} ON order_projection; DROP FUNCTION ${name}();`);
    }
  });

  it(`dead-letter actions: one left running longer than DLQ_ACTION_UNFINISHED_AFTER_SECONDS (${UNFINISHED_AFTER_SECONDS} s here) counts in the API's gauge; a fresh or a finished one does not`, async () => {
    const stale = await deadLetterActionStarted(stack.db, PROJECTION, UNFINISHED_AFTER_SECONDS * 2);
    // Still within the threshold: a sweep that may yet finish.
    const fresh = await deadLetterActionStarted(stack.db, PROJECTION, UNFINISHED_AFTER_SECONDS / 2);
    // Started as long ago as the stale one, and finished.
    for (const status of ['done', 'failed'] as const) {
      const old = await deadLetterActionStarted(stack.db, 'notifications', UNFINISHED_AFTER_SECONDS * 2);
      await finishDeadLetterAction(stack.db.db, old.id, {
        ...(status === 'done' ? { status } : { status, error: 'the broker closed the channel' }),
        messageIds: [],
        count: 0,
        skipped: 0,
      });
    }
    await scrapeUntil(api, (m) => m.value('dead_letter_actions_unfinished') === 1, 'the stale action in the gauge');

    await finishDeadLetterAction(stack.db.db, stale.id, {
      status: 'failed',
      error: 'closed by the operator',
      messageIds: [],
      count: 0,
      skipped: 0,
    });
    const closed = await scrapeUntil(
      api,
      (m) => m.value('dead_letter_actions_unfinished') === 0,
      'the gauge back to 0 once it is finished',
    );
    expect(closed.value('metrics_read_failures_total', { reading: 'dead_letter_actions' })).toBe(0);
    await finishDeadLetterAction(stack.db.db, fresh.id, { status: 'done', messageIds: [], count: 0, skipped: 0 });
  });

  it('an outbox backlog: pending and its age rise while no relay can publish, and return to 0 once one can', async () => {
    await stop(relay.child);
    // A relay that cannot reach the broker exports the backlog (shared state) without draining it.
    const unreachable = await start(RELAY, { AMQP_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}` });
    const orderId = await submit(orderBody());
    await waitForEnd(orderId, 'COMPLETED');
    const [row] = await stack.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = ${orderId}`;
    const events = row!.n;
    const backlog = await scrapeUntil(unreachable.url, (m) => m.value('outbox_pending_events') === events, 'the backlog in the gauge');
    expect(backlog.value('outbox_oldest_pending_age_seconds')).toBeGreaterThan(0);
    expect(backlog.value('outbox_events_published_total')).toBe(0);
    await stop(unreachable.child);

    relay = await start(RELAY);
    const drained = await scrapeUntil(
      relay.url,
      (m) => m.value('outbox_pending_events') === 0 && m.value('outbox_events_published_total') === events,
      'the backlog published',
    );
    expect(drained.value('outbox_oldest_pending_age_seconds')).toBe(0);
    expect(drained.value('outbox_dead_events')).toBe(0);
  });
});
