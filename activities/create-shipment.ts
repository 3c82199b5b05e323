import { createHash } from 'node:crypto';
import type { ShippingAddress } from '../domain/order';
import { shipments } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { moveReservations } from './move-reservations';
import { done, rejected } from './run-step';
import { buildEvent } from './build-event';

/** Countries the simulated carrier refuses. */
export const UNSHIPPABLE_COUNTRIES = new Set(['AQ']);

export interface CreateShipmentInput {
  orderId: string;
  address: ShippingAddress;
}

/** Books the carrier and turns the order's reserved stock into shipped stock. */
export const createShipment =
  (deps: ActivityDeps) =>
  (input: CreateShipmentInput): Promise<{ trackingNumber: string }> =>
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
        await moveReservations(tx, orderId, 'ship');
        return done({ trackingNumber }, [buildEvent('shipment.created', { orderId, trackingNumber, country: address.country })]);
      },
      { compensatedBy: 'cancelShipment' },
    );
