import { payments } from '../drizzle/schema';
import { activityStep, currentAttempt } from './activity-step';
import type { ActivityDeps } from './deps';
import { charge, PaymentDeclinedError } from './payment-provider';
import { done, rejected } from './run-step';
import { buildEvent } from './build-event';

export interface ChargePaymentInput {
  orderId: string;
  token: string;
  amountCents: number;
}

/**
 * Charges the order's total once. The provider is keyed by order id; our ledger makes sure a
 * retry after a crash returns the first charge instead of asking again.
 */
export const chargePayment =
  (deps: ActivityDeps) =>
  (input: ChargePaymentInput): Promise<{ chargeId: string }> =>
    activityStep(
      deps,
      input.orderId,
      'chargePayment',
      async (tx) => {
        const { orderId, amountCents } = input;
        try {
          // A provider outage throws here, rolls the transaction back and is retried by Temporal.
          const { chargeId } = charge({ token: input.token, amountCents, idempotencyKey: orderId, attempt: currentAttempt() });
          await tx.insert(payments).values({ orderId, status: 'CHARGED', amountCents, providerChargeId: chargeId });
          return done({ chargeId }, [buildEvent('payment.charged', { orderId, amountCents, currency: 'EUR', chargeId })]);
        } catch (error) {
          if (!(error instanceof PaymentDeclinedError)) throw error;
          await tx.insert(payments).values({ orderId, status: 'DECLINED', amountCents, declineReason: error.message });
          return rejected('PaymentDeclined', error.message, [
            buildEvent('payment.declined', { orderId, amountCents, reason: error.message }),
          ]);
        }
      },
      { compensatedBy: 'refundPayment' },
    );
