import { loadConfig, metricsPortOf } from '../config/env';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { OutboxRelay } from '../outbox/relay';
import { relaySettingsFrom } from '../outbox/relay-settings';
import { registerOutboxGauges } from '../telemetry/metrics-outbox';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server';
import { CLOSE_MS, stopOnSignals } from './stop-on-signals';
import { startTracing } from '../telemetry/tracing';

/** The outbox relay process. Run as many as you like: each order's events still leave in order. */
const config = loadConfig();
const tracing = await startTracing({ serviceName: 'outbox-relay', config });
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
registerOutboxGauges(sql);
let metrics: MetricsServer | undefined;

const stop = stopOnSignals({
  log,
  steps: [
    { name: 'metrics server', close: async () => metrics?.close() },
    // Finishes the batches in hand, then closes its broker session.
    { name: 'relay', close: () => relay.stop() },
    { name: 'database', close: () => db.close() },
    tracing.stopStep(log),
  ],
  // A batch in hand is cut short half a lease after it began to send; its marks follow.
  deadlineMs: config.RELAY_LEASE_MS / 2 + CLOSE_MS,
});

try {
  metrics = await startMetricsServer({ host: config.METRICS_HOST, port: metricsPortOf(config, 'outbox-relay'), log });
  await relay.start();
} catch (error) {
  log.fatal({ err: error }, 'outbox relay could not start');
  await stop('start failed', 1);
}
