import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * Infrastructure failures retry with capped exponential back-off, without limit: a database or
 * broker outage delays a saga, it does not fail it. Business failures are non-retryable
 * ApplicationFailures thrown by the activities and end the retrying at once.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * The forward steps as local activities: the same timeout and retry policy. A retry wait longer
 * than the local retry threshold (1 minute by default) becomes a durable timer in the history.
 */
export const LOCAL_STEP_OPTIONS: LocalActivityOptions = STEP_OPTIONS;

/** Compensations retry until they succeed; only a non-retryable rejection stops them. */
export const COMPENSATION_OPTIONS: ActivityOptions = STEP_OPTIONS;
