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
import { countUnfinishedDeadLetterActions } from '../api/store/dead-letter-actions';
import { registerDeadLetterActionGauges } from '../telemetry/metrics-dead-letter-actions';
import { resolveAdminToken } from './admin-token';
import { postgresTicketStore } from '../api/store/event-stream-tickets';
import { startEventStreams } from '../api/event-streams/event-streams';
import { stopOnSignals } from './stop-on-signals';
import { startTracing } from '../telemetry/tracing';

/** The API process: serves until SIGINT or SIGTERM, then stops taking requests and closes what it opened. */
const config = loadConfig();
// First: the Temporal client and the HTTP middleware below read whether it is on.
const tracing = await startTracing({ serviceName: 'api', config });
const log = createLogger('api', config.LOG_LEVEL);
const admin = resolveAdminToken(config);
// The file's path, never the token: logs are shipped and kept where the token must not be.
if (admin.source === 'generated')
  log.warn({ file: admin.file }, 'ADMIN_TOKEN is not set: generated one and wrote it to the file (mode 0600)');
if (admin.source === 'file') log.info({ file: admin.file }, 'ADMIN_TOKEN is not set: using the one in the file');
const adminToken = admin.token;
const db = connectDb(config.DATABASE_URL, { applicationName: 'api' });
registerDeadLetterActionGauges(() => countUnfinishedDeadLetterActions(db.db, config.DLQ_ACTION_UNFINISHED_AFTER_SECONDS));
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
const streams = startEventStreams(config, db.sql, postgresTicketStore(db.db), log);
const app = createApp({
  config,
  sagas,
  store: postgresApiStore(db.db),
  log,
  adminToken,
  consumers,
  readiness,
  streams,
  tracing: tracing.sdk !== undefined,
});

const server = serveApi(app, { port: config.API_PORT, hostname: config.API_HOST, timeouts: serveTimeouts(config) }, (info) =>
  log.info({ url: `http://${info.address}:${info.port}` }, 'API listening'),
);

stopOnSignals({
  log,
  steps: [
    // First: open streams end (with a reconnect event), so the server's close does not wait on them.
    { name: 'event streams', close: () => streams.close() },
    { name: 'HTTP server', close: () => closeServer(server) },
    { name: 'consumer control', close: () => consumers.close() },
    { name: 'readiness checker', close: () => readiness.close() },
    { name: 'saga client', close: () => sagas.close() },
    { name: 'database', close: () => db.close() },
    // Last: the spans of the requests that just ended go out too.
    tracing.stopStep(log),
  ],
});

/** Stops taking connections and resolves once those open have ended. */
function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
