import { loadConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { OutboxRelay } from '../outbox/relay';
import { relaySettingsFrom } from '../outbox/relay-settings';
import postgres from 'postgres';

/** The outbox relay process. Run as many as you like: each order's events still leave in order. */
const config = loadConfig();
const log = createLogger('outbox-relay', config.LOG_LEVEL);
// Two connections: one held by LISTEN, one for the claim transaction.
const sql = postgres(config.DATABASE_URL, { max: 2, onnotice: () => {}, connection: { application_name: 'outbox-relay' } });
const relay = new OutboxRelay(sql, relaySettingsFrom(config), log);

await relay.start();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping outbox relay');
    void relay
      .stop()
      .then(() => sql.end({ timeout: 5 }))
      .then(() => process.exit(0), (error: unknown) => {
        log.error({ err: error }, 'outbox relay did not stop cleanly');
        process.exit(1);
      });
  });
}
