import type { CancelRequest, OrderSagaInput, OrderSagaState, OrderStatus, ReviewDecision } from '../domain/order';

/**
 * The order sagas as the API (and any other caller outside Temporal) sees them: by order id, in
 * the domain's types. temporal-saga-client.ts implements it over Temporal; the API's fast tests
 * use a fake.
 */
export interface SagaClient {
  /**
   * Starts the order's saga, or finds the one already running for it ('running'): the workflow id
   * is derived from the order id, so there is never a second saga. 'ended': the order's saga has
   * already run to its end, and is not run again.
   */
  startOrder(input: OrderSagaInput): Promise<'running' | 'ended'>;
  /** The saga's state: from its status query while it runs, its result once closed. OrderNotFoundError if there is no saga. */
  readOrder(orderId: string): Promise<OrderSagaState>;
  /** What Temporal itself knows of the saga, without asking the saga (so it answers while the saga is busy); null if there is none. */
  describeOrder(orderId: string): Promise<SagaExecution | null>;
  /** A page of sagas from Temporal visibility, newest first (eventually consistent). InvalidPageTokenError for a bad pageToken. */
  listOrders(query: OrderListQuery): Promise<OrderPage>;
  /** Asks the saga to cancel, waiting at most `timeoutMs` for its answer. */
  cancel(orderId: string, request: CancelRequest, timeoutMs: number): Promise<SagaAnswer>;
  /** A reviewer's approval of an order awaiting review, answered within `timeoutMs`. */
  approve(orderId: string, decision: ReviewDecision, timeoutMs: number): Promise<SagaAnswer>;
  reject(orderId: string, decision: ReviewDecision, timeoutMs: number): Promise<SagaAnswer>;
  /** Resolves once Temporal answers; rejects when it does not within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
}

export interface SagaExecution {
  /** Temporal still runs the workflow. */
  running: boolean;
  /** The OrderStatus search attribute the saga last set (PENDING before its first); null if none is known. */
  lastReportedStatus: OrderStatus | null;
  /** The CustomerId search attribute, set when the saga is started (so known at once); null if none. */
  customerId: string | null;
}

/**
 * The saga's answer to a cancel or a review decision. A saga takes requests only between the
 * attempts of its steps, and not at all while no worker runs: one that is busy answers nothing
 * in time, and Temporal keeps the request for when it can.
 */
export type SagaAnswer =
  | { outcome: 'accepted'; state: OrderSagaState }
  /** The saga's validator refused it: its status does not allow it. */
  | { outcome: 'refused'; reason: string }
  /** The saga has ended: nothing changes it any more. */
  | { outcome: 'ended'; status: OrderStatus }
  | { outcome: 'unanswered'; lastStatus: OrderStatus | null };

export interface OrderListQuery {
  status?: OrderStatus;
  customerId?: string;
  pageSize: number;
  /** The nextPageToken of the previous page of the same query. */
  pageToken?: string;
}

export interface OrderSummary {
  orderId: string;
  workflowId: string;
  status: OrderStatus | null;
  customerId: string | null;
  total: number | null;
  startedAt: string | null;
  closedAt: string | null;
}

export interface OrderPage {
  orders: OrderSummary[];
  nextPageToken: string | null;
}
