import { ApplicationFailure, setHandler, type CancellationScope } from '@temporalio/workflow';
import { CANCELLABLE_STATUSES, type CancelRequest, type OrderSagaState, type OrderStatus, type ReviewDecision } from '../domain/order';
import { approveUpdate, cancelUpdate, rejectUpdate, statusQuery } from './definitions';
import type { SagaProgress } from './saga-progress';

/**
 * Every message the saga answers, in one place. Descriptions appear in the Temporal UI's Queries
 * tab and in `temporal workflow metadata`. `forward` is the scope a cancel interrupts.
 */
export function registerHandlers(progress: SagaProgress, forward: CancellationScope): void {
  const { state } = progress;
  setHandler(statusQuery, () => state, { description: 'Status, steps done, compensations run and the failure, if any' });
  setHandler(
    cancelUpdate,
    (request) => {
      // The first cancel's reason stands. The handler answers at once (an answer that waited for
      // the cancel to take effect would reorder recorded histories): waitsFor says whether the
      // cancel is still pending behind a step it cannot interrupt.
      state.cancellation ??= {
        reason: request.reason ?? 'cancelled on request',
        requestedAt: new Date().toISOString(),
        waitsFor: progress.uninterruptibleStep,
      };
      progress.show();
      forward.cancel();
      return state;
    },
    {
      description:
        'Cancel the order and undo its steps; refused once the shipment step has started. Arriving during recordOrder, which ' +
        'cannot be interrupted, it takes effect when that step ends (cancellation.waitsFor names the step until then)',
      validator: (_request: CancelRequest) => assertStatusIn(state, CANCELLABLE_STATUSES, 'cancel'),
    },
  );
  setHandler(
    approveUpdate,
    (_decision: ReviewDecision) => {
      progress.review = { approved: true };
      return state;
    },
    {
      description: 'Approve an order waiting for review',
      validator: (_decision: ReviewDecision) => assertStatusIn(state, ['AWAITING_REVIEW'], 'approve'),
    },
  );
  setHandler(
    rejectUpdate,
    (decision) => {
      progress.review = { approved: false, reason: decision.reason ?? 'rejected by reviewer' };
      return state;
    },
    {
      description: 'Reject an order waiting for review; it is then compensated',
      validator: (_decision: ReviewDecision) => assertStatusIn(state, ['AWAITING_REVIEW'], 'reject'),
    },
  );
}

function assertStatusIn(state: OrderSagaState, allowed: readonly OrderStatus[], action: string): void {
  if (!allowed.includes(state.status)) {
    throw ApplicationFailure.create({
      type: 'InvalidOrderState',
      message: `cannot ${action} order ${state.orderId}: it is ${state.status}`,
      details: [{ orderId: state.orderId, status: state.status }],
    });
  }
}
