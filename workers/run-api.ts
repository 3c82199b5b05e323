import { randomUUID } from 'node:crypto';
import type { ServerType } from '@hono/node-server';
import { loadConfig } from '../config/env';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { shippedConsumerControl } from '../consumers/shipped-consumers';
import { connectSagaClient } from '../saga-client/temporal-saga-client';
import { createApp } from '../api/app';
import { serveApi, serveTimeouts } from '../api/serve-api';
import { createReadinessChecker } from '../api/readiness';
import { postgresApiStore } from '../api/store/postgres-store';
import { resolveAdminToken } from './admin-token';
import { stopOnSignals } from './stop-on-signals';

/** The API process: serves until SIGINT or SIGTERM, then stops taking requests and closes what it opened. */
const config = loadConfig();
const log = createLogger('api', config.LOG_LEVEL);
const admin = resolveAdminToken(config);
// The file's path, never the token: logs are shipped and kept where the token must not be.
if (admin.source === 'generated')
  log.warn({ file: admin.file }, 'ADMIN_TOKEN is not set: generated one and wrote it to the file (mode 0600)');
if (admin.source === 'file') log.info({ file: admin.file }, 'ADMIN_TOKEN is not set: using the one in the file');
const adminToken = admin.token;
const db = connectDb(config.DATABASE_URL, { applicationName: 'api' });
const sagas = await connectSagaClient(config);
const consumers = shippedConsumerControl(config, db.db, log);
const readiness = createReadinessChecker({
  sagas,
  sql: db.sql,
  amqpUrl: config.AMQP_URL,
  cacheMs: config.READINESS_CACHE_MS,
  connectionName: `api-readiness-${randomUUID().slice(0, 8)}`,
  log,
});
const app = createApp({ config, sagas, store: postgresApiStore(db.db), log, adminToken, consumers, readiness });

const server = serveApi(app, { port: config.API_PORT, hostname: config.API_HOST, timeouts: serveTimeouts(config) }, (info) =>
  log.info({ url: `http://${info.address}:${info.port}` }, 'API listening'),
);

stopOnSignals({
  log,
  steps: [
    { name: 'HTTP server', close: () => closeServer(server) },
    { name: 'consumer control', close: () => consumers.close() },
    { name: 'readiness checker', close: () => readiness.close() },
    { name: 'saga client', close: () => sagas.close() },
    { name: 'database', close: () => db.close() },
  ],
});

/** Stops taking connections and resolves once those open have ended. */
function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
