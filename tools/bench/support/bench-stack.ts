import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import amqp from 'amqplib';
import postgres, { type Sql } from 'postgres';
import { loadConfig, type AppConfig } from '../../../config/env';
import { dropDatabase, withDatabase } from '../../../db/admin';
import { connectDb } from '../../../db/client';
import { seedDemoCatalog } from '../../../db/demo-catalog';
import { migrateDatabase } from '../../../db/migrate';
import { inventory } from '../../../drizzle/schema';
import { assertEventsTopology, unroutedName } from '../../../messaging/topology';
import { connectTemporalClient } from '../../../saga-client/connect';

/** The SKU every benchmark order buys: priced under the review threshold, stocked for any run. */
export const BENCH_SKU = 'SKU-BENCH';

const DATABASE_PREFIX = 'bench_';
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * What one benchmark run owns, so runs never see each other's data: a migrated database, an
 * events exchange with a durable queue bound to every event (so messages are routed and stored
 * like in production), and a task-queue prefix. The Temporal server is the shared dev server.
 */
export interface BenchStack {
  runId: string;
  config: AppConfig;
  sql: Sql;
  client: Client;
  exchange: string;
  /** Durable queue bound with '#': where every published event lands. */
  sinkQueue: string;
  taskQueue(part: string): string;
  /** Environment for the product's processes (relay, worker, API) pointed at this run. */
  processEnv(overrides?: Record<string, string>): NodeJS.ProcessEnv;
  /** Empties the outbox and the sink queue between measurements. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const base = loadConfig();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const adminUrl = withDatabase(base.DATABASE_URL, 'postgres');
  await dropStaleDatabases(adminUrl);
  const databaseName = `${DATABASE_PREFIX}${runId}`;
  const databaseUrl = withDatabase(base.DATABASE_URL, databaseName);
  await migrateDatabase(databaseUrl);
  const seed = connectDb(databaseUrl, { max: 1 });
  try {
    await seedDemoCatalog(seed.db);
    await seed.db.insert(inventory).values({ sku: BENCH_SKU, name: 'Benchmark widget', priceCents: 990, onHand: 100_000_000 });
  } finally {
    await seed.close();
  }

  const exchange = `bench.${runId}.events`;
  const sinkQueue = `bench.${runId}.sink`;
  const channelOwner = await amqp.connect(base.AMQP_URL, { clientProperties: { connection_name: `bench-${runId}-setup` } });
  const channel = await channelOwner.createChannel();
  await assertEventsTopology(channel, exchange);
  await channel.assertQueue(sinkQueue, { durable: true });
  await channel.bindQueue(sinkQueue, exchange, '#');

  const config: AppConfig = { ...base, DATABASE_URL: databaseUrl, EVENTS_EXCHANGE: exchange };
  const sql = postgres(databaseUrl, { max: 10, onnotice: () => {}, connection: { application_name: 'bench' } });
  const client = await connectTemporalClient(config);

  return {
    runId,
    config,
    sql,
    client,
    exchange,
    sinkQueue,
    taskQueue: (part) => `bench-${runId}-${part}`,
    processEnv: (overrides = {}) => ({
      ...process.env,
      DATABASE_URL: databaseUrl,
      EVENTS_EXCHANGE: exchange,
      LOG_LEVEL: 'info',
      ...overrides,
    }),
    async reset() {
      await sql`TRUNCATE outbox`;
      await channel.purgeQueue(sinkQueue);
      await channel.purgeQueue(unroutedName(exchange));
    },
    async close() {
      await channel.deleteQueue(sinkQueue);
      await channel.deleteQueue(unroutedName(exchange));
      await channel.deleteExchange(exchange);
      await channel.deleteExchange(unroutedName(exchange));
      await channelOwner.close();
      await client.connection.close();
      await sql.end({ timeout: 5 });
      await dropDatabase(adminUrl, databaseName);
    },
  };
}

/** Databases of earlier runs that were killed before they cleaned up. */
async function dropStaleDatabases(adminUrl: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`${DATABASE_PREFIX}%`}`;
    for (const { datname } of rows) {
      const startedAt = parseInt(datname.slice(DATABASE_PREFIX.length, DATABASE_PREFIX.length + 8), 36);
      if (Number.isFinite(startedAt) && Date.now() - startedAt > STALE_AFTER_MS) {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}
