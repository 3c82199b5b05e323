import { TERMINAL_STATUSES, type CancellationRequest, type OrderSagaState, type StepRetry } from '../../domain/order';
import { OrderNotFoundError } from '../../saga-client/errors';
import type { ApiDeps } from '../deps';

/**
 * Where an order's state came from: its workflow in Temporal, or PostgreSQL once Temporal no
 * longer keeps the workflow (past the namespace's retention).
 */
export type OrderSource = 'temporal' | 'database';

/** What the API shows of an order: the saga's state, and the steps it is retrying. */
export interface OrderView extends OrderSagaState {
  cancellation: CancellationRequest | null;
  outcomeError: string | null;
  retrying: StepRetry[];
  source: OrderSource;
}

/** The saga's state with the steps it is retrying; fields that sagas closed before they existed lack are null. */
export async function orderView(
  deps: Pick<ApiDeps, 'store' | 'config'>,
  state: OrderSagaState,
  source: OrderSource = 'temporal',
): Promise<OrderView> {
  const retrying = TERMINAL_STATUSES.includes(state.status) ? [] : await readRetries(deps, state.orderId);
  return { ...state, cancellation: state.cancellation ?? null, outcomeError: state.outcomeError ?? null, retrying, source };
}

/**
 * The order's state from its saga, or, when Temporal has no workflow for it (retention removed
 * it), from PostgreSQL. OrderNotFoundError when neither knows the order.
 */
export async function readOrderAnywhere(
  deps: Pick<ApiDeps, 'sagas' | 'store'>,
  orderId: string,
): Promise<{ state: OrderSagaState; source: OrderSource }> {
  try {
    return { state: await deps.sagas.readOrder(orderId), source: 'temporal' };
  } catch (error) {
    if (!(error instanceof OrderNotFoundError)) throw error;
    const archived = await deps.store.readArchivedOrder(orderId);
    if (!archived) throw error;
    return { state: archived, source: 'database' };
  }
}

export async function readRetries(deps: Pick<ApiDeps, 'store' | 'config'>, orderId: string): Promise<StepRetry[]> {
  const rows = await deps.store.readStepRetries({ orderId, stuckAfterMs: deps.config.STEP_STUCK_AFTER_MS });
  return rows.map(({ step, retryingSince, attempts, lastError, stuck }) => ({ step, retryingSince, attempts, lastError, stuck }));
}
