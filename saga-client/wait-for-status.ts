import type { OrderSagaState, OrderStatus } from '../domain/order';
import type { SagaClient } from './saga-client';

/** Polls the order's saga until it reports `status`: for callers that drive sagas (tests, the history recorder). */
export async function waitForStatus(
  sagas: Pick<SagaClient, 'readOrder'>,
  orderId: string,
  status: OrderStatus,
  timeoutMs = 20_000,
): Promise<OrderSagaState> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderSagaState | undefined;
  while (Date.now() < deadline) {
    last = await sagas.readOrder(orderId);
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`order ${orderId} did not reach ${status} within ${timeoutMs} ms; last status ${last?.status}`);
}
