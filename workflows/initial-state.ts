import type { OrderSagaInput, OrderSagaState } from '../domain/order';

/** A saga's state before its first step: nothing priced, done or failed yet. Pure. */
export function initialState({ orderId, customerId }: Pick<OrderSagaInput, 'orderId' | 'customerId'>): OrderSagaState {
  return {
    orderId,
    customerId,
    status: 'PENDING',
    totalCents: null,
    currency: 'EUR',
    lines: [],
    steps: [],
    compensations: [],
    failure: null,
    waitingFor: null,
    cancellation: null,
    outcomeError: null,
  };
}
