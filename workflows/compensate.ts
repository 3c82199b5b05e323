import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import type { CancellationRequest, CompensationStep, ForwardStep, OrderFailure, OrderSagaState, UnsuccessfulStatus } from '../domain/order';
import { COMPENSATION_OPTIONS } from './activity-options';
import type { SagaProgress } from './saga-progress';
import { FAILED_STEP } from './search-attributes';
import { COMPENSATION_SUMMARY } from './step-table';

const compensations = proxyActivities<OrderActivities>(COMPENSATION_OPTIONS);

/**
 * What the saga does when a step fails for good, or the order is cancelled or rejected: the
 * compensations registered so far run newest first, then the order is marked with how it ended.
 * Non-cancellable: a cancelled saga must still undo what it did.
 */
export async function compensate(progress: SagaProgress, error: unknown): Promise<OrderSagaState> {
  const { state } = progress;
  state.failure = describeFailure(error, progress.currentStep, state.cancellation ?? undefined);
  state.waitingFor = null;
  if (state.cancellation) state.cancellation.waitsFor = null;
  progress.setStatus('COMPENSATING');
  upsertSearchAttributes([{ key: FAILED_STEP, value: progress.currentStep }]);
  const outcome = await CancellationScope.nonCancellable(async () => {
    const unresolved = await runCompensations(progress, progress.undo);
    const status: UnsuccessfulStatus =
      unresolved.length > 0 ? 'NEEDS_ATTENTION' : state.failure?.type === 'Cancelled' ? 'CANCELLED' : 'FAILED';
    try {
      await compensations.markOrderOutcome.executeWithOptions({ ...COMPENSATION_OPTIONS, summary: `Mark order ${status}` }, [
        { orderId: state.orderId, status, failure: state.failure!, unresolved, customerId: state.customerId },
      ]);
      return status;
    } catch (error) {
      // Only a non-retryable failure gets here: the orders row and the outcome event are missing.
      // The saga still ends, visibly, rather than failing as a workflow nobody looks at.
      state.outcomeError = messageOf(error);
      return 'NEEDS_ATTENTION' as const;
    }
  });
  progress.setStatus(outcome);
  return state;
}

/** Runs each compensation once; returns those that failed for good. */
async function runCompensations(progress: SagaProgress, pending: readonly CompensationStep[]): Promise<CompensationStep[]> {
  const { state } = progress;
  const unresolved: CompensationStep[] = [];
  for (const step of pending) {
    try {
      await compensations[step].executeWithOptions({ ...COMPENSATION_OPTIONS, summary: COMPENSATION_SUMMARY[step] }, [
        { orderId: state.orderId },
      ]);
      state.compensations.push({ step, completedAt: new Date().toISOString(), outcome: 'COMPENSATED' });
      progress.show();
    } catch (error) {
      // Only a non-retryable rejection gets here; the others keep retrying. Carry on with the
      // rest, and leave the order visibly in NEEDS_ATTENTION.
      unresolved.push(step);
      state.compensations.push({ step, completedAt: new Date().toISOString(), outcome: 'FAILED', error: messageOf(error) });
      progress.show();
    }
  }
  return unresolved;
}

function describeFailure(error: unknown, step: ForwardStep, cancellation: CancellationRequest | undefined): OrderFailure {
  if (isCancellation(error)) return { step, type: 'Cancelled', reason: cancellation?.reason ?? 'workflow cancelled' };
  const cause = error instanceof ActivityFailure ? error.cause : error;
  // A step that failed on its own while a cancel waited for it (recordOrder) says why it failed.
  if (cause instanceof ApplicationFailure) return { step, type: cause.type ?? 'ApplicationFailure', reason: cause.message };
  if (cancellation) return { step, type: 'Cancelled', reason: cancellation.reason };
  // Anything else is a bug in this code: fail the workflow task so Temporal retries it after a fix.
  throw error;
}

function messageOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
