import { loadConfig } from '../config/env';
import { shippedConsumers } from '../consumers/shipped-consumers';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { ConsumerRunner } from '../messaging/consumer-runner';
import { consumerSettingsFrom } from '../messaging/consumer-settings';

/**
 * The consumers process: runs every shipped consumer, or only those named on the command line
 * (`npm run consumers -- order-projection`) so each can be scaled on its own. On SIGTERM or
 * SIGINT it stops taking deliveries, finishes those in flight and exits.
 */
const config = loadConfig();
const log = createLogger('consumers', config.LOG_LEVEL);
const available = shippedConsumers(config);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.some((definition) => definition.name === name));
if (unknown.length > 0) {
  log.fatal({ unknown, available: available.map((d) => d.name) }, 'unknown consumer name on the command line');
  process.exit(2);
}
const definitions = wanted.length > 0 ? available.filter((definition) => wanted.includes(definition.name)) : available;

const prefetchTotal = definitions.reduce((sum, definition) => sum + definition.prefetch, 0);
// Up to one connection per delivery handled at once (beyond 20 they queue); LISTEN has its own.
const db = connectDb(config.DATABASE_URL, { max: Math.min(prefetchTotal, 20), applicationName: 'consumers' });
const runners = definitions.map((definition) => new ConsumerRunner(definition, { db, settings: consumerSettingsFrom(config), log }));

let stopping: Promise<void> | undefined;
const stop = (reason: string, exitCode = 0) => {
  // Under `npm start` both the terminal's SIGINT and the supervisor's SIGTERM arrive.
  stopping ??= (async () => {
    log.info({ reason }, 'stopping consumers');
    const results = await Promise.allSettled(runners.map((runner) => runner.stop()));
    for (const result of results) if (result.status === 'rejected') log.error({ err: result.reason }, 'a consumer did not stop cleanly');
    await db.close();
    process.exit(results.some((result) => result.status === 'rejected') ? 1 : exitCode);
  })();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  for (const runner of runners) await runner.start();
  log.info({ consumers: definitions.map((d) => ({ name: d.name, queue: d.queue })) }, 'consumers running');
} catch (error) {
  log.fatal({ err: error }, 'consumers could not start');
  stop('start failed', 1);
}
