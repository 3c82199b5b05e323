import type { WorkflowHandle } from '@temporalio/client';
import type { OrderSagaState, OrderStatus } from '../domain/order';
import { statusQuery } from '../workflows/definitions';

/** Polls the saga's status query until it reports `status`. */
export async function waitForStatus(handle: WorkflowHandle, status: OrderStatus, timeoutMs = 20_000): Promise<OrderSagaState> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderSagaState | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery);
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`order ${handle.workflowId} did not reach ${status} within ${timeoutMs} ms; last status ${last?.status}`);
}
