import { and, eq, sql } from 'drizzle-orm';
import { payments } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { refund, RefundRejectedError } from './payment-provider';
import { done, rejected } from './run-step';
import { buildEvent } from './build-event';

/**
 * Compensates chargePayment: refunds exactly what was charged, once. A no-op when nothing was
 * charged; the payments table's check constraint keeps a refund from exceeding its charge.
 */
export const refundPayment =
  (deps: ActivityDeps) =>
  (input: { orderId: string }): Promise<{ refundedCents: number }> =>
    activityStep<{ refundedCents: number }>(deps, input.orderId, 'refundPayment', async (tx) => {
      const { orderId } = input;
      const [payment] = await tx
        .select()
        .from(payments)
        .where(and(eq(payments.orderId, orderId), eq(payments.status, 'CHARGED')))
        .for('update');
      if (!payment?.providerChargeId) return done({ refundedCents: 0 });
      try {
        const { refundId } = refund({ chargeId: payment.providerChargeId, amountCents: payment.amountCents });
        await tx
          .update(payments)
          .set({ status: 'REFUNDED', refundedCents: payment.amountCents, providerRefundId: refundId, refundedAt: sql`now()` })
          .where(eq(payments.orderId, orderId));
        return done({ refundedCents: payment.amountCents }, [
          buildEvent('payment.refunded', { orderId, amountCents: payment.amountCents, currency: 'EUR', refundId }),
        ]);
      } catch (error) {
        if (!(error instanceof RefundRejectedError)) throw error;
        return rejected('RefundRejected', error.message);
      }
    });
