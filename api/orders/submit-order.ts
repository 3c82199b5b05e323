import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { workflowIdForOrder, type OrderStatus } from '../../domain/order';
import { startOrderSaga } from '../../saga-client/start-order-saga';
import type { ApiDeps } from '../deps';
import type { SubmitOrder } from '../schemas';
import { checkAgainstCatalog } from './check-catalog';
import { claimOrderId } from './claim-idempotency-key';
import { readOrderState } from './read-order-state';

export interface SubmittedOrder {
  orderId: string;
  workflowId: string;
  status: OrderStatus;
  repeated: boolean;
}

/**
 * Starts the saga for a validated order. A repeat of an idempotent request starts it again only
 * if the first attempt never got that far; the workflow id makes a second saga impossible.
 */
export async function submitOrder(deps: ApiDeps, body: SubmitOrder, idempotencyKey: string | undefined): Promise<SubmittedOrder> {
  await checkAgainstCatalog(deps.db.db, body.items);
  const { orderId, repeated } = await claimOrderId(deps.db.db, idempotencyKey, body);
  const input = {
    ...body,
    orderId,
    reviewThresholdCents: deps.config.REVIEW_THRESHOLD_CENTS,
    reviewTimeoutMs: deps.config.REVIEW_TIMEOUT_MS,
  };
  try {
    await startOrderSaga(deps.client, input, deps.config.TEMPORAL_TASK_QUEUE);
  } catch (error) {
    // The saga already ran to its end: the repeat answers with it.
    if (!(repeated && error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  const status = repeated ? (await readOrderState(deps.client, orderId)).status : 'PENDING';
  return { orderId, workflowId: workflowIdForOrder(orderId), status, repeated };
}
