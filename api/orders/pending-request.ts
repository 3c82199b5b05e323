import type { OrderSagaState, OrderStatus } from '../../domain/order';
import type { ApiDeps } from '../deps';
import type { OrderRequestPending } from '../schemas';
import { readRetries } from './read-order-state';

export type OrderRequest = OrderRequestPending['request'];

/**
 * The 202 answer to a cancel or review decision that has not taken effect yet: either the saga
 * accepted it and applies it when the step it cannot interrupt ends, or it has not taken it yet.
 */
export async function pendingRequest(
  deps: Pick<ApiDeps, 'store' | 'config'>,
  orderId: string,
  request: OrderRequest,
  seen: { accepted: true; state: OrderSagaState } | { accepted: false; lastStatus: OrderStatus | null },
): Promise<OrderRequestPending> {
  const retrying = await readRetries(deps, orderId);
  if (seen.accepted) {
    const cancellation = seen.state.cancellation ?? null;
    return {
      orderId,
      request,
      accepted: true,
      status: seen.state.status,
      message: `the saga accepted the ${request}; it takes effect when ${cancellation?.waitsFor ?? 'the running step'} ends, which it cannot interrupt`,
      cancellation,
      retrying,
    };
  }
  return {
    orderId,
    request,
    accepted: false,
    status: seen.lastStatus,
    message:
      `the saga did not take the ${request} within ${deps.config.SAGA_ANSWER_TIMEOUT_MS} ms: it takes requests between the attempts of its ` +
      `steps${retrying.length > 0 ? ` (${retrying.map((r) => `${r.step} is retrying`).join(', ')})` : ''}, and only while a worker runs. ` +
      'Temporal holds the request; the saga decides on it when it can, and may still refuse it if its status no longer allows it',
    cancellation: null,
    retrying,
  };
}
