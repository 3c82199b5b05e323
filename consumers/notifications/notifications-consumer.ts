import { z } from 'zod';
import { notifications } from '../../drizzle/schema';
import { defineConsumer, withContent, type HandlerContext } from '../../messaging/consumer-definition';
import { outcomeEmail, type OrderOutcome } from './outcome-email';

// Tolerant readers: only the fields this consumer uses.
const OrderCompleted = z.object({
  orderId: z.uuid(),
  customerId: z.string().min(1),
  totalCents: z.number().int(),
  currency: z.string().min(1),
});
const OrderEnded = z.object({ orderId: z.uuid(), customerId: z.string().min(1), reason: z.string() });

/** Records the e-mail each order outcome would send: one per order. */
async function recordEmail({ tx, messageId, log }: HandlerContext, customerId: string, outcome: OrderOutcome): Promise<void> {
  const email = outcomeEmail(outcome);
  const reason = outcome.kind === 'ORDER_CONFIRMED' ? null : outcome.reason;
  const inserted = await tx
    .insert(notifications)
    .values({ orderId: outcome.orderId, customerId, messageId, reason, ...email })
    .onConflictDoNothing({ target: notifications.orderId })
    .returning({ orderId: notifications.orderId });
  // An order ends once; a second outcome for it means the events disagree, and deserves a look.
  if (inserted.length === 0) log.warn({ kind: email.kind }, 'the order already has an outcome e-mail; this one is not recorded');
  else log.info({ kind: email.kind, customerId }, 'outcome e-mail recorded');
}

export const notificationsConsumer = defineConsumer({
  name: 'notifications',
  queue: 'orders.notifications',
  bindings: ['order.completed', 'order.failed', 'order.cancelled'],
  prefetch: 20,
  handlers: {
    'order.completed': withContent(OrderCompleted, ({ orderId, customerId, totalCents, currency }, context) =>
      recordEmail(context, customerId, { kind: 'ORDER_CONFIRMED', orderId, totalCents, currency }),
    ),
    'order.failed': withContent(OrderEnded, ({ orderId, customerId, reason }, context) =>
      recordEmail(context, customerId, { kind: 'ORDER_FAILED', orderId, reason }),
    ),
    'order.cancelled': withContent(OrderEnded, ({ orderId, customerId, reason }, context) =>
      recordEmail(context, customerId, { kind: 'ORDER_CANCELLED', orderId, reason }),
    ),
  },
});
