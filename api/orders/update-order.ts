import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ORDER_STATUSES, workflowIdForOrder, type OrderSagaState, type OrderStatus } from '../../domain/order';
import { ORDER_STATUS } from '../../workflows/search-attributes';
import { ApiError } from '../errors';
import { readOrderState } from './read-order-state';

/** The saga's answer to an update, or the status it last reported when it gave none in time. */
export type UpdateAnswer = { answered: true; state: OrderSagaState } | { answered: false; lastStatus: OrderStatus | null };

/**
 * Sends cancel, approve or reject to the saga, waiting at most `timeoutMs` for its answer. The
 * saga's validator refuses what its current status does not allow: that, or a saga that already
 * ended, is a 409. A saga takes requests only between the attempts of its steps (and not at all
 * while no worker runs), so one that is busy answers nothing in time: the request stays with
 * Temporal, the saga decides on it when it can, and the caller says so (202).
 */
export async function updateOrder<A>(
  client: Client,
  orderId: string,
  update: UpdateDefinition<OrderSagaState, [A]>,
  argument: A,
  timeoutMs: number,
): Promise<UpdateAnswer> {
  const handle = client.workflow.getHandle(workflowIdForOrder(orderId));
  try {
    const state = await client.withDeadline(Date.now() + timeoutMs, () => handle.executeUpdate(update, { args: [argument] }));
    return { answered: true, state };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause?.message ?? error.message;
      throw new ApiError(409, 'order_state_conflict', reason, [{ path: 'status', message: reason }]);
    }
    if (error instanceof WorkflowNotFoundError) {
      // Closed sagas answer "not found" to updates too; tell the two apart.
      const { status } = await readOrderState(client, orderId);
      throw new ApiError(409, 'order_state_conflict', `order ${orderId} is already ${status}`, [
        { path: 'status', message: `order is ${status}` },
      ]);
    }
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
      return { answered: false, lastStatus: await lastReportedStatus(client, orderId) };
    throw error;
  }
}

/** The OrderStatus search attribute: the server keeps it, so it answers even while the saga is busy. */
async function lastReportedStatus(client: Client, orderId: string): Promise<OrderStatus | null> {
  const description = await client.workflow.getHandle(workflowIdForOrder(orderId)).describe();
  const status = description.typedSearchAttributes.get(ORDER_STATUS);
  // Unset until the saga's first workflow task completes, and a saga starts PENDING.
  if (status === undefined && description.status.name === 'RUNNING') return 'PENDING';
  return ORDER_STATUSES.find((known) => known === status) ?? null;
}
