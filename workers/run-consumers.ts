import { loadConfig, metricsPortOf } from '../config/env';
import { shippedConsumerControl, shippedConsumers } from '../consumers/shipped-consumers';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { ConsumerRunner } from '../messaging/consumer-runner';
import { consumerSettingsFrom } from '../messaging/consumer-settings';
import { registerQueueGauges } from '../telemetry/metrics-consumers';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server';
import { CLOSE_MS, stopOnSignals } from './stop-on-signals';
import { startTracing } from '../telemetry/tracing';

/**
 * The consumers process: runs every shipped consumer, or only those named on the command line
 * (`npm run consumers -- order-projection`) so each can be scaled on its own. On SIGTERM or
 * SIGINT it stops taking deliveries, finishes those in flight and exits.
 */
const config = loadConfig();
const tracing = await startTracing({ serviceName: 'consumers', config });
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
const settings = consumerSettingsFrom(config);
const runners = definitions.map((definition) => new ConsumerRunner(definition, { db, settings, log }));
// Queue and DLQ depths of the consumers this process runs, read the way the admin API reads them.
const control = shippedConsumerControl(config, db.db, log);
const names = new Set(definitions.map((definition) => definition.name));
registerQueueGauges(async () =>
  (await control.listConsumers())
    .filter((status) => names.has(status.name))
    .map((status) => ({ consumer: status.name, queueDepth: status.queueDepth, dlqDepth: status.dlqDepth })),
);
let metrics: MetricsServer | undefined;

const stop = stopOnSignals({
  log,
  steps: [
    { name: 'metrics server', close: async () => metrics?.close() },
    // All at once: each finishes its in-flight deliveries (CONSUMER_SHUTDOWN_TIMEOUT_MS at most).
    { name: 'consumers', close: () => stopRunners(runners) },
    { name: 'consumer control', close: () => control.close() },
    { name: 'database', close: () => db.close() },
    tracing.stopStep(log),
  ],
  deadlineMs: settings.shutdownTimeoutMs + CLOSE_MS,
});

try {
  metrics = await startMetricsServer({ host: config.METRICS_HOST, port: metricsPortOf(config, 'consumers'), log });
  for (const runner of runners) await runner.start();
  log.info({ consumers: definitions.map((d) => ({ name: d.name, queue: d.queue })) }, 'consumers running');
} catch (error) {
  log.fatal({ err: error }, 'consumers could not start');
  await stop('start failed', 1);
}

async function stopRunners(all: readonly ConsumerRunner[]): Promise<void> {
  const results = await Promise.allSettled(all.map((runner) => runner.stop()));
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((failure) => failure.reason),
      `${failures.length} of ${all.length} consumers did not stop cleanly`,
    );
  }
}
