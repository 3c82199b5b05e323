import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql as sqlFragment } from 'drizzle-orm';
import { connectDb, type DbHandle } from '../../db/client';
import { startTestStack, type TestStack } from '../support/test-stack';

const APP = 'array-types-test';

let stack: TestStack;
let handle: DbHandle;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  handle = connectDb(stack.databaseUrl, { max: 2, applicationName: APP });
});
afterAll(async () => {
  await handle?.close();
  await stack?.close();
});

const killBackends = () => stack.db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${APP}`;

// postgres.js fetches the array types on every new connection unless told not to, and a backend
// killed during that fetch ends the process (porsager/postgres#1192): a handle used only for
// single statements, like the chaos harness's, reconnected after every restart of PostgreSQL.
describe('a handle that runs only single statements', () => {
  it('through drizzle, stops fetching too', async () => {
    const drizzleOnly = connectDb(stack.databaseUrl, { max: 1, applicationName: `${APP}-drizzle` });
    try {
      await drizzleOnly.db.execute(sqlFragment`SELECT 1`);
      await vi.waitFor(() => expect(drizzleOnly.sql.options.fetch_types).toBe(false), { timeout: 10_000 });
    } finally {
      await drizzleOnly.close();
    }
  });

  it('fetches the array types on its first connection only, and arrays still work after a reconnect', async () => {
    expect(handle.sql.options.fetch_types).toBe(true);
    await handle.sql`SELECT 1`;
    // The load runs beside the first statement, on a connection of its own.
    await vi.waitFor(() => expect(handle.sql.options.fetch_types).toBe(false), { timeout: 10_000 });

    expect((await killBackends()).length).toBeGreaterThan(0);
    // Each killed connection may answer once more with its termination before the pool reopens it.
    const roundTrip = async () => (await handle.sql<{ ids: number[] }[]>`SELECT ${[3, 1, 2]}::int[] AS ids`)[0]?.ids;
    let ids: number[] | undefined;
    for (let attempt = 1; ids === undefined; attempt++) {
      ids = await roundTrip().catch((error: unknown) => {
        if (attempt > 3) throw error;
        return undefined;
      });
    }
    expect(ids).toEqual([3, 1, 2]);
  });
});
