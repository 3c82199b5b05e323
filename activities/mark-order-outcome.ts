import { eq, sql } from 'drizzle-orm';
import { OUTCOME_EVENTS } from '../domain/events';
import type { OrderFailure, UnsuccessfulStatus } from '../domain/order';
import { orders } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done } from './run-step';
import { outcomeLabel, sagaOutcomes } from '../telemetry/metrics-saga';
import { buildEvent } from './build-event';

export interface MarkOrderOutcomeInput {
  orderId: string;
  status: UnsuccessfulStatus;
  failure: OrderFailure;
  /** Compensations that could not succeed, when status is NEEDS_ATTENTION. */
  unresolved: string[];
  /**
   * The saga's customer, for the event when no order row exists (recordOrder refused the order
   * or failed for good). Absent in activities scheduled before it was added.
   */
  customerId?: string;
}

/** Records how an order that did not complete ended, after its compensations ran. */
export const markOrderOutcome =
  (deps: ActivityDeps) =>
  (input: MarkOrderOutcomeInput): Promise<null> =>
    activityStep(
      deps,
      input.orderId,
      'markOrderOutcome',
      async (tx) => {
        const { orderId, status, failure } = input;
        const [order] = await tx
          .update(orders)
          .set({ status, failedStep: failure.step, failureType: failure.type, failureReason: failure.reason, updatedAt: sql`now()` })
          .where(eq(orders.id, orderId))
          .returning({ customerId: orders.customerId });
        return done(null, [
          // customerId: consumers (notifications) tell the customer without asking the orders table.
          buildEvent(OUTCOME_EVENTS[status], {
            orderId,
            customerId: order?.customerId ?? input.customerId ?? null,
            status,
            failedStep: failure.step,
            failureType: failure.type,
            reason: failure.reason,
            unresolved: input.unresolved,
          }),
        ]);
      },
      { onFirstCommit: () => sagaOutcomes.inc({ outcome: outcomeLabel(input.status), failed_step: input.failure.step }) },
    );
