import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CancelRequest, OrderSagaState, ReviewDecision } from '../domain/order';

/** Messages the order saga answers; saga-client/ sends them (and tests of the workflow itself). */

export const statusQuery = defineQuery<OrderSagaState>('status');
/** Accepted until the shipment step starts; rejected afterwards, so nothing shipped is cancelled. */
export const cancelUpdate = defineUpdate<OrderSagaState, [CancelRequest]>('cancel');
export const approveUpdate = defineUpdate<OrderSagaState, [ReviewDecision]>('approve');
export const rejectUpdate = defineUpdate<OrderSagaState, [ReviewDecision]>('reject');
