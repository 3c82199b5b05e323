import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { OrderStatus, PricedLine, SagaStep, ShippingAddress } from '../domain/order';
import type { EventName } from '../domain/events';
import type { EnvelopeMetadata, EventContent } from '../messaging/envelope';
import type { ConsumerState } from '../messaging/consumer-states';
import type { Caller } from '../api/auth/caller';
import type { DeadLetterActionStatus } from '../api/store/dead-letter-action-status';
import type { TraceCarrier } from '../telemetry/trace-context';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
/**
 * Sums of money: wide enough for any order the limits of domain/order-limits.ts accept, and then
 * some, so an order total never overflows its column. Read as JavaScript numbers, exact up to 2^53.
 */
const cents = (name: string) => bigint(name, { mode: 'number' });

export const orders = pgTable('orders', {
  id: uuid('id').primaryKey(),
  customerId: text('customer_id').notNull(),
  status: text('status').$type<OrderStatus>().notNull(),
  totalCents: cents('total_cents').notNull(),
  currency: text('currency').notNull().default('EUR'),
  lines: jsonb('lines').$type<PricedLine[]>().notNull(),
  shippingAddress: jsonb('shipping_address').$type<ShippingAddress>().notNull(),
  failedStep: text('failed_step'),
  failureType: text('failure_type'),
  failureReason: text('failure_reason'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('orders_customer_idx').on(t.customerId), index('orders_status_idx').on(t.status)]);

export const inventory = pgTable('inventory', {
  sku: text('sku').primaryKey(),
  name: text('name').notNull(),
  priceCents: integer('price_cents').notNull(),
  onHand: integer('on_hand').notNull(),
  reserved: integer('reserved').notNull().default(0),
  updatedAt: updatedAt(),
}, (t) => [
  check('inventory_price_nonnegative', sql`${t.priceCents} >= 0`),
  check('inventory_reserved_within_on_hand', sql`${t.reserved} >= 0 AND ${t.reserved} <= ${t.onHand}`),
]);

export type ReservationStatus = 'RESERVED' | 'RELEASED' | 'SHIPPED';

export const reservations = pgTable('reservations', {
  orderId: uuid('order_id').notNull().references(() => orders.id),
  sku: text('sku').notNull().references(() => inventory.sku),
  quantity: integer('quantity').notNull(),
  status: text('status').$type<ReservationStatus>().notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [primaryKey({ columns: [t.orderId, t.sku] }), check('reservations_quantity_positive', sql`${t.quantity} > 0`)]);

export type PaymentStatus = 'CHARGED' | 'DECLINED' | 'REFUNDED';

/** One row per order: the charge, and the refund against it once there is one. */
export const payments = pgTable('payments', {
  orderId: uuid('order_id').primaryKey().references(() => orders.id),
  status: text('status').$type<PaymentStatus>().notNull(),
  amountCents: cents('amount_cents').notNull(),
  refundedCents: cents('refunded_cents').notNull().default(0),
  providerChargeId: text('provider_charge_id'),
  providerRefundId: text('provider_refund_id'),
  declineReason: text('decline_reason'),
  createdAt: createdAt(),
  refundedAt: timestamp('refunded_at', { withTimezone: true }),
}, (t) => [
  check('payments_refund_within_charge', sql`${t.refundedCents} >= 0 AND ${t.refundedCents} <= ${t.amountCents}`),
]);

export type ShipmentStatus = 'CREATED' | 'CANCELLED';

export const shipments = pgTable('shipments', {
  orderId: uuid('order_id').primaryKey().references(() => orders.id),
  status: text('status').$type<ShipmentStatus>().notNull(),
  trackingNumber: text('tracking_number').notNull(),
  address: jsonb('address').$type<ShippingAddress>().notNull(),
  createdAt: createdAt(),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
});

/**
 * The idempotency ledger: one row per (order, step) once the step has committed, with what it
 * answered, so a retried activity returns the same answer and changes nothing twice.
 */
export const sagaSteps = pgTable('saga_steps', {
  orderId: uuid('order_id').notNull(),
  step: text('step').$type<SagaStep>().notNull(),
  outcome: text('outcome').$type<'DONE' | 'REJECTED'>().notNull(),
  result: jsonb('result').$type<unknown>(),
  failureType: text('failure_type'),
  failureMessage: text('failure_message'),
  completedAt: timestamp('completed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.orderId, t.step] })]);

/**
 * Steps that failed and are being retried: one row per (order, step), written by the step's
 * activity after each failed attempt in its own statement (the step's transaction has rolled
 * back), and deleted by the step's successful transaction. A row whose step has a saga_steps row
 * is stale (an attempt that timed out and failed after its retry succeeded) and is not shown.
 */
export const stepRetries = pgTable('step_retries', {
  orderId: uuid('order_id').notNull(),
  step: text('step').$type<SagaStep>().notNull(),
  workflowId: text('workflow_id').notNull(),
  firstFailedAt: timestamp('first_failed_at', { withTimezone: true }).notNull().defaultNow(),
  lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull().defaultNow(),
  /** Attempts that failed so far (Temporal's attempt number of the last one). */
  attempts: integer('attempts').notNull(),
  lastError: text('last_error').notNull(),
}, (t) => [primaryKey({ columns: [t.orderId, t.step] }), index('step_retries_first_failed_idx').on(t.firstFailedAt)]);

/**
 * Events waiting for the relay, and for a while after it published them. Two things drizzle
 * cannot declare live in custom migrations: fillfactor 50 (0004, so a relay's lease is a HOT
 * update) and the relay's claim, the function outbox_claim (0005).
 */
export const outbox = pgTable('outbox', {
  /** Also the envelope's messageId and the AMQP messageId. */
  id: uuid('id').primaryKey(),
  /** Insertion order; one order's rows are written one step at a time, so this is its commit order. */
  seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
  aggregateId: text('aggregate_id').notNull(),
  name: text('name').$type<EventName>().notNull(),
  payload: jsonb('payload').$type<EventContent>().notNull(),
  metadata: jsonb('metadata').$type<EnvelopeMetadata>().notNull(),
  createdAt: createdAt(),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  lastError: text('last_error'),
  deadAt: timestamp('dead_at', { withTimezone: true }),
  /**
   * The W3C trace context (traceparent, tracestate) of the step that wrote the row, when tracing
   * was on: the relay's publish span is its child, across restarts of any process in between.
   */
  traceContext: jsonb('trace_context').$type<TraceCarrier>(),
}, (t) => [
  index('outbox_pending_idx').on(t.seq).where(sql`${t.publishedAt} IS NULL AND ${t.deadAt} IS NULL`),
  index('outbox_pending_aggregate_idx').on(t.aggregateId, t.seq).where(sql`${t.publishedAt} IS NULL AND ${t.deadAt} IS NULL`),
  // An order's events after a seq, published or not: the API's event reads and streams. The relay
  // keeps its smaller partial index above; no column the relay's lease updates is in here, so
  // leases stay HOT updates.
  index('outbox_aggregate_seq_idx').on(t.aggregateId, t.seq),
  index('outbox_published_idx').on(t.publishedAt).where(sql`${t.publishedAt} IS NOT NULL`),
]);

/** Consumers record each message id they handled in the same transaction as its effect. */
export const inbox = pgTable('inbox', {
  consumer: text('consumer').notNull(),
  messageId: uuid('message_id').notNull(),
  processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.consumer, t.messageId] }),
  // The pruner's scan (outbox/pruning.ts), and the timeline's receipts of one message.
  index('inbox_processed_at_idx').on(t.processedAt),
  index('inbox_message_idx').on(t.messageId),
]);

/**
 * An order's events after the outbox let them go: the relay's retention moves published rows here
 * (one statement: deleted from the outbox, inserted here) instead of deleting them, so the API's
 * event list, streams and timeline still answer. Same seq as in the outbox, so resume points hold.
 * Pruned after ORDER_EVENT_HISTORY_RETENTION_MS (0: kept).
 */
export const orderEventHistory = pgTable('order_event_history', {
  id: uuid('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull().unique(),
  aggregateId: text('aggregate_id').notNull(),
  name: text('name').$type<EventName>().notNull(),
  payload: jsonb('payload').$type<EventContent>().notNull(),
  metadata: jsonb('metadata').$type<EnvelopeMetadata>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  attempts: integer('attempts').notNull(),
  archivedAt: timestamp('archived_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('order_event_history_aggregate_seq_idx').on(t.aggregateId, t.seq), index('order_event_history_archived_idx').on(t.archivedAt)]);

export type DeadLetterAction = 'replay' | 'discard';

/**
 * Every replay and discard of dead letters over the admin API: who, when, what (GET /admin/dlq/{name}/actions).
 * Written `running` before the first dead letter is taken, finished `done` or `failed` (migration 0012).
 */
export const deadLetterActions = pgTable('dead_letter_actions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  consumer: text('consumer').notNull(),
  action: text('action').$type<DeadLetterAction>().notNull(),
  /** Who asked (api/auth/caller.ts): an admin's subject and how they authenticated. */
  actor: jsonb('actor').$type<Caller>().notNull(),
  /** The filter as given (empty: every dead letter). */
  filter: jsonb('filter').$type<Record<string, string>>().notNull(),
  /** The message ids acted on (null for a message without one); on a failed action, those acted on before it failed. */
  messageIds: jsonb('message_ids').$type<(string | null)[]>().notNull(),
  count: integer('count').notNull(),
  /** Dead letters the filter passed over, left in place. */
  skipped: integer('skipped').notNull(),
  /** When it started. */
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * running while the sweep runs (or if its process died during it). The defaults (done, now) are
   * for rows from before 0012, and for an API from before it during a rollout: it inserts its row
   * once the sweep succeeded. Starting an action sets both (api/store/dead-letter-actions.ts).
   */
  status: text('status').$type<DeadLetterActionStatus>().notNull().default('done'),
  /** Why a failed action failed. */
  error: text('error'),
  /** Null while running. */
  finishedAt: timestamp('finished_at', { withTimezone: true }).defaultNow(),
}, (t) => [
  index('dead_letter_actions_consumer_at_idx').on(t.consumer, t.at),
  check('dead_letter_actions_action', sql`${t.action} IN ('replay', 'discard')`),
  check('dead_letter_actions_status', sql`${t.status} IN ('running', 'done', 'failed')`),
  check('dead_letter_actions_finished', sql`(${t.status} = 'running') = (${t.finishedAt} IS NULL)`),
  check('dead_letter_actions_error', sql`(${t.status} = 'failed') = (${t.error} IS NOT NULL)`),
]);

/**
 * Whether operators want a consumer running or stopped. No row means running. Consumer
 * processes read it at start and on NOTIFY consumer_control, so it holds across processes
 * and restarts.
 */
export const consumerControls = pgTable('consumer_controls', {
  consumer: text('consumer').primaryKey(),
  state: text('state').$type<ConsumerState>().notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [check('consumer_controls_state', sql`${t.state} IN ('running', 'stopped')`)]);

export type NotificationKind = 'ORDER_CONFIRMED' | 'ORDER_FAILED' | 'ORDER_CANCELLED';

/** The e-mail each order outcome would send the customer: one per order (written by the notifications consumer). */
export const notifications = pgTable('notifications', {
  orderId: uuid('order_id').primaryKey(),
  kind: text('kind').$type<NotificationKind>().notNull(),
  customerId: text('customer_id').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  /** Why the order failed, for ORDER_FAILED. */
  reason: text('reason'),
  /** The event that caused it. */
  messageId: uuid('message_id').notNull(),
  createdAt: createdAt(),
}, (t) => [index('notifications_customer_idx').on(t.customerId)]);

/** The read model's coarse status: in progress, undoing, or how it ended. */
export type ProjectedOrderStatus = Extract<OrderStatus, 'PENDING' | 'COMPENSATING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'NEEDS_ATTENTION'>;

/**
 * The read side of orders, built from integration events alone by the order-projection
 * consumer. Events may arrive out of order: each column is filled once, the status only moves
 * forward (in progress → compensating → ended) and the last event is the newest by event time.
 * Timestamps are the events' own (createdUtc), not when they were projected.
 */
export const orderProjection = pgTable('order_projection', {
  orderId: uuid('order_id').primaryKey(),
  customerId: text('customer_id'),
  status: text('status').$type<ProjectedOrderStatus>().notNull(),
  totalCents: cents('total_cents'),
  currency: text('currency'),
  lines: jsonb('lines').$type<PricedLine[]>(),
  chargedCents: cents('charged_cents'),
  refundedCents: cents('refunded_cents'),
  trackingNumber: text('tracking_number'),
  failedStep: text('failed_step'),
  failureType: text('failure_type'),
  failureReason: text('failure_reason'),
  submittedAt: timestamp('submitted_at', { withTimezone: true }),
  reservedAt: timestamp('reserved_at', { withTimezone: true }),
  chargedAt: timestamp('charged_at', { withTimezone: true }),
  shippedAt: timestamp('shipped_at', { withTimezone: true }),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  lastEvent: text('last_event').$type<EventName>().notNull(),
  lastEventAt: timestamp('last_event_at', { withTimezone: true }).notNull(),
  lastMessageId: uuid('last_message_id').notNull(),
  /** How many distinct events built this row. */
  eventsApplied: integer('events_applied').notNull().default(1),
  updatedAt: updatedAt(),
}, (t) => [
  index('order_projection_customer_idx').on(t.customerId),
  index('order_projection_status_idx').on(t.status),
  index('order_projection_last_event_at_idx').on(t.lastEventAt),
]);

/**
 * POST /orders with an Idempotency-Key: the key's first request decides the order; a repeat with
 * the same body gets the same order, one with another body is refused. Keys are the customer's
 * own: two customers choosing the same key never meet (migration 0008 gave existing keys the
 * customer of their order).
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  customerId: text('customer_id').notNull(),
  key: text('key').notNull(),
  requestHash: text('request_hash').notNull(),
  orderId: uuid('order_id').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.customerId, t.key] }), index('idempotency_keys_created_at_idx').on(t.createdAt)]);

/**
 * Stream tickets (POST /orders/{id}/events/ticket): a browser's EventSource cannot send an
 * Authorization header, so it redeems one of these, once, in the stream's URL. Only the ticket's
 * sha256 is stored; any API instance redeems it. Expired rows are pruned when tickets are issued.
 */
export const eventStreamTickets = pgTable('event_stream_tickets', {
  /** sha256 of the ticket, hex. */
  ticketHash: text('ticket_hash').primaryKey(),
  /** The one order whose events the ticket opens (text, so a malformed id in a URL is just no match). */
  orderId: text('order_id').notNull(),
  /** Who asked for it: the stream runs as this caller. */
  caller: jsonb('caller').$type<Caller>().notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
}, (t) => [index('event_stream_tickets_expires_idx').on(t.expiresAt)]);
