import { and, eq, sql } from 'drizzle-orm';
import { inventory, reservations, shipments } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done } from './run-step';

/**
 * Compensates createShipment: cancels the booking and puts the shipped stock back under the
 * order's reservation, which releaseInventory then frees. A no-op when nothing was shipped.
 */
export const cancelShipment = (deps: ActivityDeps) => (input: { orderId: string }): Promise<{ cancelled: boolean }> =>
  activityStep<{ cancelled: boolean }>(deps, input.orderId, 'cancelShipment', async (tx) => {
    const { orderId } = input;
    const [shipment] = await tx
      .update(shipments)
      .set({ status: 'CANCELLED', cancelledAt: sql`now()` })
      .where(and(eq(shipments.orderId, orderId), eq(shipments.status, 'CREATED')))
      .returning({ trackingNumber: shipments.trackingNumber });
    if (!shipment) return done({ cancelled: false });
    const returned = await tx
      .update(reservations)
      .set({ status: 'RESERVED', updatedAt: sql`now()` })
      .where(and(eq(reservations.orderId, orderId), eq(reservations.status, 'SHIPPED')))
      .returning({ sku: reservations.sku, quantity: reservations.quantity });
    for (const { sku, quantity } of returned) {
      await tx
        .update(inventory)
        .set({ onHand: sql`${inventory.onHand} + ${quantity}`, reserved: sql`${inventory.reserved} + ${quantity}`, updatedAt: sql`now()` })
        .where(eq(inventory.sku, sku));
    }
    return done({ cancelled: true }, [{ name: 'shipment.cancelled', content: { orderId, trackingNumber: shipment.trackingNumber } }]);
  });
