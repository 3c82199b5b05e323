import { z } from 'zod';
import type { EventName } from './events';

/**
 * The published contract of each integration event: the schema its content is built through
 * (activities/build-event.ts) and the version it is published at. The AsyncAPI document
 * (`docs/asyncapi.json`, served at /asyncapi.json) is generated from these, so the two cannot
 * drift. Not imported by workflow code (zod stays out of the workflow bundle).
 *
 * Strict objects: a step that puts a field in an event without declaring it here is a
 * programming error, caught where the event is made. The document still lets consumers expect
 * new optional fields (docs/events.md says how an event may change).
 *
 * Changing a schema: follow docs/events.md. A breaking change needs a new version (and a new
 * fixture under test/fixtures/events/); `npm run contracts:generate` rewrites the document,
 * and test/unit/event-contract.test.ts fails on a breaking change to it.
 */

const orderId = z.uuid().describe('The order (saga) id; also the envelope’s correlationId.');
const customerId = z.string().describe('The customer who placed the order.');
const cents = z.number().int().nonnegative();
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe('ISO 4217 currency code.');
const sku = z.string().min(1);
const quantity = z.number().int().positive();
const stockLine = z.strictObject({ sku, quantity });

const outcome = z.strictObject({
  orderId,
  customerId: customerId.nullable().describe('Null when the order was refused before it was recorded and the saga had no customer id.'),
  status: z.enum(['FAILED', 'CANCELLED', 'NEEDS_ATTENTION']).describe('How the order ended.'),
  failedStep: z.string().describe('The forward step that failed, was cancelled or was rejected in review.'),
  failureType: z.string().describe('Why, as a stable type: PaymentDeclined, OutOfStock, Cancelled, ReviewRejected …'),
  reason: z.string().describe('Why, in words.'),
  unresolved: z.array(z.string()).describe('Compensations that could not succeed (NEEDS_ATTENTION); empty otherwise.'),
});

export const EVENT_CONTRACTS = {
  'order.submitted': {
    version: 1,
    summary: 'An order was priced from the catalog and recorded.',
    schema: z.strictObject({
      orderId,
      customerId,
      totalCents: cents,
      currency,
      lines: z.array(z.strictObject({ sku, quantity, unitPriceCents: cents })),
    }),
  },
  'inventory.reserved': {
    version: 1,
    summary: 'Stock for every line of the order is held.',
    schema: z.strictObject({ orderId, lines: z.array(stockLine) }),
  },
  'inventory.released': {
    version: 1,
    summary: 'The order’s held stock was freed (compensation of inventory.reserved).',
    schema: z.strictObject({ orderId, lines: z.array(stockLine) }),
  },
  'payment.charged': {
    version: 1,
    summary: 'The customer’s card was charged.',
    schema: z.strictObject({ orderId, amountCents: cents, currency, chargeId: z.string().min(1) }),
  },
  'payment.declined': {
    version: 1,
    summary: 'The payment provider declined the charge; the order will fail.',
    schema: z.strictObject({ orderId, amountCents: cents, reason: z.string() }),
  },
  'payment.refunded': {
    version: 1,
    summary: 'A charge was refunded (compensation of payment.charged).',
    schema: z.strictObject({ orderId, amountCents: cents, currency, refundId: z.string().min(1) }),
  },
  'shipment.created': {
    version: 1,
    summary: 'A shipment was booked with the carrier.',
    schema: z.strictObject({
      orderId,
      trackingNumber: z.string().min(1),
      country: z.string().describe('The destination country, as the order gave it.'),
    }),
  },
  'shipment.cancelled': {
    version: 1,
    summary: 'A booked shipment was cancelled (compensation of shipment.created).',
    schema: z.strictObject({ orderId, trackingNumber: z.string().min(1) }),
  },
  'order.completed': {
    version: 1,
    summary: 'The order completed: the last event of a successful order.',
    schema: z.strictObject({ orderId, customerId, totalCents: cents, currency }),
  },
  'order.failed': {
    version: 1,
    summary: 'The order failed and its completed steps were compensated: its last event.',
    schema: outcome,
  },
  'order.cancelled': {
    version: 1,
    summary: 'The order was cancelled and its completed steps were compensated: its last event.',
    schema: outcome,
  },
  'order.needs-attention': {
    version: 1,
    summary: 'The order ended with compensations that could not succeed (listed in unresolved): an operator must look.',
    schema: outcome,
  },
} as const satisfies Record<EventName, { version: number; summary: string; schema: z.ZodObject }>;

export type EventContracts = typeof EVENT_CONTRACTS;
/** What a step passes to build an event of `name`. */
export type EventContentOf<N extends EventName> = z.input<EventContracts[N]['schema']>;
