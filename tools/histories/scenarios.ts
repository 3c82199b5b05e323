import type { OrderSagaInput, OrderStatus } from '../../domain/order';
import type { SagaAnswer, SagaClient } from '../../saga-client/saga-client';
import { waitForStatus } from '../../saga-client/wait-for-status';

/** One path through the order saga, recorded as a replay fixture named after it. */
export interface HistoryScenario {
  name: string;
  /** What sets the saga on this path; the rest of the input is a plain demo order. */
  input: Partial<OrderSagaInput>;
  /** What a person does while the saga runs, for the paths that need one. */
  drive?: (sagas: SagaClient, orderId: string) => Promise<void>;
  /** How the saga must end; a recording that ends otherwise is refused, so a fixture's name never lies. */
  expected: { status: OrderStatus; failureType?: string };
}

/** Two espresso machines (1298.00 EUR) go over the default review threshold (1000.00). */
const ABOVE_REVIEW_THRESHOLD: Partial<OrderSagaInput> = { items: [{ sku: 'SKU-ESPRESSO', quantity: 2 }] };

/** The carrier refuses to ship to Antarctica (activities/create-shipment.ts). */
const UNSHIPPABLE_ADDRESS: OrderSagaInput['shippingAddress'] = {
  name: 'McMurdo Station',
  line1: 'Ross Island',
  city: 'McMurdo',
  postalCode: '0000',
  country: 'AQ',
};

/** Long enough for a saga on an idle worker; the recording is refused if the saga does not take the decision. */
const DECISION_TIMEOUT_MS = 30_000;

const decideReview =
  (decide: (sagas: SagaClient, orderId: string) => Promise<SagaAnswer>) => async (sagas: SagaClient, orderId: string) => {
    await waitForStatus(sagas, orderId, 'AWAITING_REVIEW');
    const answer = await decide(sagas, orderId);
    if (answer.outcome !== 'accepted') throw new Error(`order ${orderId}: the saga did not take the decision (${JSON.stringify(answer)})`);
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
    input: { shippingAddress: UNSHIPPABLE_ADDRESS },
    expected: { status: 'FAILED', failureType: 'ShippingRefused' },
  },
  {
    name: 'review-approved',
    input: ABOVE_REVIEW_THRESHOLD,
    drive: decideReview((sagas, orderId) => sagas.approve(orderId, { reviewer: 'recorder' }, DECISION_TIMEOUT_MS)),
    expected: { status: 'COMPLETED' },
  },
  {
    name: 'review-rejected',
    input: ABOVE_REVIEW_THRESHOLD,
    drive: decideReview((sagas, orderId) =>
      sagas.reject(orderId, { reviewer: 'recorder', reason: 'address looks fraudulent' }, DECISION_TIMEOUT_MS),
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
    drive: decideReview((sagas, orderId) => sagas.cancel(orderId, { reason: 'customer changed their mind' }, DECISION_TIMEOUT_MS)),
    expected: { status: 'CANCELLED', failureType: 'Cancelled' },
  },
  // The provider fails the first two attempts: the history shows the charge retried (attempt 3).
  { name: 'flaky-payment-retried', input: { payment: { token: 'tok_flaky' } }, expected: { status: 'COMPLETED' } },
  // Since the fraud-check patch.
  { name: 'fraud-suspected', input: { customerId: 'cust-fraud' }, expected: { status: 'FAILED', failureType: 'FraudSuspected' } },
  // The carrier refuses and the refund is rejected: a compensation that cannot succeed (order.needs-attention).
  {
    name: 'refund-rejected',
    input: { payment: { token: 'tok_refundRejected' }, shippingAddress: UNSHIPPABLE_ADDRESS },
    expected: { status: 'NEEDS_ATTENTION', failureType: 'ShippingRefused' },
  },
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
