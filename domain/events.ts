import type { OrderStatus, TerminalStatus } from './order';

/**
 * The integration events the saga's steps emit (through the outbox), by name. Plain constants,
 * so workflow code may import them too.
 */
export const EVENT_NAMES = [
  'order.submitted',
  'inventory.reserved',
  'inventory.released',
  'payment.charged',
  'payment.declined',
  'payment.refunded',
  'shipment.created',
  'shipment.cancelled',
  'order.completed',
  'order.failed',
  'order.cancelled',
  'order.needs-attention',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** The event that announces how an order ended: its last event. */
export const OUTCOME_EVENTS = {
  COMPLETED: 'order.completed',
  FAILED: 'order.failed',
  CANCELLED: 'order.cancelled',
  NEEDS_ATTENTION: 'order.needs-attention',
} as const satisfies Record<TerminalStatus, EventName>;
export type OutcomeEventName = (typeof OUTCOME_EVENTS)[TerminalStatus];

const OUTCOME_EVENT_NAMES: ReadonlySet<string> = new Set<string>(Object.values(OUTCOME_EVENTS));

/** True for an event after which the order has no more. */
export const isOutcomeEvent = (name: string): boolean => OUTCOME_EVENT_NAMES.has(name);

/** The outcome event of an order in `status`, or null while it has not ended. */
export const outcomeEventOf = (status: OrderStatus): OutcomeEventName | null =>
  Object.hasOwn(OUTCOME_EVENTS, status) ? OUTCOME_EVENTS[status as TerminalStatus] : null;
