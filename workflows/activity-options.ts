import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Infrastructure failures retry with capped exponential back-off, without limit: a database or
 * broker outage delays a saga, it does not fail it. Business failures are non-retryable
 * ApplicationFailures thrown by the activities and end the retrying at once.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Compensations retry until they succeed; only a non-retryable rejection stops them. */
export const COMPENSATION_OPTIONS: ActivityOptions = STEP_OPTIONS;
