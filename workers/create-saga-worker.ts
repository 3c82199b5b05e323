import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Database } from '../db/client';
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
}

/** The worker that hosts the order saga's workflow and activities on one task queue. */
export function createSagaWorker(options: SagaWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, db, workflowBundle, activityInterceptors } = options;
  return Worker.create({
    ...WORKER_TUNING,
    connection,
    namespace,
    taskQueue,
    activities: createActivities({ db }),
    ...(activityInterceptors ? { interceptors: { activity: activityInterceptors } } : {}),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
