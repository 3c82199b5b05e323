import { proxyActivities } from '@temporalio/workflow';
import type { OrderSagaInput } from '../../../domain/order';
import { STEP_OPTIONS } from '../../../workflows/activity-options';
import type { NoopActivities } from './noop-activities';

const steps = proxyActivities<NoopActivities>(STEP_OPTIONS);

/**
 * The saga baseline done the textbook way, as in the Temporal samples' saga (samples-typescript,
 * saga/): the order saga's six forward steps as ordinary activities that do nothing, with the
 * saga's retry options; after each step that has one, its compensation goes to the front of a
 * list, which runs newest first if a later step fails (never here: every step succeeds).
 */
export async function textbookSaga(input: OrderSagaInput): Promise<'COMPLETED'> {
  const { orderId } = input;
  const compensations: (() => Promise<void>)[] = [];
  try {
    await steps.recordOrder(orderId);
    await steps.reserveInventory(orderId);
    compensations.unshift(() => steps.releaseInventory(orderId));
    await steps.checkFraud(orderId);
    await steps.chargePayment(orderId);
    compensations.unshift(() => steps.refundPayment(orderId));
    await steps.createShipment(orderId);
    compensations.unshift(() => steps.cancelShipment(orderId));
    await steps.completeOrder(orderId);
    return 'COMPLETED';
  } catch (error) {
    // As in the samples: every compensation is tried, their failures swallowed, the step's error rethrown.
    for (const compensate of compensations) await compensate().catch(() => undefined);
    throw error;
  }
}
