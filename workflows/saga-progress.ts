import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { RecordedOrder } from '../activities/record-order';
import type { CompensationStep, ForwardStep, OrderSagaInput, OrderSagaState, OrderStatus } from '../domain/order';
import { initialState } from './initial-state';
import { progressDetails } from './progress-details';
import { CUSTOMER_ID, ORDER_STATUS, ORDER_TOTAL } from './search-attributes';

export type ReviewOutcome = { approved: true } | { approved: false; reason: string };

/**
 * One saga's state and what the steps, the handlers and the compensation share: the step running,
 * the compensations registered so far, the review decision. Every change is shown at once in the
 * Temporal UI (the OrderStatus search attribute, the current details).
 */
export class SagaProgress {
  readonly state: OrderSagaState;
  /** The forward step running or last begun: the one a failure is charged to. */
  currentStep: ForwardStep = 'recordOrder';
  /**
   * Set while a step that cannot be interrupted runs (recordOrder): a cancel then waits for it.
   * The saga starts with it set, as the old code did: a cancel that arrives in the first
   * activation, before recordOrder is scheduled, also waits for the order row to exist.
   */
  uninterruptibleStep: ForwardStep | null = 'recordOrder';
  /** Compensations of the steps begun so far, newest first. */
  readonly undo: CompensationStep[] = [];
  review: ReviewOutcome | undefined;

  constructor(input: OrderSagaInput) {
    this.state = initialState(input);
    upsertSearchAttributes([
      { key: ORDER_STATUS, value: this.state.status },
      { key: CUSTOMER_ID, value: input.customerId },
    ]);
    this.show();
  }

  /** The Temporal UI shows these details beside the summary; kept current with every change. */
  show(): void {
    setCurrentDetails(progressDetails(this.state));
  }

  setStatus(status: OrderStatus): void {
    this.state.status = status;
    upsertSearchAttributes([{ key: ORDER_STATUS, value: status }]);
    this.show();
  }

  begin(step: ForwardStep, status?: OrderStatus, compensation?: CompensationStep): void {
    this.currentStep = step;
    if (status) this.setStatus(status);
    // Registered before the step runs: a step that timed out but did happen is still undone.
    if (compensation) this.undo.unshift(compensation);
  }

  /** The order as recorded: prices come from the inventory table, never from the client. */
  priced(recorded: RecordedOrder): void {
    this.state.totalCents = recorded.totalCents;
    this.state.currency = recorded.currency;
    this.state.lines = recorded.lines;
    upsertSearchAttributes([{ key: ORDER_TOTAL, value: recorded.totalCents / 100 }]);
    this.show();
  }

  completed(step: ForwardStep): void {
    this.state.steps.push({ step, completedAt: new Date().toISOString() });
    this.show();
  }
}
