import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, metricsPortOf } from '../config/env';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { temporalLoggerFor } from '../logging/temporal-logger';
import { createSagaWorker } from './create-saga-worker';
import { armCrashAfterCommitOnSignal } from './faults/crash-after-commit';
import { registerSagaGauges } from '../telemetry/metrics-saga';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server';
import { temporalMetricsAppendix, temporalPrometheusExporter } from '../telemetry/temporal-runtime-metrics';
import { freePort } from './free-port';
import { stopOnSignals } from './stop-on-signals';
import { startTracing } from '../telemetry/tracing';

/** The saga worker process: runs until SIGINT or SIGTERM, then finishes in-flight tasks and exits. */
const config = loadConfig();
const tracing = await startTracing({ serviceName: 'saga-worker', config });
const log = createLogger('saga-worker', config.LOG_LEVEL);
// Core serves the SDK's runtime metrics on a loopback port of its own; the worker's /metrics appends them.
const coreMetricsAddress = `127.0.0.1:${await freePort()}`;
Runtime.install({
  logger: temporalLoggerFor(log),
  // The signals are stopOnSignals' to handle, like in every process (the SDK would also take
  // SIGUSR2, which the chaos run's fault needs).
  shutdownSignals: [],
  telemetryOptions: { metrics: temporalPrometheusExporter(coreMetricsAddress) },
});

const db = connectDb(config.DATABASE_URL, { applicationName: 'saga-worker' });
registerSagaGauges({ sql: db.sql, stallAfterSeconds: config.SAGA_STALL_AFTER_SECONDS });
let metrics: MetricsServer | undefined;
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
let worker: Worker | undefined;
let running: Promise<void> | undefined;
const stop = stopOnSignals({
  log,
  steps: [
    { name: 'metrics server', close: async () => metrics?.close() },
    {
      name: 'worker',
      close: async () => {
        // Resolves once the tasks in flight have finished.
        if (worker?.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    },
    { name: 'Temporal connection', close: () => connection.close() },
    { name: 'database', close: () => db.close() },
    // Last: the spans of the tasks that just finished go out too.
    tracing.stopStep(log),
  ],
});

// Only the chaos run sets CHAOS_FAULTS: normal workers have no fault code on their path.
const faults = config.CHAOS_FAULTS ? [armCrashAfterCommitOnSignal(log).interceptor] : undefined;
try {
  metrics = await startMetricsServer({
    host: config.METRICS_HOST,
    port: metricsPortOf(config, 'saga-worker'),
    log,
    appendix: temporalMetricsAppendix(coreMetricsAddress),
  });
  worker = await createSagaWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db: db.db,
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } } : {}),
    activityInterceptors: faults,
    tracing: tracing.sdk,
  });
  running = worker.run();
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'saga worker running');
  await running;
  // Ended by a stop, which this joins, or by itself, which stops the process.
  await stop('worker stopped');
} catch (error) {
  log.fatal({ err: error }, 'saga worker failed');
  await stop('worker failed', 1);
}
