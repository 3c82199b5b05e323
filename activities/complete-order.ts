import { eq, sql } from 'drizzle-orm';
import { OUTCOME_EVENTS } from '../domain/events';
import { orders } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done } from './run-step';
import { outcomeLabel, sagaOutcomes } from '../telemetry/metrics-saga';
import { buildEvent } from './build-event';

export const completeOrder =
  (deps: ActivityDeps) =>
  (input: { orderId: string }): Promise<null> =>
    activityStep(
      deps,
      input.orderId,
      'completeOrder',
      async (tx) => {
        const [order] = await tx
          .update(orders)
          .set({ status: 'COMPLETED', updatedAt: sql`now()` })
          .where(eq(orders.id, input.orderId))
          .returning({ totalCents: orders.totalCents, currency: orders.currency, customerId: orders.customerId });
        if (!order) throw new Error(`order ${input.orderId} is not recorded`);
        return done(null, [buildEvent(OUTCOME_EVENTS.COMPLETED, { orderId: input.orderId, ...order })]);
      },
      { onFirstCommit: () => sagaOutcomes.inc({ outcome: outcomeLabel('COMPLETED'), failed_step: '' }) },
    );
