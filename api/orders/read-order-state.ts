import { TERMINAL_STATUSES, type CancellationRequest, type OrderSagaState, type StepRetry } from '../../domain/order';
import type { ApiDeps } from '../deps';

/** What the API shows of an order: the saga's state, and the steps it is retrying. */
export interface OrderView extends OrderSagaState {
  cancellation: CancellationRequest | null;
  outcomeError: string | null;
  retrying: StepRetry[];
}

/** The saga's state with the steps it is retrying; fields that sagas closed before they existed lack are null. */
export async function orderView(deps: Pick<ApiDeps, 'store' | 'config'>, state: OrderSagaState): Promise<OrderView> {
  const retrying = TERMINAL_STATUSES.includes(state.status) ? [] : await readRetries(deps, state.orderId);
  return { ...state, cancellation: state.cancellation ?? null, outcomeError: state.outcomeError ?? null, retrying };
}

export async function readRetries(deps: Pick<ApiDeps, 'store' | 'config'>, orderId: string): Promise<StepRetry[]> {
  const rows = await deps.store.readStepRetries({ orderId, stuckAfterMs: deps.config.STEP_STUCK_AFTER_MS });
  return rows.map(({ step, retryingSince, attempts, lastError, stuck }) => ({ step, retryingSince, attempts, lastError, stuck }));
}
