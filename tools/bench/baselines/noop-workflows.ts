import { proxyActivities } from '@temporalio/workflow';
import type { OrderSagaInput } from '../../../domain/order';
import { STEP_OPTIONS } from '../../../workflows/activity-options';
import type { NoopActivities } from './noop-activities';

const { noop } = proxyActivities<NoopActivities>(STEP_OPTIONS);

/** The saga baseline: three activities that do nothing, with the saga's activity options. */
export async function threeNoopActivities(input: OrderSagaInput): Promise<'COMPLETED'> {
  await noop(input.orderId);
  await noop(input.orderId);
  await noop(input.orderId);
  return 'COMPLETED';
}
