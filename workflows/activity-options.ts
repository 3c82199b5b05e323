import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * Forward steps as ordinary activities: the provider steps (fraud check, charge, shipment; see
 * step-table.ts), and every step of a saga started before 'local-steps'. Infrastructure failures
 * (a provider or database outage) retry with capped exponential back-off, without limit: they
 * delay a saga, they do not fail it. Business failures are non-retryable ApplicationFailures
 * thrown by the activities and end the retrying at once.
 *
 * A heartbeatTimeout of 4 s: every attempt heartbeats each second while it runs (activityStep,
 * activities/activity-step.ts; the worker sends them at most each second, workers/worker-tuning.ts),
 * so an attempt whose worker died is retried about 4 s later instead of after the 30 s
 * startToCloseTimeout, while a healthy attempt on a loaded machine has 3 s of slack. Changing it
 * changes no command the replayer compares (activity type and id), so recorded histories replay.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '4 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * The steps that run as local activities: the same timeout and retry policy (local activities do
 * not heartbeat: a dead worker's local step runs again once its workflow task times out, see
 * saga-client/start-order-saga.ts). A retry wait longer than the local retry threshold (1 minute by
 * default) becomes a durable timer in the history.
 */
export const LOCAL_STEP_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: STEP_OPTIONS.startToCloseTimeout,
  retry: STEP_OPTIONS.retry,
};

/** Compensations retry until they succeed; only a non-retryable rejection stops them. */
export const COMPENSATION_OPTIONS: ActivityOptions = STEP_OPTIONS;
