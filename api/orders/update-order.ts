import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { workflowIdForOrder, type OrderSagaState } from '../../domain/order';
import { ApiError } from '../errors';
import { readOrderState } from './read-order-state';

/**
 * Sends cancel, approve or reject to the saga and returns its new state. The saga's validator
 * refuses what its current status does not allow: that, or a saga that already ended, is a 409.
 */
export async function updateOrder<A>(
  client: Client,
  orderId: string,
  update: UpdateDefinition<OrderSagaState, [A]>,
  argument: A,
): Promise<OrderSagaState> {
  const handle = client.workflow.getHandle(workflowIdForOrder(orderId));
  try {
    return await handle.executeUpdate(update, { args: [argument] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause?.message ?? error.message;
      throw new ApiError(409, 'order_state_conflict', reason, [{ path: 'status', message: reason }]);
    }
    if (error instanceof WorkflowNotFoundError) {
      // Closed sagas answer "not found" to updates too; tell the two apart.
      const { status } = await readOrderState(client, orderId);
      throw new ApiError(409, 'order_state_conflict', `order ${orderId} is already ${status}`, [{ path: 'status', message: `order is ${status}` }]);
    }
    throw error;
  }
}

