import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/env';
import { connectDb } from '../db/client';
import { createLogger } from '../logging/logger';
import { temporalLoggerFor } from '../logging/temporal-logger';
import { createSagaWorker } from './create-saga-worker';
import { armCrashAfterCommitOnSignal, SHUTDOWN_SIGNALS_WITH_FAULTS } from './faults/crash-after-commit';

/** The saga worker process: runs until SIGINT or SIGTERM, then finishes in-flight tasks and exits. */
const config = loadConfig();
const log = createLogger('saga-worker', config.LOG_LEVEL);
Runtime.install({ logger: temporalLoggerFor(log), ...(config.CHAOS_FAULTS ? { shutdownSignals: SHUTDOWN_SIGNALS_WITH_FAULTS } : {}) });

const db = connectDb(config.DATABASE_URL, { applicationName: 'saga-worker' });
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
// Only the chaos run sets CHAOS_FAULTS: normal workers have no fault code on their path.
const faults = config.CHAOS_FAULTS ? [armCrashAfterCommitOnSignal(log).interceptor] : undefined;
try {
  const worker = await createSagaWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db: db.db,
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } } : {}),
    activityInterceptors: faults,
  });
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'saga worker running');
  // Worker.run resolves after the SDK's shutdown signals (SIGINT, SIGTERM) drained the worker.
  await worker.run();
} finally {
  await connection.close();
  await db.close();
}
