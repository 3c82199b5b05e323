/**
 * A relay process that dies by SIGKILL right after the broker confirmed its first batch and
 * before it could mark any row published: the worst moment for a crash.
 * Reads DATABASE_URL and EVENTS_EXCHANGE; RELAY_BATCH_SIZE bounds the batch.
 */
import postgres from 'postgres';
import { loadConfig } from '../../config/env';
import { createLogger } from '../../logging/logger';
import { OutboxRelay } from '../../outbox/relay';
import { relaySettingsFrom } from '../../outbox/relay-settings';

const config = loadConfig();
const sql = postgres(config.DATABASE_URL, { max: 2, onnotice: () => {} });
const relay = new OutboxRelay(sql, relaySettingsFrom(config), createLogger('crashing-relay', 'warn'), {
  afterConfirm: (ids) => {
    process.stdout.write(`confirmed ${ids.length}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
await relay.start();
