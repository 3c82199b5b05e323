import type { WorkerOptions } from '@temporalio/worker';

/**
 * Worker settings that bear on saga throughput (task concurrency, cached workflows, pollers): the
 * SDK's defaults for now. The benchmark's baseline worker uses the same ones, so saga/baseline
 * compares workflows, not configurations.
 */
export const WORKER_TUNING = {} satisfies Partial<WorkerOptions>;
