import { and, eq, sql } from 'drizzle-orm';
import { shipments } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { moveReservations } from './move-reservations';
import { done } from './run-step';
import { buildEvent } from './build-event';

/**
 * Compensates createShipment: cancels the booking and puts the shipped stock back under the
 * order's reservation, which releaseInventory then frees. A no-op when nothing was shipped.
 */
export const cancelShipment =
  (deps: ActivityDeps) =>
  (input: { orderId: string }): Promise<{ cancelled: boolean }> =>
    activityStep<{ cancelled: boolean }>(deps, input.orderId, 'cancelShipment', async (tx) => {
      const { orderId } = input;
      const [shipment] = await tx
        .update(shipments)
        .set({ status: 'CANCELLED', cancelledAt: sql`now()` })
        .where(and(eq(shipments.orderId, orderId), eq(shipments.status, 'CREATED')))
        .returning({ trackingNumber: shipments.trackingNumber });
      if (!shipment) return done({ cancelled: false });
      await moveReservations(tx, orderId, 'returnShipped');
      return done({ cancelled: true }, [buildEvent('shipment.cancelled', { orderId, trackingNumber: shipment.trackingNumber })]);
    });
