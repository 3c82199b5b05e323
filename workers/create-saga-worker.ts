import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Database } from '../db/client';
import { tracingActivityInterceptors, workflowSpanSinks, workflowTracingModules } from '../telemetry/temporal-tracing';
import type { TracingSdk } from '../telemetry/tracing-sdk';
import { WORKER_TUNING } from './worker-tuning';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface SagaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  /** A prebuilt bundle (tests build one per run); without it the worker bundles the workflows itself. */
  workflowBundle?: WorkflowBundleOption;
  /** Extra activity interceptors (the chaos run's fault injection); none in normal operation. */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /**
   * The process's tracing SDK, when on: workflows, activities and the worker's client are traced.
   * A prebuilt bundle must then have been made with workflowTracingModules().
   */
  tracing?: TracingSdk;
}

/** The worker that hosts the order saga's workflow and activities on one task queue. */
export function createSagaWorker(options: SagaWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, db, workflowBundle, activityInterceptors = [], tracing } = options;
  // Tracing first, so a fault interceptor's work happens inside the activity's span.
  const activity = tracing ? [tracingActivityInterceptors, ...activityInterceptors] : activityInterceptors;
  return Worker.create({
    ...WORKER_TUNING,
    connection,
    namespace,
    taskQueue,
    activities: createActivities({ db }),
    interceptors: {
      activity,
      // Ignored (with a warning) for a prebuilt bundle: it has them built in.
      ...(tracing && !workflowBundle ? { workflowModules: workflowTracingModules() } : {}),
    },
    ...(tracing ? { sinks: workflowSpanSinks(tracing) } : {}),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
