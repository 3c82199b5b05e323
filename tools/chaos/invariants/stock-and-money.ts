import { mergeItems } from '../../../domain/order-limits';
import type { InvariantResult, RunFacts } from './types';

/**
 * Stock is conserved: each SKU's on-hand is its initial stock less the units of the orders that
 * completed, nothing stays reserved, and each order's reservations ended where its outcome says.
 */
export function stockConserved(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  const shipped = new Map<string, number>();
  for (const saga of facts.sagas) {
    if (!saga.orderId || facts.orders.get(saga.orderId)?.status !== 'COMPLETED') continue;
    for (const { sku, quantity } of mergeItems(saga.scenario.body.items)) shipped.set(sku, (shipped.get(sku) ?? 0) + quantity);
  }
  for (const initial of facts.initialStock) {
    const now = facts.stock.get(initial.sku);
    const expected = initial.onHand - (shipped.get(initial.sku) ?? 0);
    if (!now) violations.push(`${initial.sku}: inventory row is gone`);
    else if (now.onHand !== expected || now.reserved !== 0) {
      violations.push(
        `${initial.sku}: on hand ${now.onHand}, reserved ${now.reserved}; expected on hand ${expected} (${initial.onHand} − ${shipped.get(initial.sku) ?? 0} shipped), reserved 0`,
      );
    }
  }
  for (const reservation of facts.reservations) {
    const status = facts.orders.get(reservation.orderId)?.status;
    const expected = status === 'COMPLETED' ? 'SHIPPED' : 'RELEASED';
    if (reservation.status !== expected)
      violations.push(
        `order ${reservation.orderId} (${status}): reservation of ${reservation.sku} is ${reservation.status}, expected ${expected}`,
      );
  }
  return { name: 'stock conserved', checked: facts.initialStock.length + facts.reservations.length, violations };
}

/** Charges minus refunds equal the order's total when it completed, and zero otherwise. */
export function chargesMatchOutcome(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  for (const order of facts.orders.values()) {
    const payment = facts.payments.get(order.id);
    const charged = payment && payment.status !== 'DECLINED' ? payment.amountCents : 0;
    const net = charged - (payment?.refundedCents ?? 0);
    const expected = order.status === 'COMPLETED' ? order.totalCents : 0;
    if (net !== expected)
      violations.push(
        `order ${order.id} (${order.status}): charged ${charged} − refunded ${payment?.refundedCents ?? 0} = ${net} cents, expected ${expected}`,
      );
  }
  return { name: 'charges − refunds = total if COMPLETED, else 0', checked: facts.orders.size, violations };
}

/** A live shipment exists for exactly the completed orders. */
export function shipmentsOnlyForCompleted(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  for (const order of facts.orders.values()) {
    const shipment = facts.shipments.get(order.id);
    const live = shipment?.status === 'CREATED';
    if (order.status === 'COMPLETED' && !live)
      violations.push(`order ${order.id} COMPLETED without a shipment (${shipment?.status ?? 'none'})`);
    if (order.status !== 'COMPLETED' && live) violations.push(`order ${order.id} is ${order.status} but has a live shipment`);
  }
  return { name: 'a shipment only for COMPLETED orders', checked: facts.orders.size, violations };
}
