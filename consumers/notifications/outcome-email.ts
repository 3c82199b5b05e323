import type { NotificationKind } from '../../drizzle/schema';
import { formatMoney } from '../../workflows/format';

export type OrderOutcome =
  | { kind: 'ORDER_CONFIRMED'; orderId: string; totalCents: number; currency: string }
  | { kind: 'ORDER_FAILED'; orderId: string; reason: string }
  | { kind: 'ORDER_CANCELLED'; orderId: string; reason: string };

export interface Email {
  kind: NotificationKind;
  subject: string;
  body: string;
}

/** The e-mail a customer gets about how their order ended. */
export function outcomeEmail(outcome: OrderOutcome): Email {
  const order = `order ${outcome.orderId.slice(0, 8)}`;
  switch (outcome.kind) {
    case 'ORDER_CONFIRMED':
      return {
        kind: outcome.kind,
        subject: `Your ${order} is confirmed`,
        body: `Thank you for your order. We have charged ${formatMoney(outcome.totalCents, outcome.currency)} and your parcel is on its way.`,
      };
    case 'ORDER_FAILED':
      return {
        kind: outcome.kind,
        subject: `We could not complete your ${order}`,
        body: `We are sorry: your order could not be completed (${outcome.reason}). Nothing is owed: any payment has been refunded.`,
      };
    case 'ORDER_CANCELLED':
      return {
        kind: outcome.kind,
        subject: `Your ${order} has been cancelled`,
        body: `Your order has been cancelled (${outcome.reason}). Any payment has been refunded.`,
      };
  }
}
