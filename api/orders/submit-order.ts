import { workflowIdForOrder, type OrderStatus } from '../../domain/order';
import type { ApiDeps } from '../deps';
import type { SubmitOrder } from '../schemas';
import { checkAgainstCatalog } from './check-catalog';
import { claimOrderId } from './claim-idempotency-key';

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
export async function submitOrder(
  deps: Pick<ApiDeps, 'config' | 'sagas' | 'store'>,
  body: SubmitOrder & { customerId: string },
  idempotencyKey: string | undefined,
): Promise<SubmittedOrder> {
  await checkAgainstCatalog(deps.store, body.items);
  const { orderId, repeated } = await claimOrderId(deps.store, body.customerId, idempotencyKey, body);
  const input = {
    ...body,
    orderId,
    reviewThresholdCents: deps.config.REVIEW_THRESHOLD_CENTS,
    reviewTimeoutMs: deps.config.REVIEW_TIMEOUT_MS,
  };
  const saga = await deps.sagas.startOrder(input);
  // Only a repeat can find its saga ended (it answers with it); a new order id never has one.
  if (saga === 'ended' && !repeated) throw new Error(`order ${orderId} is new, yet its saga has already ended`);
  const status = repeated ? (await deps.sagas.readOrder(orderId)).status : 'PENDING';
  return { orderId, workflowId: workflowIdForOrder(orderId), status, repeated };
}
