import { loadConfig } from '../config/env';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { OutboxRelay } from '../outbox/relay';
import { relaySettingsFrom } from '../outbox/relay-settings';

/** The outbox relay process. Run as many as you like: each order's events still leave in order. */
const config = loadConfig();
const log = createLogger('outbox-relay', config.LOG_LEVEL);
// One connection for the claims, one where the marks of the batches in hand queue up (LISTEN has
// a connection of its own).
// connectDb, like every process: array types fetched once, so a backend killed while a new
// connection starts cannot end the process (porsager/postgres#1192).
const db = connectDb(config.DATABASE_URL, {
  max: 2,
  applicationName: 'outbox-relay',
  // The relay's own writes (leases, published marks) need not wait for the WAL flush: if the
  // database crashes and loses the last few, those rows are simply published again, which
  // at-least-once delivery allows and consumers dedupe. It takes two flushes off each batch's path.
  settings: { synchronous_commit: 'off' },
});
const { sql } = db;
const relay = new OutboxRelay(sql, relaySettingsFrom(config), log);

await relay.start();
let stopping: Promise<void> | undefined;
const stop = (signal: NodeJS.Signals) => {
  // Under `npm start` both the terminal's SIGINT and the supervisor's SIGTERM arrive.
  stopping ??= (async () => {
    log.info({ signal }, 'stopping outbox relay');
    try {
      await relay.stop();
      await db.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'outbox relay did not stop cleanly');
      process.exit(1);
    }
  })();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
