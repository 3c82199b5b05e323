import { and, eq, sql } from 'drizzle-orm';
import { inventory, reservations } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done } from './run-step';

/** Compensates reserveInventory: frees the order's held stock. A no-op when nothing is held. */
export const releaseInventory = (deps: ActivityDeps) => (input: { orderId: string }): Promise<{ releasedUnits: number }> =>
  activityStep<{ releasedUnits: number }>(deps, input.orderId, 'releaseInventory', async (tx) => {
    const { orderId } = input;
    const released = await tx
      .update(reservations)
      .set({ status: 'RELEASED', updatedAt: sql`now()` })
      .where(and(eq(reservations.orderId, orderId), eq(reservations.status, 'RESERVED')))
      .returning({ sku: reservations.sku, quantity: reservations.quantity });
    if (released.length === 0) return done({ releasedUnits: 0 });
    for (const { sku, quantity } of released.sort((a, b) => a.sku.localeCompare(b.sku))) {
      await tx
        .update(inventory)
        .set({ reserved: sql`${inventory.reserved} - ${quantity}`, updatedAt: sql`now()` })
        .where(eq(inventory.sku, sku));
    }
    const releasedUnits = released.reduce((sum, r) => sum + r.quantity, 0);
    return done({ releasedUnits }, [{ name: 'inventory.released', content: { orderId, lines: released } }]);
  });
