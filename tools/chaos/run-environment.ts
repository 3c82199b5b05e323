import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig } from '../../config/env';
import { connectDb, type DbHandle } from '../../db/client';
import { inventory } from '../../drizzle/schema';
import { freePort } from '../../workers/free-port';
import { createRunDatabase } from '../environment/run-database';
import { declareRunExchange } from '../environment/run-exchange';
import { createRunVhost, deleteRunVhost, sweepStaleVhosts, withVhost } from '../environment/run-vhost';
import type { StockRow } from './catalog';
import type { OwnServices } from './own-services';

/** The application_name of the harness's own connections: the Postgres fault spares them. */
export const HARNESS_APPLICATION_NAME = 'chaos-harness';

/** What a chaos run's databases and vhosts start with; the sweep of a later run looks for them. */
const DATABASE_PREFIX = 'saga_chaos_';
const VHOST_PREFIX = 'chaos-';

/** Where a run's children and services log; kept after the run. */
export const runLogDir = (id: string): string => join(tmpdir(), `saga-chaos-${id}`);

/** Names of one chaos run's private resources, all after its run id. */
export interface RunIdentity {
  id: string;
  database: string;
  vhost: string;
  taskQueue: string;
}

export interface RunEnvironment {
  identity: RunIdentity;
  config: AppConfig;
  databaseUrl: string;
  amqpUrl: string;
  /** One port per API instance; the config's API_PORT is the first. */
  apiPorts: number[];
  adminToken: string;
  /** Where the children's logs go; kept after the run. */
  logDir: string;
  /** The harness's own pool on the run's database (plain statements only, never a transaction). */
  db: DbHandle;
  /** The initial stock of every SKU. */
  stock: StockRow[];
  /** The run's own PostgreSQL, RabbitMQ and Temporal when its faults restart services; null: the machine's. */
  services: OwnServices | null;
  destroy(options: { keep: boolean }): Promise<void>;
}

/**
 * A chaos run's private world: its own database (migrated, seeded with the run's SKUs), its own
 * RabbitMQ vhost with the events exchange declared, its own Temporal task queue and API ports.
 * Databases and vhosts of earlier runs killed before their teardown are removed first. With
 * `services`, all of it lives on the run's own PostgreSQL, RabbitMQ node and Temporal server.
 */
export async function createRunEnvironment(
  stock: StockRow[],
  id: string,
  services: OwnServices | null,
  apiInstances: number,
): Promise<RunEnvironment> {
  const base: AppConfig = { ...loadConfig(), ...services?.config };
  const node = services?.rabbitmq.node ?? null;
  const identity: RunIdentity = { id, database: `${DATABASE_PREFIX}${id}`, vhost: `${VHOST_PREFIX}${id}`, taskQueue: `chaos-${id}` };

  await sweepStaleVhosts(VHOST_PREFIX, node);
  const database = await createRunDatabase({
    serverUrl: base.DATABASE_URL,
    prefix: DATABASE_PREFIX,
    runId: id,
    seed: async (db) => {
      await db.insert(inventory).values(stock);
    },
  });
  const db = connectDb(database.url, { max: 4, applicationName: HARNESS_APPLICATION_NAME });

  await createRunVhost(identity.vhost, node);
  const amqpUrl = withVhost(base.AMQP_URL, identity.vhost);
  // The default exchange name: the vhost is the run's own.
  await declareRunExchange(amqpUrl, base.EVENTS_EXCHANGE);

  const logDir = runLogDir(id);
  const apiPorts: number[] = [];
  while (apiPorts.length < apiInstances) apiPorts.push(await freePort(apiPorts));
  const adminToken = randomBytes(24).toString('base64url');
  const config: AppConfig = {
    ...base,
    DATABASE_URL: database.url,
    AMQP_URL: amqpUrl,
    TEMPORAL_TASK_QUEUE: identity.taskQueue,
    API_HOST: '127.0.0.1',
    API_PORT: apiPorts[0]!,
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: randomBytes(32).toString('base64url'),
  };
  return {
    identity,
    config,
    databaseUrl: database.url,
    amqpUrl,
    apiPorts,
    adminToken,
    logDir,
    db,
    stock,
    services,
    async destroy({ keep }) {
      await db.close();
      if (keep) return;
      await database.drop();
      await deleteRunVhost(identity.vhost, node);
    },
  };
}
