import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TERMINAL_STATUSES, workflowIdForOrder, type CancellationRequest, type OrderSagaState, type StepRetry } from '../../domain/order';
import type { orderSaga } from '../../workflows';
import { statusQuery } from '../../workflows/definitions';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { readStepRetries } from './step-retries';

/** What the API shows of an order: the saga's state, and the steps it is retrying. */
export interface OrderView extends OrderSagaState {
  cancellation: CancellationRequest | null;
  outcomeError: string | null;
  retrying: StepRetry[];
}

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

export async function readOrderView(deps: Pick<ApiDeps, 'client' | 'db' | 'config'>, orderId: string): Promise<OrderView> {
  return orderView(deps, await readOrderState(deps.client, orderId));
}

/** The saga's state with the steps it is retrying; fields that sagas closed before they existed lack are null. */
export async function orderView(deps: Pick<ApiDeps, 'db' | 'config'>, state: OrderSagaState): Promise<OrderView> {
  const retrying = TERMINAL_STATUSES.includes(state.status) ? [] : await readRetries(deps, state.orderId);
  return { ...state, cancellation: state.cancellation ?? null, outcomeError: state.outcomeError ?? null, retrying };
}

export async function readRetries(deps: Pick<ApiDeps, 'db' | 'config'>, orderId: string): Promise<StepRetry[]> {
  const rows = await readStepRetries(deps.db.db, { orderId, stuckAfterMs: deps.config.STEP_STUCK_AFTER_MS });
  return rows.map(({ step, retryingSince, attempts, lastError, stuck }) => ({ step, retryingSince, attempts, lastError, stuck }));
}
