import type { WorkerOptions } from '@temporalio/worker';

/**
 * The worker settings that decide saga throughput. The benchmark's baseline worker uses the
 * same ones, so saga/baseline compares workflows, not configurations.
 */
export const WORKER_TUNING = {} satisfies Partial<WorkerOptions>;
