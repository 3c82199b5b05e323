import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { ShippingAddress } from '../domain/order';
import { inventory, reservations, shipments } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done, rejected } from './run-step';

/** Countries the simulated carrier refuses. */
export const UNSHIPPABLE_COUNTRIES = new Set(['AQ']);

export interface CreateShipmentInput {
  orderId: string;
  address: ShippingAddress;
}

/** Books the carrier and turns the order's reserved stock into shipped stock. */
export const createShipment = (deps: ActivityDeps) => (input: CreateShipmentInput): Promise<{ trackingNumber: string }> =>
  activityStep(
    deps,
    input.orderId,
    'createShipment',
    async (tx) => {
      const { orderId, address } = input;
      if (UNSHIPPABLE_COUNTRIES.has(address.country.toUpperCase())) {
        return rejected('ShippingRefused', `the carrier does not ship to ${address.country}`);
      }
      const trackingNumber = `TRK-${createHash('sha256').update(orderId).digest('hex').slice(0, 12).toUpperCase()}`;
      await tx.insert(shipments).values({ orderId, status: 'CREATED', trackingNumber, address });
      const shipped = await tx
        .update(reservations)
        .set({ status: 'SHIPPED', updatedAt: sql`now()` })
        .where(and(eq(reservations.orderId, orderId), eq(reservations.status, 'RESERVED')))
        .returning({ sku: reservations.sku, quantity: reservations.quantity });
      for (const { sku, quantity } of shipped) {
        await tx
          .update(inventory)
          .set({ onHand: sql`${inventory.onHand} - ${quantity}`, reserved: sql`${inventory.reserved} - ${quantity}`, updatedAt: sql`now()` })
          .where(eq(inventory.sku, sku));
      }
      return done({ trackingNumber }, [{ name: 'shipment.created', content: { orderId, trackingNumber, country: address.country } }]);
    },
    { compensatedBy: 'cancelShipment' },
  );
