import type { Client } from '@temporalio/client';
import amqp from 'amqplib';
import postgres, { type Sql } from 'postgres';
import { loadConfig, type AppConfig } from '../../../config/env';
import { seedDemoCatalog } from '../../../db/demo-catalog';
import { inventory } from '../../../drizzle/schema';
import { unroutedName } from '../../../messaging/topology';
import { connectTemporalClient } from '../../../saga-client/connect';
import { createRunDatabase } from '../../environment/run-database';
import { declareRunExchange, deleteRunExchange, runExchangeName } from '../../environment/run-exchange';
import { newRunId } from '../../environment/run-identity';

/** The SKU every benchmark order buys: priced under the review threshold, stocked for any run. */
export const BENCH_SKU = 'SKU-BENCH';

/** What the benchmark's databases start with: `bench_<run id>`. */
const DATABASE_PREFIX = 'bench_';

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
  /** Environment for the product's processes (relay, worker, API) pointed at this run, added to the harness's own. */
  processEnv(overrides?: Record<string, string>): NodeJS.ProcessEnv;
  /** Empties the outbox and the sink queue between measurements. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A benchmark run's own database, exchange and sink queue; databases of killed runs are dropped first. */
export async function startBenchStack(): Promise<BenchStack> {
  const base = loadConfig();
  const runId = newRunId();
  const database = await createRunDatabase({
    serverUrl: base.DATABASE_URL,
    prefix: DATABASE_PREFIX,
    runId,
    seed: async (db) => {
      await seedDemoCatalog(db);
      await db.insert(inventory).values({ sku: BENCH_SKU, name: 'Benchmark widget', priceCents: 990, onHand: 100_000_000 });
    },
  });

  const exchange = runExchangeName('bench', runId);
  const sinkQueue = `bench.${runId}.sink`;
  await declareRunExchange(base.AMQP_URL, exchange);
  const channelOwner = await amqp.connect(base.AMQP_URL, { clientProperties: { connection_name: `bench-${runId}-setup` } });
  const channel = await channelOwner.createChannel();
  await channel.assertQueue(sinkQueue, { durable: true });
  await channel.bindQueue(sinkQueue, exchange, '#');

  const config: AppConfig = { ...base, DATABASE_URL: database.url, EVENTS_EXCHANGE: exchange };
  const sql = postgres(database.url, { max: 10, onnotice: () => {}, connection: { application_name: 'bench' } });
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
      DATABASE_URL: database.url,
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
      await channelOwner.close();
      await deleteRunExchange(base.AMQP_URL, exchange, [sinkQueue]);
      await client.connection.close();
      await sql.end({ timeout: 5 });
      await database.drop();
    },
  };
}
