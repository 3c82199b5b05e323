import { asc, inArray, sql } from 'drizzle-orm';
import type { OrderItem } from '../domain/order';
import { inventory, reservations } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done, rejected } from './run-step';
import { buildEvent } from './build-event';

export interface ReserveInventoryInput {
  orderId: string;
  lines: OrderItem[];
}

/** Holds stock for every line, or for none: a shortage on any SKU reserves nothing. */
export const reserveInventory =
  (deps: ActivityDeps) =>
  (input: ReserveInventoryInput): Promise<{ reservedUnits: number }> =>
    activityStep(
      deps,
      input.orderId,
      'reserveInventory',
      async (tx) => {
        // Locks in SKU order, so two orders sharing SKUs cannot deadlock.
        const stock = await tx
          .select()
          .from(inventory)
          .where(
            inArray(
              inventory.sku,
              input.lines.map((l) => l.sku),
            ),
          )
          .orderBy(asc(inventory.sku))
          .for('update');
        const bySku = new Map(stock.map((row) => [row.sku, row]));
        const shortages = input.lines.flatMap(({ sku, quantity }) => {
          const row = bySku.get(sku);
          const free = row ? row.onHand - row.reserved : 0;
          return free < quantity ? [`${sku}: ${quantity} wanted, ${free} free`] : [];
        });
        if (shortages.length > 0) return rejected('OutOfStock', `not enough stock (${shortages.join('; ')})`);

        for (const { sku, quantity } of input.lines) {
          await tx
            .update(inventory)
            .set({ reserved: sql`${inventory.reserved} + ${quantity}`, updatedAt: sql`now()` })
            .where(sql`${inventory.sku} = ${sku}`);
        }
        await tx
          .insert(reservations)
          .values(input.lines.map((l) => ({ orderId: input.orderId, sku: l.sku, quantity: l.quantity, status: 'RESERVED' as const })));
        const reservedUnits = input.lines.reduce((sum, l) => sum + l.quantity, 0);
        return done({ reservedUnits }, [
          buildEvent('inventory.reserved', { orderId: input.orderId, lines: input.lines.map(({ sku, quantity }) => ({ sku, quantity })) }),
        ]);
      },
      { compensatedBy: 'releaseInventory' },
    );
