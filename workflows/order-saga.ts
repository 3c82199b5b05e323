import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import {
  CANCELLABLE_STATUSES,
  DEFAULT_REVIEW_THRESHOLD_CENTS,
  DEFAULT_REVIEW_TIMEOUT_MS,
  type CancellationRequest,
  type CancelRequest,
  type CompensationStep,
  type ForwardStep,
  type OrderFailure,
  type OrderSagaInput,
  type OrderSagaState,
  type OrderStatus,
  type ReviewDecision,
  type UnsuccessfulStatus,
} from '../domain/order';
import { COMPENSATION_OPTIONS, LOCAL_STEP_OPTIONS, STEP_OPTIONS } from './activity-options';
import { approveUpdate, cancelUpdate, rejectUpdate, statusQuery } from './definitions';
import { describeLines, formatDuration, formatMoney } from './format';
import { progressDetails } from './progress-details';
import { CUSTOMER_ID, FAILED_STEP, ORDER_STATUS, ORDER_TOTAL } from './search-attributes';

const remoteSteps = proxyActivities<OrderActivities>(STEP_OPTIONS);
const localSteps = proxyLocalActivities<OrderActivities>(LOCAL_STEP_OPTIONS);
const compensations = proxyActivities<OrderActivities>(COMPENSATION_OPTIONS);

const COMPENSATION_SUMMARY: Record<CompensationStep, string> = {
  cancelShipment: 'Compensate: cancel shipment',
  refundPayment: 'Compensate: refund payment',
  releaseInventory: 'Compensate: release inventory',
};

/** Patch ids are recorded in histories as markers: never rename or reuse one. */
const FRAUD_CHECK_PATCH = 'fraud-check';
const LOCAL_STEPS_PATCH = 'local-steps';

type ReviewOutcome = { approved: true } | { approved: false; reason: string };

/**
 * The order saga: record -> reserve inventory -> fraud check -> charge -> (review) -> ship -> complete.
 * When a step fails for good, or the order is cancelled or rejected, the compensations of the
 * steps begun so far run newest first, and the order is marked with how it ended.
 */
export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaState> {
  const reviewThresholdCents = input.reviewThresholdCents ?? DEFAULT_REVIEW_THRESHOLD_CENTS;
  const reviewTimeoutMs = input.reviewTimeoutMs ?? DEFAULT_REVIEW_TIMEOUT_MS;
  const state: OrderSagaState = {
    orderId: input.orderId,
    customerId: input.customerId,
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
  let currentStep: ForwardStep = 'recordOrder';
  let cancellation: CancellationRequest | undefined;
  /** False while recordOrder runs: the order row must exist before anything can be compensated or marked. */
  let interruptible = false;
  let review: ReviewOutcome | undefined;
  /** Compensations of the steps begun so far, newest first. */
  const undo: CompensationStep[] = [];
  const forward = new CancellationScope();
  // Forward steps are short Postgres transactions in this worker's own database, so they run as
  // local activities: no task-queue round trip per step, the saga's throughput roughly doubles
  // (bench/, part 3). Sagas started before this change keep their remote activities on replay.
  const steps = patched(LOCAL_STEPS_PATCH) ? localSteps : remoteSteps;

  // The Temporal UI shows these details beside the summary; kept current with every change.
  const showProgress = () => setCurrentDetails(progressDetails(state));
  const setStatus = (status: OrderStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: ORDER_STATUS, value: status }]);
    showProgress();
  };
  const completed = (step: ForwardStep) => {
    state.steps.push({ step, completedAt: new Date().toISOString() });
    showProgress();
  };
  const begin = (step: ForwardStep, status?: OrderStatus, compensation?: CompensationStep) => {
    currentStep = step;
    if (status) setStatus(status);
    // Registered before the step runs: a step that timed out but did happen is still undone.
    if (compensation) undo.unshift(compensation);
  };

  upsertSearchAttributes([
    { key: ORDER_STATUS, value: state.status },
    { key: CUSTOMER_ID, value: input.customerId },
  ]);
  showProgress();
  // Descriptions appear in the Temporal UI's Queries tab and in `temporal workflow metadata`.
  setHandler(statusQuery, () => state, { description: 'Status, steps done, compensations run and the failure, if any' });
  setHandler(
    cancelUpdate,
    (request) => {
      // The first cancel's reason stands. The handler answers at once (an answer that waited for
      // the cancel to take effect would reorder recorded histories): waitsFor says whether the
      // cancel is still pending behind a step it cannot interrupt.
      cancellation ??= {
        reason: request.reason ?? 'cancelled on request',
        requestedAt: new Date().toISOString(),
        waitsFor: interruptible ? null : currentStep,
      };
      state.cancellation = cancellation;
      showProgress();
      forward.cancel();
      return state;
    },
    {
      description:
        'Cancel the order and undo its steps; refused once the shipment step has started. Arriving during recordOrder, which ' +
        'cannot be interrupted, it takes effect when that step ends (cancellation.waitsFor names the step until then)',
      validator: (_request: CancelRequest) => assertStatusIn(state, CANCELLABLE_STATUSES, 'cancel'),
    },
  );
  setHandler(
    approveUpdate,
    (_decision: ReviewDecision) => {
      review = { approved: true };
      return state;
    },
    {
      description: 'Approve an order waiting for review',
      validator: (_decision: ReviewDecision) => assertStatusIn(state, ['AWAITING_REVIEW'], 'approve'),
    },
  );
  setHandler(
    rejectUpdate,
    (decision) => {
      review = { approved: false, reason: decision.reason ?? 'rejected by reviewer' };
      return state;
    },
    {
      description: 'Reject an order waiting for review; it is then compensated',
      validator: (_decision: ReviewDecision) => assertStatusIn(state, ['AWAITING_REVIEW'], 'reject'),
    },
  );

  try {
    await forward.run(async () => {
      begin('recordOrder');
      // Not cancellable: the order row must exist before anything can be compensated or marked.
      // A cancel that arrives meanwhile takes effect at the next step.
      const recorded = await CancellationScope.nonCancellable(() =>
        steps.recordOrder.executeWithOptions({ ...STEP_OPTIONS, summary: `Record order: ${describeLines(input.items)}` }, [input]),
      );
      interruptible = true;
      state.totalCents = recorded.totalCents;
      state.currency = recorded.currency;
      state.lines = recorded.lines;
      upsertSearchAttributes([{ key: ORDER_TOTAL, value: recorded.totalCents / 100 }]);
      completed('recordOrder');

      begin('reserveInventory', 'RESERVING_INVENTORY', 'releaseInventory');
      await steps.reserveInventory.executeWithOptions({ ...STEP_OPTIONS, summary: `Reserve ${describeLines(recorded.lines)}` }, [
        { orderId: input.orderId, lines: recorded.lines.map(({ sku, quantity }) => ({ sku, quantity })) },
      ]);
      completed('reserveInventory');

      // Added while sagas were running: patched() makes sagas started before it skip the step,
      // so their histories still replay. README, "Changing workflow code".
      if (patched(FRAUD_CHECK_PATCH)) {
        begin('checkFraud', 'CHECKING_FRAUD');
        await steps.checkFraud.executeWithOptions(
          { ...STEP_OPTIONS, summary: `Fraud check: customer ${input.customerId}, ${formatMoney(recorded.totalCents, recorded.currency)}` },
          [{ orderId: input.orderId, customerId: input.customerId, amountCents: recorded.totalCents }],
        );
        completed('checkFraud');
      }

      begin('chargePayment', 'CHARGING_PAYMENT', 'refundPayment');
      await steps.chargePayment.executeWithOptions(
        { ...STEP_OPTIONS, summary: `Charge ${formatMoney(recorded.totalCents, recorded.currency)}` },
        [{ orderId: input.orderId, token: input.payment.token, amountCents: recorded.totalCents }],
      );
      completed('chargePayment');

      if (recorded.totalCents > reviewThresholdCents) {
        begin('review', 'AWAITING_REVIEW');
        state.waitingFor =
          `a review decision (approve or reject), at most ${formatDuration(reviewTimeoutMs)}: ` +
          `the total is above ${formatMoney(reviewThresholdCents, recorded.currency)}`;
        showProgress();
        const decided = await condition(() => review !== undefined, reviewTimeoutMs, {
          summary: `Wait for review, up to ${formatDuration(reviewTimeoutMs)}`,
        });
        state.waitingFor = null;
        showProgress();
        if (!decided) {
          throw ApplicationFailure.nonRetryable(`no review decision within ${formatDuration(reviewTimeoutMs)}`, 'ReviewTimedOut');
        }
        if (review && !review.approved) throw ApplicationFailure.nonRetryable(review.reason, 'ReviewRejected');
        completed('review');
      }
    });
    // A cancel accepted in the same activation as the last forward step still wins.
    if (cancellation) throw new CancelledFailure(cancellation.reason);

    // From here on the cancel update is refused: the shipment may already exist.
    begin('createShipment', 'SHIPPING', 'cancelShipment');
    const { city, country } = input.shippingAddress;
    await steps.createShipment.executeWithOptions({ ...STEP_OPTIONS, summary: `Ship to ${city}, ${country}` }, [
      { orderId: input.orderId, address: input.shippingAddress },
    ]);
    completed('createShipment');

    begin('completeOrder');
    await steps.completeOrder.executeWithOptions({ ...STEP_OPTIONS, summary: 'Complete order' }, [{ orderId: input.orderId }]);
    completed('completeOrder');
    setStatus('COMPLETED');
    return state;
  } catch (error) {
    state.failure = describeFailure(error, currentStep, cancellation);
    state.waitingFor = null;
    if (cancellation) cancellation.waitsFor = null;
    setStatus('COMPENSATING');
    upsertSearchAttributes([{ key: FAILED_STEP, value: currentStep }]);
    // Non-cancellable: a cancelled saga must still undo what it did.
    const outcome = await CancellationScope.nonCancellable(async () => {
      const unresolved = await runCompensations(undo);
      const status: UnsuccessfulStatus =
        unresolved.length > 0 ? 'NEEDS_ATTENTION' : state.failure?.type === 'Cancelled' ? 'CANCELLED' : 'FAILED';
      try {
        await compensations.markOrderOutcome.executeWithOptions({ ...COMPENSATION_OPTIONS, summary: `Mark order ${status}` }, [
          { orderId: input.orderId, status, failure: state.failure!, unresolved, customerId: input.customerId },
        ]);
        return status;
      } catch (error) {
        // Only a non-retryable failure gets here: the orders row and the outcome event are missing.
        // The saga still ends, visibly, rather than failing as a workflow nobody looks at.
        state.outcomeError = messageOf(error);
        return 'NEEDS_ATTENTION' as const;
      }
    });
    setStatus(outcome);
    return state;
  }

  async function runCompensations(pending: readonly CompensationStep[]): Promise<CompensationStep[]> {
    const unresolved: CompensationStep[] = [];
    for (const step of pending) {
      try {
        await compensations[step].executeWithOptions({ ...COMPENSATION_OPTIONS, summary: COMPENSATION_SUMMARY[step] }, [
          { orderId: input.orderId },
        ]);
        state.compensations.push({ step, completedAt: new Date().toISOString(), outcome: 'COMPENSATED' });
        showProgress();
      } catch (error) {
        // Only a non-retryable rejection gets here; the others keep retrying. Carry on with the
        // rest, and leave the order visibly in NEEDS_ATTENTION.
        unresolved.push(step);
        state.compensations.push({ step, completedAt: new Date().toISOString(), outcome: 'FAILED', error: messageOf(error) });
        showProgress();
      }
    }
    return unresolved;
  }
}

function assertStatusIn(state: OrderSagaState, allowed: readonly OrderStatus[], action: string): void {
  if (!allowed.includes(state.status)) {
    throw ApplicationFailure.create({
      type: 'InvalidOrderState',
      message: `cannot ${action} order ${state.orderId}: it is ${state.status}`,
      details: [{ orderId: state.orderId, status: state.status }],
    });
  }
}

function describeFailure(error: unknown, step: ForwardStep, cancellation: CancellationRequest | undefined): OrderFailure {
  if (isCancellation(error)) return { step, type: 'Cancelled', reason: cancellation?.reason ?? 'workflow cancelled' };
  const cause = error instanceof ActivityFailure ? error.cause : error;
  // A step that failed on its own while a cancel waited for it (recordOrder) says why it failed.
  if (cause instanceof ApplicationFailure) return { step, type: cause.type ?? 'ApplicationFailure', reason: cause.message };
  if (cancellation) return { step, type: 'Cancelled', reason: cancellation.reason };
  // Anything else is a bug in this code: fail the workflow task so Temporal retries it after a fix.
  throw error;
}

function messageOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
