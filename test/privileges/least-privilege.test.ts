import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type ConfirmChannel } from 'amqplib';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { withDatabase } from '../../db/admin';
import { asUser, dropLoginRoles, ensureLoginRoles, listLoginRoles, type DbProcess } from '../../db/login-roles';
import { postgresErrorIn } from '../../db/postgres-errors';
import { orderProjection, orders } from '../../drizzle/schema';
import { brokerPermissions, type BrokerProcess } from '../../messaging/broker-permissions';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { sendConfirmed } from '../../messaging/confirmed-send';
import { API, appEntry, CONSUMERS, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { deleteBrokerUsers, ensureBrokerUsers, listBrokerUsers } from '../../tools/environment/broker-users';
import { isStaleRunName } from '../../tools/environment/run-identity';
import { REPO_ROOT } from '../../tools/environment/child-process';
import { apiClientAt, TEST_ADMIN_TOKEN } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { deadLetterActionStarted } from '../support/dead-letter-actions';
import { orderBody } from '../support/order-body';
import { scrapeMetrics } from '../support/prometheus-text';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';
import { declareDeploymentTopology } from '../../workers/process-credentials';

/**
 * Least privilege (docs/operations.md "## Least privilege"): every app process on its own
 * PostgreSQL login (a member of its group role from migration 0010) and its own RabbitMQ user
 * (messaging/broker-permissions.ts), a saga end to end through all four, and each refused
 * outside its permissions. The users are this run's own (on the shared vhost, with
 * permissions on this run's exchange and queues only) and are removed afterwards.
 */
let stack: TestStack;
let prefix: string;
let dbUsers: Record<DbProcess, string>;
let brokerUsers: Record<BrokerProcess, { name: string; password: string }>;
const children: RunningChild[] = [];

const dbUrl = (process: DbProcess) => asUser(stack.databaseUrl, dbUsers[process]);
const amqpUrl = (process: BrokerProcess) => asUser(stack.config.AMQP_URL, brokerUsers[process].name, brokerUsers[process].password);
const consumerQueues = () =>
  shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix }).map((d) => consumerQueuesOf(d, retryPolicyFrom(stack.config)));

/** Removes the users and roles of earlier runs killed before their teardown (named after their run, like their databases). */
async function sweepStaleUsers(adminUrl: string): Promise<void> {
  const roles = (await listLoginRoles(adminUrl, 'test_')).filter((name) => isStaleRunName(name, 'test_'));
  await dropLoginRoles(adminUrl, roles);
  await deleteBrokerUsers((await listBrokerUsers('test.')).filter((name) => isStaleRunName(name, 'test.')));
}

beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  await sweepStaleUsers(stack.config.DATABASE_URL);
  prefix = `${stack.exchange}.`;
  const run = stack.exchange.replace(/\.events$/, '');
  const role = (process: string) => `${run.replaceAll('.', '_')}_${process.replaceAll('-', '_')}`;
  dbUsers = { 'saga-worker': role('worker'), 'outbox-relay': role('relay'), consumers: role('consumers'), api: role('api') };
  // Trust authentication on 127.0.0.1: the logins need no password here.
  await ensureLoginRoles(
    stack.config.DATABASE_URL,
    (Object.keys(dbUsers) as DbProcess[]).map((process) => ({ name: dbUsers[process], process })),
  );
  // The topology's owner step, as the admin: the processes below only check it (DECLARE_TOPOLOGY=0).
  await declareDeploymentTopology(stack.config.AMQP_URL, { ...stack.config, CONSUMER_QUEUE_PREFIX: prefix });
  const permissions = brokerPermissions({ exchange: stack.exchange, consumers: consumerQueues() });
  const user = (process: BrokerProcess) => ({ name: `${run}.${process}`, password: randomBytes(12).toString('hex') });
  brokerUsers = { 'outbox-relay': user('outbox-relay'), consumers: user('consumers'), api: user('api') };
  await ensureBrokerUsers(
    '/',
    (Object.keys(brokerUsers) as BrokerProcess[]).map((process) => ({ ...brokerUsers[process], permissions: permissions[process] })),
  );
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  if (stack) {
    const connection = await amqp.connect(stack.config.AMQP_URL);
    const channel = await connection.createChannel();
    for (const { queue, deadLetter, retries } of consumerQueues())
      for (const name of [queue, deadLetter, ...retries]) await channel.deleteQueue(name);
    await connection.close();
    if (brokerUsers) await deleteBrokerUsers(Object.values(brokerUsers).map((u) => u.name));
    await stack.close();
    // Roles are the server's, not the (now dropped) database's.
    if (dbUsers) await dropLoginRoles(withDatabase(stack.config.DATABASE_URL, 'postgres'), Object.values(dbUsers));
  }
});

/** Starts an app process on its own credentials, and waits for the line that says it is up. */
async function start(name: string, env: NodeJS.ProcessEnv, ready: string): Promise<RunningChild> {
  const child = spawnTs(
    appEntry(name),
    appProcessEnv(stack, {
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      METRICS_PORT: '0',
      CONSUMER_QUEUE_PREFIX: prefix,
      RELAY_POLL_INTERVAL_MS: '250',
      DECLARE_TOPOLOGY: '0',
      LOG_LEVEL: 'info',
      ...env,
    }),
  );
  children.push(child);
  await child.waitForLog(ready, 60_000);
  return child;
}

describe('every process on its own user and role', () => {
  it('runs a saga end to end: API, saga worker, relay and consumers', async () => {
    // The worker has no broker user at all: an AMQP_URL with no such user proves it never connects.
    const noBroker = asUser(stack.config.AMQP_URL, 'nobody-at-all', 'nothing');
    const worker = await start(SAGA_WORKER, { DATABASE_URL: dbUrl('saga-worker'), AMQP_URL: noBroker }, 'metrics listening');
    const relay = await start(RELAY, { DATABASE_URL: dbUrl('outbox-relay'), AMQP_URL: amqpUrl('outbox-relay') }, 'metrics listening');
    const consumers = await start(CONSUMERS, { DATABASE_URL: dbUrl('consumers'), AMQP_URL: amqpUrl('consumers') }, 'consumers running');
    const api = await start(API, { DATABASE_URL: dbUrl('api'), AMQP_URL: amqpUrl('api') }, 'API listening');
    const apiUrl = /"url":"([^"]+)"/.exec(api.output())![1]!;

    const body = orderBody();
    const customer = apiClientAt(apiUrl, stack.config, { customer: body.customerId });
    const submitted = await customer.POST('/orders', { body, params: { header: { 'idempotency-key': randomUUID() } } });
    expect(submitted.response.status).toBeLessThan(300);
    const { orderId } = submitted.data!;
    const read = stack.db.db;
    await waitFor(
      async () => (await read.select().from(orders).where(eq(orders.id, orderId)))[0]?.status === 'COMPLETED',
      'the order to complete',
      30_000,
    );
    // Its events went out through the relay and reached the consumers' read model.
    await waitFor(
      async () => (await read.select().from(orderProjection).where(eq(orderProjection.orderId, orderId)))[0]?.status === 'COMPLETED',
      'the projection to show the order completed',
      30_000,
    );
    // The API reads its own tables and the consumers' queues (admin routes) with its grants.
    expect((await customer.GET('/orders/{id}', { params: { path: { id: orderId } } })).response.status).toBe(200);
    const listed = await apiClientAt(apiUrl, stack.config).GET('/admin/consumers');
    expect(listed.response.status).toBe(200);
    expect(listed.data?.consumers.every((consumer) => consumer.declared)).toBe(true);
    expect((await apiClientAt(apiUrl, stack.config, 'anonymous').GET('/readyz')).response.status).toBe(200);
    // The shared-state gauges each process reads at scrape time (orders and steps, the outbox,
    // queue depths and consumer states) are within its grants: no reading failed.
    for (const [child, gauge] of [
      [worker, 'saga_stalled_sagas'],
      [relay, 'outbox_pending_events'],
      [consumers, 'consumer_queue_messages'],
    ] as const) {
      const port = /"metricsPort":(\d+)/.exec(child.output())![1]!;
      const metrics = await scrapeMetrics(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.has(gauge), gauge).toBe(true);
      expect(metrics.value('metrics_read_failures_total'), gauge).toBe(0);
    }
    // The API's: a replay left running an hour ago counts (a failed reading would show in the
    // next scrape's failures, so the check takes two).
    const stale = await deadLetterActionStarted(stack.db, 'privileges-stale', 3600);
    const unfinished = async () => (await scrapeMetrics(`${apiUrl}/metrics`, TEST_ADMIN_TOKEN)).value('dead_letter_actions_unfinished');
    await waitFor(async () => (await unfinished()) === 1, 'the API to count the unfinished action', 15_000);
    const apiMetrics = await scrapeMetrics(`${apiUrl}/metrics`, TEST_ADMIN_TOKEN);
    expect(apiMetrics.value('metrics_read_failures_total')).toBe(0);
    // The runbook's statement closes it as the API's own login, and the gauge follows.
    const asApi = postgres(dbUrl('api'), { max: 1, onnotice: () => {} });
    try {
      expect((await asApi.unsafe(runbookCloseStatement(stale.id))).count).toBe(1);
    } finally {
      await asApi.end({ timeout: 5 });
    }
    await waitFor(async () => (await unfinished()) === 0, 'the closed action out of the gauge', 15_000);
    for (const child of [worker, relay, consumers, api]) expect(child.output()).not.toMatch(/permission denied|ACCESS_REFUSED/);
  }, 120_000);
});

/** The statement the DeadLetterActionsUnfinished runbook (docs/observability.md) gives to close entry `id`. */
function runbookCloseStatement(id: number): string {
  const docs = readFileSync(join(REPO_ROOT, 'docs/observability.md'), 'utf8');
  const runbook = docs.split('\n### DeadLetterActionsUnfinished\n')[1]?.split('\n### ')[0] ?? '';
  const statement = /```sql\n([\s\S]*?)```/.exec(runbook)?.[1];
  if (!statement?.includes('<id>'))
    throw new Error('docs/observability.md: the DeadLetterActionsUnfinished runbook has no ```sql block with <id>');
  return statement.replace('<id>', String(id));
}

/** The broker's answer to `work` on a fresh confirm channel as `url`'s user: 'allowed', or the error that closed the channel. */
async function brokerAnswer(url: string, work: (channel: ConfirmChannel) => Promise<unknown>): Promise<string> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    const closed = new Promise<string>((resolve) => channel.on('error', (error: Error) => resolve(error.message)));
    const outcome = await work(channel).then(
      () => 'allowed',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    return outcome === 'allowed' ? outcome : `${outcome} ${await Promise.race([closed, Promise.resolve('')])}`;
  } finally {
    await connection.close().catch(() => {});
  }
}

const publish = (channel: ConfirmChannel, exchange: string, key: string) =>
  new Promise<void>((resolve, reject) =>
    channel.publish(exchange, key, Buffer.from('{}'), {}, (error: unknown) => (error ? reject(new Error(String(error))) : resolve())),
  );

/** What Postgres answers `statement` as `url`'s role: 'allowed' or the SQLSTATE and message. */
async function databaseAnswer(url: string, statement: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(statement);
      throw new Error('rolled back'); // nothing a check does is kept
    });
    return 'allowed';
  } catch (error) {
    const pg = postgresErrorIn(error);
    return pg ? `${pg.code} ${pg.message}` : error instanceof Error && error.message === 'rolled back' ? 'allowed' : String(error);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe('refused outside its permissions', () => {
  it("the relay's broker user cannot consume a consumer's queue or publish to another exchange", async () => {
    const [projection] = consumerQueues();
    expect(await brokerAnswer(amqpUrl('outbox-relay'), (ch) => ch.consume(projection!.queue, () => {}))).toMatch(/ACCESS_REFUSED/);
    expect(await brokerAnswer(amqpUrl('outbox-relay'), (ch) => publish(ch, 'amq.topic', 'order.completed'))).toMatch(/ACCESS_REFUSED/);
    expect(
      await brokerAnswer(amqpUrl('outbox-relay'), (ch) => {
        ch.sendToQueue(projection!.queue, Buffer.from('{}'));
        return ch.waitForConfirms();
      }),
    ).toMatch(/ACCESS_REFUSED/);
    expect(await brokerAnswer(amqpUrl('outbox-relay'), (ch) => ch.deleteExchange(stack.exchange))).toMatch(/ACCESS_REFUSED/);
    // What it is there for works.
    expect(await brokerAnswer(amqpUrl('outbox-relay'), (ch) => publish(ch, stack.exchange, 'no.consumer.binds.this'))).toBe('allowed');
  });

  it("a consumer's broker user cannot publish events, nor declare a queue, nor read another's", async () => {
    expect(await brokerAnswer(amqpUrl('consumers'), (ch) => publish(ch, stack.exchange, 'order.completed'))).toMatch(/ACCESS_REFUSED/);
    const [first] = consumerQueues();
    expect(await brokerAnswer(amqpUrl('consumers'), (ch) => ch.consume(first!.deadLetter, () => {}))).toMatch(/ACCESS_REFUSED/);
    // What it is there for works: a retry and a dead letter through the default exchange.
    for (const queue of [first!.retries[0]!, first!.deadLetter]) {
      expect(await brokerAnswer(amqpUrl('consumers'), (ch) => sendConfirmed(ch, queue, Buffer.from('{}'), {}))).toBe('allowed');
    }
    expect(await brokerAnswer(amqpUrl('consumers'), (ch) => ch.assertQueue(`${prefix}not-a-consumer`))).toMatch(/ACCESS_REFUSED/);
  });

  it("the API's broker user cannot publish events or declare anything", async () => {
    expect(await brokerAnswer(amqpUrl('api'), (ch) => publish(ch, stack.exchange, 'order.completed'))).toMatch(/ACCESS_REFUSED/);
    expect(await brokerAnswer(amqpUrl('api'), (ch) => ch.assertExchange(stack.exchange, 'topic', { durable: true }))).toMatch(
      /ACCESS_REFUSED/,
    );
  });

  it("the API's role cannot write the outbox directly or read a table it has no grant on", async () => {
    const insert = `INSERT INTO outbox (id, aggregate_id, name, payload) VALUES (gen_random_uuid(), 'x', 'order.completed', '{}')`;
    expect(await databaseAnswer(dbUrl('api'), insert)).toMatch(/^42501 permission denied for table outbox/);
    expect(await databaseAnswer(dbUrl('api'), `UPDATE outbox SET payload = '{}'`)).toMatch(/^42501 permission denied for table outbox/);
    // It reads the consumers' receipts for an order's timeline, and never writes them.
    expect(await databaseAnswer(dbUrl('api'), 'SELECT count(*) FROM inbox')).toBe('allowed');
    expect(await databaseAnswer(dbUrl('api'), 'DELETE FROM inbox')).toMatch(/^42501 permission denied for table inbox/);
    expect(await databaseAnswer(dbUrl('api'), 'DELETE FROM order_event_history')).toMatch(
      /^42501 permission denied for table order_event_history/,
    );
    // The dead-letter audit: it finishes a running entry, once; who did what, and when, stay as written.
    expect(await databaseAnswer(dbUrl('api'), 'DELETE FROM dead_letter_actions')).toMatch(
      /^42501 permission denied for table dead_letter_actions/,
    );
    expect(await databaseAnswer(dbUrl('api'), `UPDATE dead_letter_actions SET actor = '{}', at = now()`)).toMatch(/^42501/);
    const startThenFinish = (status: string, finishedAt: string) => `DO $$ BEGIN
      INSERT INTO dead_letter_actions (consumer, action, actor, filter, message_ids, count, skipped, status, finished_at)
        VALUES ('privileges', 'discard', '{}', '{}', '[]', 0, 0, '${status}', ${finishedAt});
      UPDATE dead_letter_actions SET status = 'done', count = 1, finished_at = now() WHERE consumer = 'privileges';
    END $$`;
    expect(await databaseAnswer(dbUrl('api'), startThenFinish('running', 'NULL'))).toBe('allowed');
    expect(await databaseAnswer(dbUrl('api'), startThenFinish('done', 'now()'))).toMatch(
      /^P0001 dead-letter action \d+ is done: a finished action is never changed/,
    );
    expect(await databaseAnswer(dbUrl('api'), 'SELECT count(*) FROM payments')).toMatch(/^42501 permission denied for table payments/);
    // What its admin route does (requeue a dead row) it may.
    expect(await databaseAnswer(dbUrl('api'), `UPDATE outbox SET dead_at = NULL, attempts = 0 WHERE false`)).toBe('allowed');
  });

  it("the saga worker's role cannot drop or alter tables, nor mark outbox rows published", async () => {
    expect(await databaseAnswer(dbUrl('saga-worker'), 'DROP TABLE orders')).toMatch(/^42501 must be owner of table orders/);
    expect(await databaseAnswer(dbUrl('saga-worker'), 'CREATE TABLE stolen (x int)')).toMatch(/^42501 permission denied for schema public/);
    expect(await databaseAnswer(dbUrl('saga-worker'), 'UPDATE outbox SET published_at = now()')).toMatch(/^42501/);
  });

  it("the relay's and the consumers' roles stay on their own tables", async () => {
    expect(await databaseAnswer(dbUrl('outbox-relay'), 'SELECT count(*) FROM orders')).toMatch(/^42501 permission denied for table orders/);
    expect(await databaseAnswer(dbUrl('outbox-relay'), 'INSERT INTO inbox DEFAULT VALUES')).toMatch(/^42501/);
    // Retention (db/retention.ts) is the relay's: it may delete old inbox rows and keys, and move outbox rows to the history.
    expect(await databaseAnswer(dbUrl('outbox-relay'), `DELETE FROM inbox WHERE processed_at < now() - interval '30 days'`)).toBe(
      'allowed',
    );
    expect(await databaseAnswer(dbUrl('outbox-relay'), `DELETE FROM idempotency_keys WHERE false`)).toBe('allowed');
    const archive = `WITH gone AS (DELETE FROM outbox WHERE false RETURNING id, seq, aggregate_id, name, payload, metadata, created_at, published_at, attempts)
      INSERT INTO order_event_history (id, seq, aggregate_id, name, payload, metadata, created_at, published_at, attempts) SELECT * FROM gone`;
    expect(await databaseAnswer(dbUrl('outbox-relay'), archive)).toBe('allowed');
    expect(await databaseAnswer(dbUrl('outbox-relay'), 'DELETE FROM order_event_history WHERE false')).toBe('allowed');
    expect(await databaseAnswer(dbUrl('outbox-relay'), 'SELECT count(*) FROM dead_letter_actions')).toMatch(/^42501/);
    expect(await databaseAnswer(dbUrl('consumers'), 'SELECT count(*) FROM outbox')).toMatch(/^42501 permission denied for table outbox/);
    expect(await databaseAnswer(dbUrl('consumers'), `UPDATE consumer_controls SET state = 'stopped'`)).toMatch(/^42501/);
  });
});
