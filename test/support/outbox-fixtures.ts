import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client';
import { buildEvent } from '../../activities/build-event';
import { appendToOutbox } from '../../outbox/append';

/**
 * Writes `eventsPerOrder` rounds of events for `orders` orders, one transaction per event as
 * the saga does, interleaving the orders so their rows mix in the outbox. Returns the order ids.
 */
export async function writeOrderEvents(db: Database, orders: number, eventsPerOrder: number): Promise<string[]> {
  const orderIds = Array.from({ length: orders }, () => randomUUID());
  for (let round = 0; round < eventsPerOrder; round++) {
    await Promise.all(
      orderIds.map((orderId) =>
        db.transaction((tx) =>
          appendToOutbox(tx, { orderId, step: `step-${round}`, causationId: `test/${round}` }, [
            // A valid event (the probe checks each against the contract), padded to a realistic size.
            submittedEvent(orderId, `customer-${round}-${'x'.repeat(300)}`),
          ]),
        ),
      ),
    );
  }
  return orderIds;
}

/** An order.submitted event, built through its schema as a step builds it. */
export const submittedEvent = (orderId: string, customerId = 'customer-test') =>
  buildEvent('order.submitted', { orderId, customerId, totalCents: 0, currency: 'EUR', lines: [] });
