import type { OrderActivities } from '../activities';
import type { CompensationStep, ForwardStep, OrderSagaState, OrderStatus } from '../domain/order';
import { describeLines, escapeMarkdown as md, formatMoney } from './format';

/** The forward steps that are activities (the review is a wait, not an activity). */
export type ActivityStep = Exclude<ForwardStep, 'review'>;
export type StepArgs<S extends ActivityStep> = Parameters<OrderActivities[S]>;
export type StepResult<S extends ActivityStep> = Awaited<ReturnType<OrderActivities[S]>>;

/**
 * How a step runs. `local`: milliseconds of work in the worker's own database, run inside the
 * workflow task as a local activity. `remote`: a call to an outside provider (fraud screen,
 * payment, carrier), which has latency, rate limits and outages of its own: an ordinary activity,
 * scheduled on the task queue, with its own status in the Temporal UI. Options: activity-options.ts.
 */
export type StepKind = 'local' | 'remote';

export interface StepSpec<S extends ActivityStep> {
  kind: StepKind;
  /** The saga's status while the step runs; unchanged when absent. */
  status?: OrderStatus;
  /** Registered before the step runs, so a step that timed out but did happen is still undone. */
  compensation?: CompensationStep;
  /** Runs to its end even if the saga is cancelled meanwhile: the cancel waits for it (cancellation.waitsFor). */
  uninterruptible?: true;
  /** The step's one line in the Temporal UI. */
  summary: (args: StepArgs<S>, state: OrderSagaState) => string;
}

/** What each forward step does to the saga around its activity; the workflow reads nothing else. */
export const STEP_TABLE: { readonly [S in ActivityStep]: StepSpec<S> } = {
  // The order row must exist before anything can be compensated or marked.
  recordOrder: { kind: 'local', uninterruptible: true, summary: ([order]) => `Record order: ${describeLines(order.items)}` },
  reserveInventory: {
    kind: 'local',
    status: 'RESERVING_INVENTORY',
    compensation: 'releaseInventory',
    summary: ([{ lines }]) => `Reserve ${describeLines(lines)}`,
  },
  checkFraud: {
    kind: 'remote',
    status: 'CHECKING_FRAUD',
    summary: ([{ customerId, amountCents }], state) =>
      `Fraud check: customer ${md(customerId)}, ${formatMoney(amountCents, state.currency)}`,
  },
  chargePayment: {
    kind: 'remote',
    status: 'CHARGING_PAYMENT',
    compensation: 'refundPayment',
    summary: ([{ amountCents }], state) => `Charge ${formatMoney(amountCents, state.currency)}`,
  },
  createShipment: {
    kind: 'remote',
    status: 'SHIPPING',
    compensation: 'cancelShipment',
    summary: ([{ address }]) => `Ship to ${md(address.city)}, ${md(address.country)}`,
  },
  completeOrder: { kind: 'local', summary: () => 'Complete order' },
};

/** The compensations' lines in the Temporal UI. */
export const COMPENSATION_SUMMARY: Readonly<Record<CompensationStep, string>> = {
  cancelShipment: 'Compensate: cancel shipment',
  refundPayment: 'Compensate: refund payment',
  releaseInventory: 'Compensate: release inventory',
};
