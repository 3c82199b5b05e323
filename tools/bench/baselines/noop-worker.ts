import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../config/env';
import { createLogger } from '../../../logging/logger';
import { temporalLoggerFor } from '../../../logging/temporal-logger';
import { WORKER_TUNING } from '../../../workers/worker-tuning';
import { noopActivities } from './noop-activities';

/** The saga baseline's worker process: the saga worker's settings, no-op workflow and activities. */
const config = loadConfig();
const log = createLogger('noop-worker', config.LOG_LEVEL);
Runtime.install({ logger: temporalLoggerFor(log) });

const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
try {
  const worker = await Worker.create({
    ...WORKER_TUNING,
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: noopActivities,
    workflowsPath: fileURLToPath(new URL('./noop-workflows.ts', import.meta.url)),
  });
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'noop worker running');
  await worker.run();
} finally {
  await connection.close();
}
