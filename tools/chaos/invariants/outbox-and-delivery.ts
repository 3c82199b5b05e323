import { outcomeEventOf } from '../../../domain/events';
import type { InvariantResult, OutboxFact, RunFacts } from './types';

/** Every outbox row was published after a broker confirm, none is dead, and each order's outcome has its event. */
export function outboxFullyPublished(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  for (const row of facts.outbox) {
    if (row.dead) violations.push(`outbox ${row.id} (${row.name}, order ${row.orderId}) is dead: ${row.lastError ?? ''}`);
    else if (!row.published) violations.push(`outbox ${row.id} (${row.name}, order ${row.orderId}) was never published`);
  }
  const outcomes = new Set(facts.outbox.map((row) => `${row.orderId}/${row.name}`));
  for (const order of facts.orders.values()) {
    const event = outcomeEventOf(order.status);
    if (event && !outcomes.has(`${order.id}/${event}`))
      violations.push(`order ${order.id} is ${order.status} but the outbox has no ${event}`);
  }
  return { name: 'every outbox row published, none dead', checked: facts.outbox.length, violations };
}

/** The probe queue received every published event at least once. */
export function everyEventDelivered(facts: RunFacts): InvariantResult {
  const violations = facts.outbox
    .filter((row) => !facts.probe.has(row.id))
    .map((row) => `outbox ${row.id} (${row.name}, order ${row.orderId}) never reached the probe queue`);
  const known = new Set(facts.outbox.map((row) => row.id));
  for (const delivery of facts.probe.values()) {
    if (!known.has(delivery.messageId))
      violations.push(`the probe received ${delivery.messageId} (${delivery.name}, order ${delivery.orderId}), which the outbox never had`);
  }
  return { name: 'every event reached the broker (probe queue)', checked: facts.outbox.length, violations };
}

/** Each order's events were first delivered in their commit (outbox seq) order. */
export function eventsInCommitOrder(facts: RunFacts): InvariantResult {
  const byOrder = new Map<string, OutboxFact[]>();
  for (const row of facts.outbox) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  const violations: string[] = [];
  for (const [orderId, rows] of byOrder) {
    const committed = rows.sort((a, b) => a.seq - b.seq).map((row) => row.id);
    const delivered = facts.probeOrder.get(orderId) ?? [];
    if (committed.join() !== delivered.join()) {
      const names = (ids: readonly string[]) => ids.map((id) => rows.find((row) => row.id === id)?.name ?? id).join(' → ');
      violations.push(`order ${orderId}: committed ${names(committed)}; first delivered ${names(delivered)}`);
    }
  }
  return { name: "each order's events delivered in commit order", checked: byOrder.size, violations };
}

/** Every event on the broker matches the published contract: the AsyncAPI document (docs/asyncapi.json). */
export function eventsMatchContract(facts: RunFacts): InvariantResult {
  return { name: 'every event matches its published contract', checked: facts.probe.size, violations: [...facts.contractViolations] };
}
