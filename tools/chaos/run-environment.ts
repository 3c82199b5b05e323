import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import postgres from 'postgres';
import { loadConfig, type AppConfig } from '../../config/env';
import { connectDb, type DbHandle } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { inventory } from '../../drizzle/schema';
import { assertEventsTopology } from '../../messaging/topology';
import { freePort } from './free-port';
import type { StockRow } from './catalog';
import { createVhost, deleteVhost, listVhosts } from './rabbitmqctl';
import { CHAOS_DATABASE_PREFIX, CHAOS_VHOST_PREFIX, newRunIdentity, startedAtOf, type RunIdentity } from './run-identity';

/** The application_name of the harness's own connections: the Postgres fault spares them. */
export const HARNESS_APPLICATION_NAME = 'chaos-harness';
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

export interface RunEnvironment {
  identity: RunIdentity;
  config: AppConfig;
  databaseUrl: string;
  amqpUrl: string;
  apiPort: number;
  adminToken: string;
  /** Where the children's logs go; kept after the run. */
  logDir: string;
  /** The harness's own pool on the run's database (plain statements only, never a transaction). */
  db: DbHandle;
  /** The initial stock of every SKU. */
  stock: StockRow[];
  destroy(options: { keep: boolean }): Promise<void>;
}

/**
 * A chaos run's private world: its own database (migrated, seeded with the run's SKUs), its own
 * RabbitMQ vhost with the events exchange declared, its own Temporal task queue and API port.
 */
export async function createRunEnvironment(stock: StockRow[]): Promise<RunEnvironment> {
  const base = loadConfig();
  const identity = newRunIdentity();
  await removeStaleRuns(base.DATABASE_URL);

  const databaseUrl = withDatabase(base.DATABASE_URL, identity.database);
  await migrateDatabase(databaseUrl);
  const db = connectDb(databaseUrl, { max: 4, applicationName: HARNESS_APPLICATION_NAME });
  await db.db.insert(inventory).values(stock);

  await createVhost(identity.vhost);
  const amqpUrl = withVhost(base.AMQP_URL, identity.vhost);
  const connection = await amqp.connect(amqpUrl);
  try {
    await assertEventsTopology(await connection.createChannel(), base.EVENTS_EXCHANGE);
  } finally {
    await connection.close();
  }

  const logDir = join(tmpdir(), `saga-chaos-${identity.id}`);
  await mkdir(logDir, { recursive: true });
  const apiPort = await freePort();
  const adminToken = randomBytes(24).toString('base64url');
  const config: AppConfig = {
    ...base,
    DATABASE_URL: databaseUrl,
    AMQP_URL: amqpUrl,
    TEMPORAL_TASK_QUEUE: identity.taskQueue,
    API_HOST: '127.0.0.1',
    API_PORT: apiPort,
    ADMIN_TOKEN: adminToken,
  };
  return {
    identity,
    config,
    databaseUrl,
    amqpUrl,
    apiPort,
    adminToken,
    logDir,
    db,
    stock,
    async destroy({ keep }) {
      await db.close();
      if (keep) return;
      await dropDatabase(base.DATABASE_URL, identity.database);
      await deleteVhost(identity.vhost);
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function withVhost(url: string, vhost: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}

async function dropDatabase(anyUrl: string, name: string): Promise<void> {
  const admin = postgres(withDatabase(anyUrl, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Databases and vhosts of chaos runs that crashed before their teardown, hours ago. */
async function removeStaleRuns(anyUrl: string): Promise<void> {
  const stale = (name: string) => {
    const startedAt = startedAtOf(name);
    return startedAt !== undefined && Date.now() - startedAt > STALE_AFTER_MS;
  };
  const admin = postgres(withDatabase(anyUrl, 'postgres'), { max: 1, onnotice: () => {} });
  let databases: string[];
  try {
    const rows = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`${CHAOS_DATABASE_PREFIX}%`}`;
    databases = rows.map((row) => row.datname).filter(stale);
  } finally {
    await admin.end({ timeout: 5 });
  }
  for (const name of databases) await dropDatabase(anyUrl, name);
  for (const vhost of await listVhosts()) if (vhost.startsWith(CHAOS_VHOST_PREFIX) && stale(vhost)) await deleteVhost(vhost);
}
