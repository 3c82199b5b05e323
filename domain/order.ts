/**
 * The order saga's vocabulary, shared by workflows, activities, workers and the API.
 * Types only plus plain constants, so workflow code can import it without breaking determinism.
 */

export type OrderItem = {
  sku: string;
  quantity: number;
};

export type ShippingAddress = {
  name: string;
  line1: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
};

export interface OrderSagaInput {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  payment: { token: string };
  shippingAddress: ShippingAddress;
  /** Orders whose total is above this many cents wait for a human review. Default 100000 (1000.00). */
  reviewThresholdCents?: number;
  /** How long a review may take before the order is rejected, in milliseconds. Default 24 h. */
  reviewTimeoutMs?: number;
}

export const DEFAULT_REVIEW_THRESHOLD_CENTS = 100_000;
export const DEFAULT_REVIEW_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export const ORDER_STATUSES = [
  'PENDING',
  'RESERVING_INVENTORY',
  'CHECKING_FRAUD',
  'CHARGING_PAYMENT',
  'AWAITING_REVIEW',
  'SHIPPING',
  'COMPENSATING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'NEEDS_ATTENTION',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'NEEDS_ATTENTION'] as const satisfies readonly OrderStatus[];
/** How an order ends; the saga changes nothing after it. */
export type TerminalStatus = (typeof TERMINAL)[number];
export const TERMINAL_STATUSES: readonly OrderStatus[] = TERMINAL;
/** The ends other than COMPLETED: the saga compensated what it had done (markOrderOutcome records which). */
export type UnsuccessfulStatus = Exclude<TerminalStatus, 'COMPLETED'>;

/** Until the shipment step starts, an order can still be cancelled. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = [
  'PENDING',
  'RESERVING_INVENTORY',
  'CHECKING_FRAUD',
  'CHARGING_PAYMENT',
  'AWAITING_REVIEW',
];

export type ForwardStep =
  | 'recordOrder'
  | 'reserveInventory'
  // Since the `fraud-check` patch; sagas started before it skip the step.
  | 'checkFraud'
  | 'chargePayment'
  | 'review'
  | 'createShipment'
  | 'completeOrder';
export type CompensationStep = 'cancelShipment' | 'refundPayment' | 'releaseInventory';
/** Every step the saga's ledger (saga_steps) and its retries (step_retries) name. */
export type SagaStep = ForwardStep | CompensationStep | 'markOrderOutcome';

export interface StepRecord {
  step: ForwardStep;
  completedAt: string;
}

export interface CompensationRecord {
  step: CompensationStep;
  completedAt: string;
  outcome: 'COMPENSATED' | 'FAILED';
  error?: string;
}

export interface OrderFailure {
  step: ForwardStep;
  /** The ApplicationFailure type, for example PaymentDeclined, or Cancelled / ReviewRejected / ReviewTimedOut. */
  type: string;
  reason: string;
}

export type PricedLine = {
  sku: string;
  quantity: number;
  unitPriceCents: number;
};

export interface OrderSagaState {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  totalCents: number | null;
  currency: string;
  lines: PricedLine[];
  steps: StepRecord[];
  compensations: CompensationRecord[];
  failure: OrderFailure | null;
  /** What the saga waits for right now, in words, or null. */
  waitingFor: string | null;
  /**
   * A cancel the saga accepted: it takes effect at once, or when the step running then ends if
   * that step cannot be interrupted (recordOrder). Null when nobody asked. Sagas that closed
   * before this field existed lack it.
   */
  cancellation?: CancellationRequest | null;
  /** Why the order's outcome could not be written to the database (the saga then ends NEEDS_ATTENTION), or null. */
  outcomeError?: string | null;
}

/** The body of a cancel: the saga records the reason in its failure. */
export interface CancelRequest {
  reason?: string;
}

/** A reviewer's approve or reject of an order above the review threshold. */
export interface ReviewDecision {
  reviewer?: string;
  reason?: string;
}

export interface CancellationRequest {
  reason: string;
  requestedAt: string;
  /**
   * The step the cancel waits for when it arrived during one it cannot interrupt (recordOrder);
   * null once it has taken effect, or when it did at once.
   */
  waitsFor: ForwardStep | null;
}

/**
 * A step that failed and is being retried (it has not succeeded since), as the step's activity
 * records it: shown beside the saga's state so a step never retries out of sight.
 */
export interface StepRetry {
  step: string;
  retryingSince: string;
  /** Attempts that failed so far. */
  attempts: number;
  lastError: string;
  /** Failing for longer than STEP_STUCK_AFTER_MS. */
  stuck: boolean;
}

/** Business failures: non-retryable ApplicationFailure types. */
export const BUSINESS_FAILURE_TYPES = [
  'UnknownSku',
  'OutOfStock',
  'PaymentDeclined',
  'ShippingRefused',
  'RefundRejected',
  'FraudSuspected',
  // Above the limits of domain/order-limits.ts at the prices recordOrder found.
  'OrderLimitExceeded',
] as const;
export type BusinessFailureType = (typeof BUSINESS_FAILURE_TYPES)[number];

export const workflowIdForOrder = (orderId: string): string => `order-${orderId}`;
