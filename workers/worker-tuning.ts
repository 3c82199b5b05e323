import type { WorkerOptions } from '@temporalio/worker';

/**
 * Worker settings that bear on saga throughput (task concurrency, cached workflows, pollers): the
 * SDK's defaults, but for two that decide how soon a dead worker's sagas move on (docs/reliability.md,
 * "Chaos run"). The benchmark's baseline worker uses the same ones, so saga/baseline compares
 * workflows, not configurations.
 */
export const WORKER_TUNING = {
  // Heartbeats reach Temporal each second (the SDK's default would be 80 % of the 4 s heartbeatTimeout).
  maxHeartbeatThrottleInterval: '1 second',
  // A workflow task queued for a worker that died goes to the shared queue after 3 s, not 10 s;
  // on a live but busy worker the cost is a replay elsewhere, not a retry.
  stickyQueueScheduleToStartTimeout: '3 seconds',
} satisfies Partial<WorkerOptions>;
