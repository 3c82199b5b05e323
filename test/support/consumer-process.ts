/**
 * One consumer instance in a process of its own, for tests that operate it from outside:
 * stop/start through the control module, or SIGTERM. Its handler takes TEST_HANDLER_DELAY_MS
 * per message and writes a test_effects row tagged TEST_INSTANCE.
 * Reads DATABASE_URL, EVENTS_EXCHANGE and CONSUMER_* like the real process, plus TEST_CONSUMER_NAME,
 * TEST_CONSUMER_QUEUE, TEST_PREFETCH, and TEST_CONSUMER_BINDINGS (comma-separated, `#` unless set). Prints `ready` once started, and its stats as
 * `stats {json}` when SIGTERM has stopped it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/env';
import { connectDb } from '../../db/client';
import { createLogger } from '../../logging/logger';
import { ConsumerRunner } from '../../messaging/consumer-runner';
import { consumerSettingsFrom } from '../../messaging/consumer-settings';
import { CLOSE_MS, stopOnSignals } from '../../workers/stop-on-signals';
import { recordEffect } from './consumer-kit';

const config = loadConfig();
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const instance = env('TEST_INSTANCE');
const delayMs = Number(process.env.TEST_HANDLER_DELAY_MS ?? 0);
const prefetch = Number(process.env.TEST_PREFETCH ?? 10);
const settings = consumerSettingsFrom(config);
const log = createLogger(`consumer-process-${instance}`, config.LOG_LEVEL);
const db = connectDb(config.DATABASE_URL, { max: prefetch, applicationName: `consumer-process-${instance}` });
const runner = new ConsumerRunner(
  {
    name: env('TEST_CONSUMER_NAME'),
    queue: env('TEST_CONSUMER_QUEUE'),
    bindings: (process.env.TEST_CONSUMER_BINDINGS ?? '#').split(','),
    prefetch,
    handlers: {
      'order.submitted': async (_content, { tx, messageId, attempt }) => {
        if (delayMs > 0) await sleep(delayMs);
        await recordEffect(tx, messageId, instance, attempt);
      },
    },
  },
  { db, settings, log },
);

// Stops like the consumers process, then reports what it did.
stopOnSignals({
  log,
  steps: [
    { name: 'consumer', close: () => runner.stop() },
    { name: 'database', close: () => db.close() },
    { name: 'stats', close: async () => process.stdout.write(`stats ${JSON.stringify(runner.stats)}\n`) },
  ],
  deadlineMs: settings.shutdownTimeoutMs + CLOSE_MS,
});
await runner.start();
process.stdout.write('ready\n');
