import { and, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../db/client';
import { inventory, reservations, type ReservationStatus } from '../drizzle/schema';

/**
 * How stock follows an order's reservations: shipping takes reserved units off the shelf,
 * returning a cancelled shipment puts them back under reservation, releasing frees them.
 */
const MOVES = {
  ship: { from: 'RESERVED', to: 'SHIPPED', onHand: -1, reserved: -1 },
  returnShipped: { from: 'SHIPPED', to: 'RESERVED', onHand: 1, reserved: 1 },
  release: { from: 'RESERVED', to: 'RELEASED', onHand: 0, reserved: -1 },
} as const satisfies Record<string, { from: ReservationStatus; to: ReservationStatus; onHand: number; reserved: number }>;

/** Moves the order's reservations and adjusts inventory to match; returns the lines moved. */
export async function moveReservations(
  tx: Transaction,
  orderId: string,
  move: keyof typeof MOVES,
): Promise<{ sku: string; quantity: number }[]> {
  const { from, to, onHand, reserved } = MOVES[move];
  const moved = await tx
    .update(reservations)
    .set({ status: to, updatedAt: sql`now()` })
    .where(and(eq(reservations.orderId, orderId), eq(reservations.status, from)))
    .returning({ sku: reservations.sku, quantity: reservations.quantity });
  // SKU order, like reserveInventory, so concurrent orders never deadlock on inventory rows.
  moved.sort((a, b) => a.sku.localeCompare(b.sku));
  for (const { sku, quantity } of moved) {
    await tx
      .update(inventory)
      .set({
        onHand: sql`${inventory.onHand} + ${onHand * quantity}`,
        reserved: sql`${inventory.reserved} + ${reserved * quantity}`,
        updatedAt: sql`now()`,
      })
      .where(eq(inventory.sku, sku));
  }
  return moved;
}
