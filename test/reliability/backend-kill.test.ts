import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventMessageId } from '../../messaging/message-id';
import { appEntry, SAGA_WORKER } from '../../tools/environment/app-entries';
import { spawnTs, type RunningChild } from '../support/child-process';
import { countBy, startConsumerKit, waitFor, type ConsumerKit } from '../support/consumer-kit';
import { stockOf } from '../support/order-rows';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * porsager/postgres#1208: postgres.js 3.4.9 writes to a transaction's connection after its
 * backend died, and the process exits with an uncatchable TypeError (or, once the connection
 * is back, the rest of the transaction commits on its own). Here the Postgres backends of a
 * saga worker process and of a consumer process are terminated again and again inside open
 * transactions, while orders flow and their events are consumed.
 */
const WORKER_APP = 'saga-worker'; // workers/run-saga-worker.ts
const CONSUMER_INSTANCE = 'killed';
const CONSUMER_APP = `consumer-process-${CONSUMER_INSTANCE}`; // test/support/consumer-process.ts
const BLOCKED_ORDERS = 6;
const BLOCKED_ROUNDS = 3;
const FLOWING_ORDERS = 12;
const FLOWING_KILLS_MS = 4000;

let stack: TestStack;
let kit: ConsumerKit;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: true, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack);
});
afterAll(async () => {
  await kit?.close();
  await stack?.close();
});

describe('Postgres backends killed under open transactions', () => {
  it('the saga worker and a consumer keep running, every order completes and every event is handled once', async () => {
    const databaseName = new URL(stack.databaseUrl).pathname.slice(1);
    const sku = await stack.addSku({ priceCents: 500, onHand: 100 });
    const consumer = kit.define('backend-kill', {}, { prefetch: 10, bindings: ['order.submitted'] });
    const worker = spawnTs(appEntry(SAGA_WORKER), {
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      LOG_LEVEL: 'error',
    });
    const consumerProcess = spawnTs(
      'test/support/consumer-process.ts',
      kit.processEnv(consumer, CONSUMER_INSTANCE, {
        // Kills fail attempts on purpose: none may end in the DLQ.
        CONSUMER_MAX_ATTEMPTS: '1000',
        TEST_CONSUMER_BINDINGS: 'order.submitted',
        // JavaScript work inside the inbox transaction: a kill then lands while it is idle in transaction.
        TEST_HANDLER_DELAY_MS: '150',
        LOG_LEVEL: 'error',
      }),
    );
    const children: Record<string, RunningChild> = { 'saga worker': worker, 'consumer process': consumerProcess };
    const blocker = postgres(stack.databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'backend-kill-blocker' } });
    const killsInTransaction = { [WORKER_APP]: 0, [CONSUMER_APP]: 0 };
    /** Terminates the backends of `apps`: all of them, or those waiting for `blockedBy`'s locks. */
    const kill = async (apps: readonly string[], blockedBy?: number) => {
      const rows = await stack.db.sql<{ app: string; inTransaction: boolean; terminated: boolean }[]>`
        SELECT application_name AS app, xact_start IS NOT NULL AS "inTransaction", pg_terminate_backend(pid) AS terminated
        FROM pg_stat_activity
        WHERE datname = ${databaseName} AND application_name IN ${stack.db.sql(apps)}
          AND (${blockedBy ?? null}::int IS NULL OR ${blockedBy ?? null}::int = ANY (pg_blocking_pids(pid)))`;
      for (const row of rows) if (row.terminated && row.inTransaction) killsInTransaction[row.app as keyof typeof killsInTransaction] += 1;
      return rows.filter((row) => row.terminated && row.inTransaction).map((row) => row.app);
    };
    const orderIds: string[] = [];
    const startOrder = () => {
      const input = stack.orderInput({ items: [{ sku, quantity: 1 }] });
      orderIds.push(input.orderId);
      return stack.startOrder(input);
    };
    const submittedId = (orderId: string) => eventMessageId(orderId, 'recordOrder', 'order.submitted');
    const assertAlive = () => {
      for (const [name, { child }] of Object.entries(children)) expect(child.exitCode, `the ${name} (pid ${child.pid}) exited`).toBeNull();
    };

    try {
      await consumerProcess.waitForLine('ready', 60_000);
      // Round after round, both processes are blocked mid-transaction on a lock the test holds
      // (the worker in reserveInventory's SELECT … FOR UPDATE, the consumer on its effect's
      // INSERT after the inbox row): each kill lands inside an open transaction.
      await blocker`BEGIN`;
      const [{ blockerPid }] = await blocker<[{ blockerPid: number }]>`SELECT pg_backend_pid() AS "blockerPid"`;
      await blocker`SELECT 1 FROM inventory WHERE sku = ${sku} FOR UPDATE`;
      await blocker`LOCK TABLE test_effects IN EXCLUSIVE MODE`;
      const blocked = await Promise.all(Array.from({ length: BLOCKED_ORDERS }, startOrder));
      for (let round = 1; round <= BLOCKED_ROUNDS; round++) {
        // Each process once per round, whenever it is back at the lock after its retry.
        const pending = new Set([WORKER_APP, CONSUMER_APP]);
        await waitFor(
          async () => {
            assertAlive();
            for (const app of await kill([...pending], blockerPid)) pending.delete(app);
            return pending.size === 0;
          },
          `both processes killed while waiting on the test's locks (round ${round})`,
          30_000,
        );
      }
      await blocker`COMMIT`;

      // Then orders flow freely while backends are killed at random moments.
      const consumerKillsBlocked = killsInTransaction[CONSUMER_APP];
      const flowing = [];
      const killing = (async () => {
        for (const deadline = Date.now() + FLOWING_KILLS_MS; Date.now() < deadline;) {
          await kill([WORKER_APP, CONSUMER_APP]);
          await sleep(100 + Math.random() * 100);
        }
      })();
      for (let i = 0; i < FLOWING_ORDERS; i++) {
        flowing.push(await startOrder());
        await sleep(FLOWING_KILLS_MS / FLOWING_ORDERS);
      }
      await killing;
      assertAlive();

      // No work lost: every order completed, its stock taken once, its event handled once.
      const handles = [...blocked, ...flowing];
      const results = await Promise.all(handles.map((handle) => handle.result()));
      expect(results.map((result) => result.status)).toEqual(handles.map(() => 'COMPLETED'));
      expect(await stockOf(stack.db.db, sku)).toEqual({ onHand: 100 - handles.length, reserved: 0 });
      const submitted = orderIds.map(submittedId);
      await waitFor(
        async () => countBy(await kit.effects(submitted), (e) => e.messageId).size === submitted.length,
        'every order.submitted handled',
        60_000,
      );
      const perMessage = countBy(await kit.effects(submitted), (e) => e.messageId);
      expect([...perMessage.values()].filter((n) => n !== 1)).toEqual([]);
      expect(await kit.control.getConsumer(consumer.name)).toMatchObject({ queueDepth: 0, dlqDepth: 0 });
      expect(killsInTransaction[WORKER_APP]).toBeGreaterThanOrEqual(BLOCKED_ROUNDS);
      expect(consumerKillsBlocked).toBeGreaterThanOrEqual(BLOCKED_ROUNDS);
      // Some random kills hit the consumer idle in transaction (in its handler's JavaScript).
      expect(killsInTransaction[CONSUMER_APP]).toBeGreaterThan(consumerKillsBlocked);
      assertAlive();

      // Still the same processes, still serving: one more order goes all the way through.
      const last = await startOrder();
      expect((await last.result()).status).toBe('COMPLETED');
      await waitFor(async () => (await kit.effects([submittedId(orderIds.at(-1)!)])).length === 1, 'the last order.submitted handled');
      assertAlive();
    } finally {
      await blocker.end({ timeout: 5 });
      for (const { child } of Object.values(children)) if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
