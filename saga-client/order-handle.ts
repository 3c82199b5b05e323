import type { Client, WorkflowHandle } from '@temporalio/client';
import { workflowIdForOrder } from '../domain/order';
import type { orderSaga } from '../workflows';

export type OrderSagaHandle = WorkflowHandle<typeof orderSaga>;

/** The handle of an order's saga, for callers that need Temporal itself (histories, results). */
export const orderSagaHandle = (client: Client, orderId: string): OrderSagaHandle =>
  client.workflow.getHandle<typeof orderSaga>(workflowIdForOrder(orderId));
