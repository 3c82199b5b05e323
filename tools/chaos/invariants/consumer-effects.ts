import { outcomeEventOf } from '../../../domain/events';
import type { OrderStatus } from '../../../domain/order';
import type { InvariantResult, RunFacts } from './types';
import { topicMatches } from './topic-match';

/** A consumer's inbox holds exactly the events routed to it: each handled, none twice (the key), none unknown. */
export function consumedOncePerConsumer(facts: RunFacts): InvariantResult[] {
  return [...facts.bindings].map(([consumer, patterns]) => {
    const routed = facts.outbox.filter((row) => patterns.some((pattern) => topicMatches(pattern, row.name)));
    const handled = facts.inbox.get(consumer) ?? new Set<string>();
    const violations = routed
      .filter((row) => !handled.has(row.id))
      .map((row) => `${consumer} never handled ${row.id} (${row.name}, order ${row.orderId})`);
    const routedIds = new Set(routed.map((row) => row.id));
    for (const id of handled) if (!routedIds.has(id)) violations.push(`${consumer} recorded ${id}, which was never routed to it`);
    return { name: `${consumer}: each routed event handled once`, checked: routed.length, violations };
  });
}

/** The e-mail each outcome calls for; NEEDS_ATTENTION gets none. */
const NOTIFICATION_KIND: Partial<Record<OrderStatus, string>> = {
  COMPLETED: 'ORDER_CONFIRMED',
  FAILED: 'ORDER_FAILED',
  CANCELLED: 'ORDER_CANCELLED',
};

/** One e-mail per ended order, of the kind its outcome calls for, caused by its outcome event. */
export function oneNotificationPerOutcome(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  const eventId = new Map(facts.outbox.map((row) => [`${row.orderId}/${row.name}`, row.id]));
  for (const order of facts.orders.values()) {
    const kind = NOTIFICATION_KIND[order.status];
    const event = outcomeEventOf(order.status);
    const expected = kind && event ? { kind, event } : undefined;
    const notification = facts.notifications.get(order.id);
    if (!expected) {
      if (notification) violations.push(`order ${order.id} is ${order.status} but got a ${notification.kind} e-mail`);
      continue;
    }
    if (!notification) violations.push(`order ${order.id} (${order.status}) has no e-mail`);
    else if (notification.kind !== expected.kind || notification.messageId !== eventId.get(`${order.id}/${expected.event}`)) {
      violations.push(
        `order ${order.id} (${order.status}): e-mail ${notification.kind} from ${notification.messageId}, expected ${expected.kind} from its ${expected.event}`,
      );
    }
  }
  for (const orderId of facts.notifications.keys())
    if (!facts.orders.has(orderId)) violations.push(`an e-mail for unknown order ${orderId}`);
  return { name: 'notifications: one e-mail per order outcome', checked: facts.orders.size, violations };
}

/** The read model folded in each of the order's events once, and ended where the order did. */
export function projectionMatchesEvents(facts: RunFacts): InvariantResult {
  const eventsPerOrder = new Map<string, number>();
  for (const row of facts.outbox) eventsPerOrder.set(row.orderId, (eventsPerOrder.get(row.orderId) ?? 0) + 1);
  const violations: string[] = [];
  for (const order of facts.orders.values()) {
    const row = facts.projection.get(order.id);
    const events = eventsPerOrder.get(order.id) ?? 0;
    if (!row) violations.push(`order ${order.id} has no projection row`);
    else if (row.eventsApplied !== events || row.status !== order.status) {
      violations.push(
        `order ${order.id}: projection applied ${row.eventsApplied} events and shows ${row.status}; the outbox has ${events}, the order is ${order.status}`,
      );
    }
  }
  return { name: 'order-projection: events applied = events of the order', checked: facts.orders.size, violations };
}

/** Nothing parked in a dead-letter queue, nothing left waiting in a queue or a back-off tier. */
export function queuesDrained(facts: RunFacts): InvariantResult {
  const violations = facts.consumers
    .filter((consumer) => consumer.dlqDepth > 0 || consumer.queueDepth > 0 || consumer.retrying > 0)
    .map(
      (consumer) => `${consumer.name}: ${consumer.dlqDepth} dead letters, ${consumer.queueDepth} waiting, ${consumer.retrying} in back-off`,
    );
  return { name: 'no dead letters, queues drained', checked: facts.consumers.length, violations };
}
