import { OrderNotFoundError } from '../../saga-client/errors';
import type { SagaAnswer } from '../../saga-client/saga-client';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';

/**
 * Sends a cancel or review decision; an order whose workflow Temporal no longer keeps (retention)
 * but PostgreSQL does has ended, and answers so, as GET /orders/{id} shows it, not as unknown.
 */
export async function askSaga(deps: Pick<ApiDeps, 'store'>, orderId: string, ask: () => Promise<SagaAnswer>): Promise<SagaAnswer> {
  try {
    return await ask();
  } catch (error) {
    if (!(error instanceof OrderNotFoundError)) throw error;
    const archived = await deps.store.readArchivedOrder(orderId);
    if (!archived) throw error;
    return { outcome: 'ended', status: archived.status };
  }
}

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
