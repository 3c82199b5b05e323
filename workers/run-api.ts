import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '../config/env';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { shippedConsumerControl } from '../consumers/shipped-consumers';
import { connectTemporalClient } from '../saga-client/connect';
import { createApp } from '../api/app';
import { serveApi } from '../api/serve-api';
import { createReadinessChecker } from '../api/readiness';

/** The API process: serves until SIGINT or SIGTERM, then stops taking requests and closes. */
const config = loadConfig();
const log = createLogger('api', config.LOG_LEVEL);
let adminToken = config.ADMIN_TOKEN;
if (!adminToken) {
  adminToken = randomBytes(24).toString('base64url');
  log.warn({ adminToken }, 'ADMIN_TOKEN is not set: generated one for this process');
}
const db = connectDb(config.DATABASE_URL, { applicationName: 'api' });
const client = await connectTemporalClient(config);
const consumers = shippedConsumerControl(config, db.db, log);
const readiness = createReadinessChecker({
  client,
  sql: db.sql,
  amqpUrl: config.AMQP_URL,
  cacheMs: config.READINESS_CACHE_MS,
  connectionName: `api-readiness-${randomUUID().slice(0, 8)}`,
  log,
});
const app = createApp({ config, client, db, log, adminToken, consumers, readiness });

const server = serveApi(app, { port: config.API_PORT, hostname: config.API_HOST }, (info) =>
  log.info({ url: `http://${info.address}:${info.port}` }, 'API listening'),
);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping API');
  server.close((error) => {
    if (error) log.error({ err: error }, 'API server did not close cleanly');
    // close() ignores the callback's promise: a failure below is logged here, not left unhandled.
    void (async () => {
      try {
        await consumers.close();
        await readiness.close();
        await client.connection.close();
        await db.close();
        process.exit(error ? 1 : 0);
      } catch (closeError) {
        log.error({ err: closeError }, 'API did not stop cleanly');
        process.exit(1);
      }
    })();
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
