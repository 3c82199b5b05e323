import { ApplicationFailure, condition } from '@temporalio/workflow';
import { formatDuration, formatMoney } from './format';
import type { SagaProgress } from './saga-progress';

/**
 * The manual review of an order above the threshold: waits for approve or reject, at most
 * `timeoutMs`. A rejection, or no decision in time, fails the saga (it is then compensated).
 */
export async function awaitReview(progress: SagaProgress, thresholdCents: number, timeoutMs: number): Promise<void> {
  const { state } = progress;
  progress.begin('review', 'AWAITING_REVIEW');
  state.waitingFor =
    `a review decision (approve or reject), at most ${formatDuration(timeoutMs)}: ` +
    `the total is above ${formatMoney(thresholdCents, state.currency)}`;
  progress.show();
  const decided = await condition(() => progress.review !== undefined, timeoutMs, {
    summary: `Wait for review, up to ${formatDuration(timeoutMs)}`,
  });
  state.waitingFor = null;
  progress.show();
  if (!decided) throw ApplicationFailure.nonRetryable(`no review decision within ${formatDuration(timeoutMs)}`, 'ReviewTimedOut');
  if (progress.review && !progress.review.approved) throw ApplicationFailure.nonRetryable(progress.review.reason, 'ReviewRejected');
  progress.completed('review');
}
