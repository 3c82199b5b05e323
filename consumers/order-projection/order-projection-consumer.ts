import { z } from 'zod';
import type { ProjectedOrderStatus } from '../../drizzle/schema';
import { defineConsumer, UnprocessableMessageError, withContent, type EventHandler } from '../../messaging/consumer-definition';
import { EVENT_NAMES, OUTCOME_EVENTS } from '../../domain/events';
import { applyToProjection, type ProjectionFields } from './apply-projection';

// Tolerant readers: only the fields the read model keeps.
const OrderRef = z.object({ orderId: z.uuid() });
const Submitted = OrderRef.extend({
  customerId: z.string(),
  totalCents: z.number().int(),
  currency: z.string(),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
});
const Money = OrderRef.extend({ amountCents: z.number().int() });
const Shipped = OrderRef.extend({ trackingNumber: z.string() });
const Completed = OrderRef.extend({ customerId: z.string(), totalCents: z.number().int(), currency: z.string() });
const Ended = OrderRef.extend({ failedStep: z.string(), failureType: z.string(), reason: z.string(), customerId: z.string().nullish() });

/** A handler that folds the event into the read model: `change` says what the event means for the order. */
function project<S extends typeof OrderRef>(
  schema: S,
  change: (content: z.output<S>, at: Date) => { status: ProjectedOrderStatus; fields: ProjectionFields },
): EventHandler {
  return withContent(schema, async (content, { tx, name, messageId, metadata, log }) => {
    const at = new Date(metadata.createdUtc);
    if (Number.isNaN(at.getTime()))
      throw new UnprocessableMessageError(`metadata.createdUtc is not a time: ${JSON.stringify(metadata.createdUtc)}`);
    const { status, fields } = change(content, at);
    await applyToProjection(tx, { orderId: content.orderId, status, fields, event: name, messageId, at });
    log.debug({ status }, 'order projection updated');
  });
}

const ended = (status: ProjectedOrderStatus) =>
  project(Ended, ({ failedStep, failureType, reason, customerId }, at) => ({
    status,
    fields: { failedStep, failureType, failureReason: reason, endedAt: at, ...(customerId ? { customerId } : {}) },
  }));

/** The read model of orders (order_projection), from the events alone. */
export const orderProjectionConsumer = defineConsumer({
  name: 'order-projection',
  queue: 'orders.order-projection',
  bindings: EVENT_NAMES,
  prefetch: 50,
  handlers: {
    'order.submitted': project(Submitted, ({ customerId, totalCents, currency, lines }, at) => ({
      status: 'PENDING',
      fields: { customerId, totalCents, currency, lines, submittedAt: at },
    })),
    'inventory.reserved': project(OrderRef, (_, at) => ({ status: 'PENDING', fields: { reservedAt: at } })),
    'payment.charged': project(Money, ({ amountCents }, at) => ({
      status: 'PENDING',
      fields: { chargedCents: amountCents, chargedAt: at },
    })),
    'shipment.created': project(Shipped, ({ trackingNumber }, at) => ({ status: 'PENDING', fields: { trackingNumber, shippedAt: at } })),
    [OUTCOME_EVENTS.COMPLETED]: project(Completed, ({ customerId, totalCents, currency }, at) => ({
      status: 'COMPLETED',
      fields: { customerId, totalCents, currency, endedAt: at },
    })),
    'payment.declined': project(OrderRef, () => ({ status: 'COMPENSATING', fields: {} })),
    'inventory.released': project(OrderRef, () => ({ status: 'COMPENSATING', fields: {} })),
    'payment.refunded': project(Money, ({ amountCents }) => ({ status: 'COMPENSATING', fields: { refundedCents: amountCents } })),
    'shipment.cancelled': project(OrderRef, () => ({ status: 'COMPENSATING', fields: {} })),
    [OUTCOME_EVENTS.FAILED]: ended('FAILED'),
    [OUTCOME_EVENTS.CANCELLED]: ended('CANCELLED'),
    [OUTCOME_EVENTS.NEEDS_ATTENTION]: ended('NEEDS_ATTENTION'),
  },
});
