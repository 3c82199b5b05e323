import { CancellationScope, CancelledFailure, patched } from '@temporalio/workflow';
import { DEFAULT_REVIEW_THRESHOLD_CENTS, DEFAULT_REVIEW_TIMEOUT_MS, type OrderSagaInput, type OrderSagaState } from '../domain/order';
import { compensate } from './compensate';
import { registerHandlers } from './handlers';
import { awaitReview } from './review';
import { SagaProgress } from './saga-progress';
import { stepRunner } from './step-runner';
import type { StepKind } from './step-table';

/** Patch ids are recorded in histories as markers: never rename or reuse one. */
const FRAUD_CHECK_PATCH = 'fraud-check';
const LOCAL_STEPS_PATCH = 'local-steps';
const PROVIDER_STEPS_PATCH = 'provider-steps';

/**
 * The order saga: record -> reserve inventory -> fraud check -> charge -> (review) -> ship -> complete.
 * How each step runs (status, compensation, local or remote, summary) is in step-table.ts. When a
 * step fails for good, or the order is cancelled or rejected, the compensations of the steps
 * begun so far run newest first, and the order is marked with how it ended (compensate.ts).
 */
export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaState> {
  const { orderId, customerId } = input;
  // Which steps run as local activities depends on the code a saga started with; on replay each
  // keeps its own: before 'local-steps' every step was an ordinary activity, before
  // 'provider-steps' every step was local. Evaluated first, so the markers precede any other command.
  const localSteps = patched(LOCAL_STEPS_PATCH);
  const providerSteps = patched(PROVIDER_STEPS_PATCH);
  const kindFor = (kind: StepKind): StepKind => (!localSteps ? 'remote' : providerSteps ? kind : 'local');
  const progress = new SagaProgress(input);
  const forward = new CancellationScope();
  registerHandlers(progress, forward);
  const runStep = stepRunner(progress, kindFor);

  try {
    // Cancellable until the shipment: a cancel interrupts these steps and the review (handlers.ts).
    await forward.run(async () => {
      const recorded = await runStep('recordOrder', input);
      progress.priced(recorded);
      const amountCents = recorded.totalCents;

      await runStep('reserveInventory', { orderId, lines: recorded.lines.map(({ sku, quantity }) => ({ sku, quantity })) });
      // Added while sagas were running: patched() makes sagas started before it skip the step,
      // so their histories still replay. README, "Changing workflow code".
      if (patched(FRAUD_CHECK_PATCH)) await runStep('checkFraud', { orderId, customerId, amountCents });
      await runStep('chargePayment', { orderId, token: input.payment.token, amountCents });
      const thresholdCents = input.reviewThresholdCents ?? DEFAULT_REVIEW_THRESHOLD_CENTS;
      if (amountCents > thresholdCents) await awaitReview(progress, thresholdCents, input.reviewTimeoutMs ?? DEFAULT_REVIEW_TIMEOUT_MS);
    });
    // A cancel accepted in the same activation as the last forward step still wins.
    if (progress.state.cancellation) throw new CancelledFailure(progress.state.cancellation.reason);

    // From here on the cancel update is refused: the shipment may already exist.
    await runStep('createShipment', { orderId, address: input.shippingAddress });
    await runStep('completeOrder', { orderId });
    progress.setStatus('COMPLETED');
    return progress.state;
  } catch (error) {
    return compensate(progress, error);
  }
}
