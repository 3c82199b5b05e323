import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { inventory, orders, payments, reservations, shipments } from '../../drizzle/schema';

/** Everything the database holds about one order, plus the stock of the SKUs it touched. */
export async function orderRows(db: Database, orderId: string, skus: readonly string[] = []) {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  const stock = await Promise.all(skus.map((sku) => stockOf(db, sku)));
  return {
    order,
    payments: await db.select().from(payments).where(eq(payments.orderId, orderId)),
    shipments: await db.select().from(shipments).where(eq(shipments.orderId, orderId)),
    reservations: await db.select().from(reservations).where(eq(reservations.orderId, orderId)),
    stock: Object.fromEntries(skus.map((sku, i) => [sku, stock[i]!])),
  };
}

export async function stockOf(db: Database, sku: string): Promise<{ onHand: number; reserved: number }> {
  const [row] = await db.select({ onHand: inventory.onHand, reserved: inventory.reserved }).from(inventory).where(eq(inventory.sku, sku));
  if (!row) throw new Error(`no inventory row for ${sku}`);
  return row;
}
