import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIdForOrder, type OrderSagaState } from '../../domain/order';
import type { orderSaga } from '../../workflows';
import { statusQuery } from '../../workflows/definitions';
import { notFound } from '../errors';

/** The saga's status: from its query while it runs, from its result once it has closed. */
export async function readOrderState(client: Client, orderId: string): Promise<OrderSagaState> {
  const handle = client.workflow.getHandle<typeof orderSaga>(workflowIdForOrder(orderId));
  try {
    const { status } = await handle.describe();
    return status.name === 'RUNNING' ? await handle.query(statusQuery) : await handle.result();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound('order', orderId);
    throw error;
  }
}
