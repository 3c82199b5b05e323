import type { WorkflowHandle } from '@temporalio/client';
import type { OrderSagaInput, OrderStatus } from '../../domain/order';
import { waitForStatus } from '../../saga-client/wait-for-status';
import type { orderSaga } from '../../workflows';
import { approveUpdate, cancelUpdate, rejectUpdate } from '../../workflows/definitions';

/** One path through the order saga, recorded as a replay fixture named after it. */
export interface HistoryScenario {
  name: string;
  /** What sets the saga on this path; the rest of the input is a plain demo order. */
  input: Partial<OrderSagaInput>;
  /** What a person does while the saga runs, for the paths that need one. */
  drive?: (handle: WorkflowHandle<typeof orderSaga>) => Promise<void>;
  /** How the saga must end; a recording that ends otherwise is refused, so a fixture's name never lies. */
  expected: { status: OrderStatus; failureType?: string };
}

/** Two espresso machines (1298.00 EUR) go over the default review threshold (1000.00). */
const ABOVE_REVIEW_THRESHOLD: Partial<OrderSagaInput> = { items: [{ sku: 'SKU-ESPRESSO', quantity: 2 }] };

const decideReview =
  (decide: (handle: WorkflowHandle<typeof orderSaga>) => Promise<unknown>) => async (handle: WorkflowHandle<typeof orderSaga>) => {
    await waitForStatus(handle, 'AWAITING_REVIEW');
    await decide(handle);
  };

export const HISTORY_SCENARIOS: readonly HistoryScenario[] = [
  { name: 'completed', input: {}, expected: { status: 'COMPLETED' } },
  {
    name: 'payment-declined',
    input: { payment: { token: 'tok_chargeDeclined' } },
    expected: { status: 'FAILED', failureType: 'PaymentDeclined' },
  },
  {
    name: 'shipping-refused',
    input: { shippingAddress: { name: 'McMurdo Station', line1: 'Ross Island', city: 'McMurdo', postalCode: '0000', country: 'AQ' } },
    expected: { status: 'FAILED', failureType: 'ShippingRefused' },
  },
  {
    name: 'review-approved',
    input: ABOVE_REVIEW_THRESHOLD,
    drive: decideReview((handle) => handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'recorder' }] })),
    expected: { status: 'COMPLETED' },
  },
  {
    name: 'review-rejected',
    input: ABOVE_REVIEW_THRESHOLD,
    drive: decideReview((handle) =>
      handle.executeUpdate(rejectUpdate, { args: [{ reviewer: 'recorder', reason: 'address looks fraudulent' }] }),
    ),
    expected: { status: 'FAILED', failureType: 'ReviewRejected' },
  },
  {
    name: 'review-timed-out',
    // The timer is what is recorded, not its length: one second keeps the recording quick.
    input: { ...ABOVE_REVIEW_THRESHOLD, reviewTimeoutMs: 1000 },
    expected: { status: 'FAILED', failureType: 'ReviewTimedOut' },
  },
  {
    name: 'cancelled-during-review',
    input: ABOVE_REVIEW_THRESHOLD,
    drive: decideReview((handle) => handle.executeUpdate(cancelUpdate, { args: [{ reason: 'customer changed their mind' }] })),
    expected: { status: 'CANCELLED', failureType: 'Cancelled' },
  },
  // The provider fails the first two attempts: the history shows the charge retried (attempt 3).
  { name: 'flaky-payment-retried', input: { payment: { token: 'tok_flaky' } }, expected: { status: 'COMPLETED' } },
  // Since the fraud-check patch.
  { name: 'fraud-suspected', input: { customerId: 'cust-fraud' }, expected: { status: 'FAILED', failureType: 'FraudSuspected' } },
];

export function scenarioInput(scenario: HistoryScenario, orderId: string): OrderSagaInput {
  return {
    orderId,
    customerId: 'cust-42',
    items: [{ sku: 'SKU-RED-MUG', quantity: 2 }],
    payment: { token: 'tok_visa' },
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    ...scenario.input,
  };
}
