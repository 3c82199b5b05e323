import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * Forward steps as ordinary activities: the provider steps (fraud check, charge, shipment; see
 * step-table.ts), and every step of a saga started before 'local-steps'. Infrastructure failures
 * (a provider or database outage) retry with capped exponential back-off, without limit: they
 * delay a saga, they do not fail it. Business failures are non-retryable ApplicationFailures
 * thrown by the activities and end the retrying at once.
 *
 * No heartbeatTimeout: an attempt is one provider call and one short transaction, bounded by
 * startToCloseTimeout, and the simulated providers answer at once. A provider call that can run
 * for long (a carrier's batch booking, a payment waiting on 3-D Secure) would heartbeat while it
 * waits and set a heartbeatTimeout of a few seconds, so that an attempt on a worker that died is
 * retried after that instead of after startToCloseTimeout.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * The steps that run as local activities: the same timeout and retry policy. A retry wait longer
 * than the local retry threshold (1 minute by default) becomes a durable timer in the history.
 */
export const LOCAL_STEP_OPTIONS: LocalActivityOptions = STEP_OPTIONS;

/** Compensations retry until they succeed; only a non-retryable rejection stops them. */
export const COMPENSATION_OPTIONS: ActivityOptions = STEP_OPTIONS;
