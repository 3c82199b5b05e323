import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDb, TransactionConnectionLostError, type DbHandle } from '../../db/client';
import { startTestStack, type TestStack } from '../support/test-stack';

const APP = 'tx-lost-test';

let stack: TestStack;
let handle: DbHandle;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  await stack.db.sql`CREATE TABLE tx_lost (v text NOT NULL)`;
  handle = connectDb(stack.databaseUrl, { max: 1, applicationName: APP });
});
afterAll(async () => {
  await handle?.close();
  await stack?.close();
});

/** Terminates the handle's backends that are inside a transaction. */
const killTransactions = () =>
  stack.db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${APP} AND xact_start IS NOT NULL`;

/** Waits (not a fixed sleep: the machine may be loaded) until the handle's backend is in a transaction in `state`. */
async function untilInTransaction(state: 'active' | 'idle in transaction'): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [found] = await stack.db.sql`
      SELECT 1 FROM pg_stat_activity WHERE application_name = ${APP} AND xact_start IS NOT NULL AND state = ${state}`;
    if (found) return;
    if (Date.now() > deadline) throw new Error(`no backend of ${APP} was ${state} within 15 s`);
    await sleep(20);
  }
}
const rows = async () => (await stack.db.sql<{ v: string }[]>`SELECT v FROM tx_lost ORDER BY v`).map((row) => row.v);

describe('a transaction whose connection is lost', () => {
  it('sends nothing more once its backend is killed, not even on a new session: it rejects and none of it commits', async () => {
    let killed!: () => void;
    const backendKilled = new Promise<void>((resolve) => (killed = resolve));
    const outcome = handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO tx_lost VALUES ('first')`);
        await backendKilled; // JavaScript work while the backend is idle in transaction
        await tx.execute(sql`INSERT INTO tx_lost VALUES ('second')`);
      })
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    await untilInTransaction('idle in transaction');
    expect(await killTransactions()).toHaveLength(1);
    // Another statement of the handle meanwhile: a reconnected session is at hand.
    await handle.sql`SELECT 1`;
    killed();

    const error = await outcome;
    expect(await rows()).toEqual([]);
    expect((error as { code?: unknown }).code).toBe('TRANSACTION_CONNECTION_LOST');
    expect(error).toBeInstanceOf(TransactionConnectionLostError);
    expect((error as TransactionConnectionLostError).applicationName).toBe(APP);
    // The handle goes on: the next transaction commits.
    await handle.db.transaction((tx) => tx.execute(sql`INSERT INTO tx_lost VALUES ('after')`));
    expect(await rows()).toEqual(['after']);
  });

  it('rejects when killed mid-statement, and a Postgres error still rolls back and keeps the connection', async () => {
    const outcome = handle.db.transaction((tx) => tx.execute(sql`SELECT pg_sleep(5)`)).catch((error: unknown) => error);
    await untilInTransaction('active');
    expect(await killTransactions()).toHaveLength(1);
    expect(await outcome).toBeInstanceOf(TransactionConnectionLostError);

    const backendPid = () =>
      handle.db.transaction(async (tx) => (await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid);
    const before = await backendPid();
    const failed = await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO tx_lost VALUES ('rolled back')`);
        await tx.execute(sql`SELECT 1 / 0`);
      })
      .catch((error: unknown) => error);
    expect(String((failed as Error).cause)).toContain('division by zero');
    expect(await backendPid()).toBe(before);
    await handle.db.transaction((tx) => tx.execute(sql`INSERT INTO tx_lost VALUES ('still fine')`));
    expect(await rows()).toContain('still fine');
    expect(await rows()).not.toContain('rolled back');
  });

  it('refuses a statement sent while another of the same transaction is still running', async () => {
    const error = await handle.db
      .transaction((tx) => Promise.all([tx.execute(sql`SELECT pg_sleep(0.1)`), tx.execute(sql`INSERT INTO tx_lost VALUES ('concurrent')`)]))
      .catch((e: unknown) => e);
    expect(String((error as Error).cause)).toContain('one statement at a time');
    expect(await rows()).not.toContain('concurrent');
  });
});
