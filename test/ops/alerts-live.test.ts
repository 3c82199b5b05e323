import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishDeadLetterAction } from '../../api/store/dead-letter-actions';
import { appendToOutbox } from '../../outbox/append';
import { API, CONSUMERS, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { spawnWithMetrics, type ProcessWithMetrics } from '../support/metrics-processes';
import { alertRules, startPrometheus, type AlertRule, type RunningPrometheus } from '../support/prometheus';
import { deleteShippedQueues } from '../support/shipped-queues';
import { deadLetterActionStarted } from '../support/dead-letter-actions';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';
import { waitFor } from '../support/consumer-kit';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Each alert of docker/prometheus/alerts.yml, driven on real processes: a real Prometheus
 * (Debian's binary, its own temp storage, a free port, 1 s scrape and evaluation) scrapes a real
 * saga worker, relay, consumers process and API, and the test makes each condition true and waits,
 * through Prometheus's HTTP API, for the rule to fire on it.
 *
 * The rules are alerts.yml's own expressions loaded with `for: 0s`: `for` only delays a firing
 * that promtool's tests (alerts.test.yml) already cover, and minutes of waiting per alert would
 * buy nothing here. One threshold is lowered: the outbox age's 120 s becomes 5 s (the same
 * expression otherwise), so a stopped relay crosses it within seconds.
 */
const OUTBOX_TEST_THRESHOLD = 5;
const STALL_AFTER_SECONDS = 3;

function rulesForTest(): { groups: { name: string; rules: AlertRule[] }[] } {
  const rules = alertRules().map((rule) => {
    if (rule.alert !== 'OutboxEventsNotPublished') return { ...rule, for: '0s' };
    const expr = rule.expr.replace(/> 120$/, `> ${OUTBOX_TEST_THRESHOLD}`);
    if (expr === rule.expr) throw new Error(`OutboxEventsNotPublished no longer ends in "> 120": ${rule.expr}`);
    return { ...rule, expr, for: '0s' };
  });
  return { groups: [{ name: 'saga-orchestrator-test', rules }] };
}

let stack: TestStack;
let prefix: string;
let relayLink: TcpRelay;
let prometheus: RunningPrometheus;
let sql: postgres.Sql;
const apps = new Map<string, ProcessWithMetrics>();

beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  prefix = `${stack.exchange}.`;
  sql = postgres(stack.databaseUrl, { max: 4, onnotice: () => {} });
  // The relay reaches RabbitMQ through a TCP relay the test can cut: a relay that is up (and still
  // exporting the outbox gauges) but cannot publish.
  relayLink = await startTcpRelay('127.0.0.1', Number(new URL(stack.config.AMQP_URL).port || 5672));
  const amqpThroughLink = new URL(stack.config.AMQP_URL);
  amqpThroughLink.hostname = '127.0.0.1';
  amqpThroughLink.port = String(relayLink.port);
  const env = appProcessEnv(stack, {
    CONSUMER_QUEUE_PREFIX: prefix,
    SAGA_STALL_AFTER_SECONDS: String(STALL_AFTER_SECONDS),
    // A handler blocked on a lock stays blocked (no handler timeout turns it into a retry).
    CONSUMER_HANDLER_TIMEOUT_MS: '600000',
  });
  const envOf: Record<string, NodeJS.ProcessEnv> = {
    // A row it cannot publish goes dead after two quick attempts.
    [RELAY]: {
      ...env,
      AMQP_URL: amqpThroughLink.toString(),
      RELAY_MAX_ATTEMPTS: '2',
      RELAY_BACKOFF_BASE_MS: '100',
      RELAY_BACKOFF_MAX_MS: '200',
    },
  };
  for (const name of [SAGA_WORKER, RELAY, CONSUMERS, API]) apps.set(name, await spawnWithMetrics(name, envOf[name] ?? env));
  prometheus = await startPrometheus(
    [...apps.values()].map((app) => ({ job: app.name, targets: [app.target], bearerToken: app.bearerToken })),
    rulesForTest(),
  );
});

afterAll(async () => {
  for (const app of apps.values()) await app.stop();
  await prometheus?.close();
  await relayLink?.close();
  await sql?.end({ timeout: 5 });
  if (stack) await deleteShippedQueues(stack, prefix);
  await stack?.close();
});

const firing = async (alertname: string) =>
  (await prometheus.alerts()).filter((alert) => alert.labels.alertname === alertname && alert.state === 'firing');

async function waitForFiring(alertname: string, labels: Record<string, string>, timeoutMs = 45_000) {
  await waitFor(
    async () => (await firing(alertname)).some((alert) => Object.entries(labels).every(([key, value]) => alert.labels[key] === value)),
    `${alertname} to fire with ${JSON.stringify(labels)}`,
    timeoutMs,
  );
  return (await firing(alertname)).find((alert) => Object.entries(labels).every(([key, value]) => alert.labels[key] === value))!;
}

const exprOf = (alertname: string) => rulesForTest().groups[0]!.rules.find((rule) => rule.alert === alertname)!.expr;

/** An order on a SKU of its own, through the stack's Temporal client to the worker process. */
async function startOrder(overrides: Parameters<TestStack['orderInput']>[0] = {}) {
  const sku = await stack.addSku({ priceCents: 500, onHand: 5 });
  const input = stack.orderInput({ items: [{ sku, quantity: 1 }], ...overrides });
  return { sku, input, handle: await stack.startOrder(input) };
}

describe('the alerts on real processes scraped by a real Prometheus', () => {
  it('every target is up and no alert fires while nothing is wrong', async () => {
    await waitFor(async () => (await prometheus.query('up == 1')).length === apps.size, 'every target scraped', 30_000);
    // A few evaluation rounds after the first scrapes.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await prometheus.alerts()).map((alert) => alert.labels.alertname)).toEqual([]);
  });

  it('ConsumerStuck: a handler blocked on a table lock holds its delivery, and the alert clears once it moves', async () => {
    const locker = await sql.reserve();
    try {
      await locker`begin`;
      await locker`lock table order_projection in access exclusive mode`;
      const { handle } = await startOrder();
      expect((await handle.result()).status).toBe('COMPLETED');
      const alert = await waitForFiring('ConsumerStuck', { consumer: 'order-projection', job: CONSUMERS });
      expect(Number(alert.value)).toBeGreaterThan(0);
      const held = await prometheus.query(exprOf('ConsumerStuck'));
      expect(held.map((sample) => sample.metric.consumer)).toContain('order-projection');
    } finally {
      await locker`rollback`;
      locker.release();
    }
    await waitFor(async () => (await firing('ConsumerStuck')).length === 0, 'ConsumerStuck to clear', 30_000);
  });

  it('ConsumerDeadLetters: a message no consumer can read lands in the DLQ', async () => {
    const connection = await amqp.connect(stack.config.AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(stack.exchange, 'order.submitted', Buffer.from('not an envelope'), { persistent: true });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const alert = await waitForFiring('ConsumerDeadLetters', { consumer: 'order-projection', job: CONSUMERS });
    expect(Number(alert.value)).toBe(1);
    const depth = await prometheus.query('max without (instance) (consumer_dead_letter_messages{consumer="order-projection"})');
    expect(depth.map((sample) => sample.value)).toEqual([1]);
  });

  it('SagasNeedAttention: an order whose refund is rejected', async () => {
    const { handle } = await startOrder({
      payment: { token: 'tok_refundRejected' },
      shippingAddress: { name: 'Base', line1: 'Ice shelf 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
    });
    expect((await handle.result()).status).toBe('NEEDS_ATTENTION');
    const alert = await waitForFiring('SagasNeedAttention', { job: SAGA_WORKER });
    expect(Number(alert.value)).toBe(1);
    expect((await prometheus.query(exprOf('SagasNeedAttention'))).map((sample) => sample.value)).toEqual([1]);
  });

  it('SagasStalled: an order whose stock reservation waits on a row lock for longer than SAGA_STALL_AFTER_SECONDS', async () => {
    const sku = await stack.addSku({ priceCents: 500, onHand: 5 });
    const locker = await sql.reserve();
    let handle: Awaited<ReturnType<TestStack['startOrder']>> | undefined;
    try {
      await locker`begin`;
      await locker`select sku from inventory where sku = ${sku} for update`;
      handle = await stack.startOrder(stack.orderInput({ items: [{ sku, quantity: 1 }] }));
      const alert = await waitForFiring('SagasStalled', { job: SAGA_WORKER });
      expect(Number(alert.value)).toBeGreaterThanOrEqual(1);
    } finally {
      await locker`rollback`;
      locker.release();
    }
    expect((await handle.result()).status).toBe('COMPLETED');
    await waitFor(async () => (await firing('SagasStalled')).length === 0, 'SagasStalled to clear', 30_000);
  });

  it('OutboxEventsDead: an event the relay can never publish (a header amqplib refuses to encode)', async () => {
    const orderId = randomUUID();
    await stack.db.db.transaction((tx) =>
      appendToOutbox(tx, { orderId, step: 'poison', causationId: 'x'.repeat(70 * 1024) }, [
        { name: 'order.submitted', content: { orderId } },
      ]),
    );
    const alert = await waitForFiring('OutboxEventsDead', { job: RELAY });
    expect(Number(alert.value)).toBe(1);
    const [dead] = await sql<{ attempts: number }[]>`select attempts from outbox where aggregate_id = ${orderId} and dead_at is not null`;
    expect(dead?.attempts).toBe(2);
  });

  it(`OutboxEventsNotPublished: the relay cut off from RabbitMQ while an order's events wait (threshold ${OUTBOX_TEST_THRESHOLD} s here)`, async () => {
    await relayLink.close();
    const { handle } = await startOrder();
    expect((await handle.result()).status).toBe('COMPLETED');
    const alert = await waitForFiring('OutboxEventsNotPublished', { job: RELAY });
    expect(Number(alert.value)).toBeGreaterThan(OUTBOX_TEST_THRESHOLD);
    const [age] = await prometheus.query('max without (instance) (outbox_oldest_pending_age_seconds)');
    expect(age!.value).toBeGreaterThan(OUTBOX_TEST_THRESHOLD);
  });

  it('DeadLetterActionsUnfinished: a replay left running an hour ago (its API process died during the sweep), until it is closed', async () => {
    const entry = await deadLetterActionStarted(stack.db, 'order-projection', 3600);
    const alert = await waitForFiring('DeadLetterActionsUnfinished', { job: API });
    expect(Number(alert.value)).toBe(1);
    await finishDeadLetterAction(stack.db.db, entry.id, {
      status: 'failed',
      error: 'closed by the operator',
      messageIds: [],
      count: 0,
      skipped: 0,
    });
    await waitFor(async () => (await firing('DeadLetterActionsUnfinished')).length === 0, 'DeadLetterActionsUnfinished to clear', 30_000);
  });

  it('MetricsTargetDown: a process that stopped', async () => {
    const api = apps.get(API)!;
    await api.stop();
    const alert = await waitForFiring('MetricsTargetDown', { job: API, instance: api.target });
    expect(Number(alert.value)).toBe(0);
  });
});
