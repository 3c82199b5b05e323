import type { SagaAnswer } from '../../saga-client/saga-client';
import { ApiError } from '../errors';

export type TakenOrPending = Extract<SagaAnswer, { outcome: 'accepted' | 'unanswered' }>;

/** A saga's answer to a cancel or review decision, with a refusal or an ended saga as the 409 it is. */
export function takenOrPending(orderId: string, answer: SagaAnswer): TakenOrPending {
  switch (answer.outcome) {
    case 'refused':
      throw stateConflict(answer.reason, answer.reason);
    case 'ended':
      throw stateConflict(`order ${orderId} is already ${answer.status}`, `order is ${answer.status}`);
    default:
      return answer;
  }
}

/** 409: the order's status does not allow what was asked. */
export const stateConflict = (message: string, detail = message): ApiError =>
  new ApiError(409, 'order_state_conflict', message, [{ path: 'status', message: detail }]);
