import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OrderSagaState } from '../domain/order';

/** Messages the order saga answers; clients import these to call it with types. */

export interface CancelRequest {
  reason?: string;
}

export interface ReviewDecision {
  reviewer?: string;
  reason?: string;
}

export const statusQuery = defineQuery<OrderSagaState>('status');
/** Accepted until the shipment step starts; rejected afterwards, so nothing shipped is cancelled. */
export const cancelUpdate = defineUpdate<OrderSagaState, [CancelRequest]>('cancel');
export const approveUpdate = defineUpdate<OrderSagaState, [ReviewDecision]>('approve');
export const rejectUpdate = defineUpdate<OrderSagaState, [ReviewDecision]>('reject');
