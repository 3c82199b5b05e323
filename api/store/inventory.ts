import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { inventory } from '../../drizzle/schema';
import type { InventoryItem, InventoryUpdate } from '../schemas';

export async function setInventory(db: Database, sku: string, update: InventoryUpdate): Promise<InventoryItem | 'below_reserved'> {
  const { onHand, priceCents, name } = update;
  try {
    const [row] = await db
      .insert(inventory)
      .values({ sku, name: name ?? sku, onHand, priceCents })
      .onConflictDoUpdate({
        target: inventory.sku,
        set: { onHand, priceCents, updatedAt: sql`now()`, ...(name ? { name } : {}) },
      })
      .returning({
        sku: inventory.sku,
        name: inventory.name,
        priceCents: inventory.priceCents,
        onHand: inventory.onHand,
        reserved: inventory.reserved,
      });
    return row!;
  } catch (error) {
    if (isCheckViolation(error, 'inventory_reserved_within_on_hand')) return 'below_reserved';
    throw error;
  }
}

function isCheckViolation(error: unknown, constraint: string): boolean {
  const cause = error instanceof Error && 'cause' in error ? error.cause : error;
  return typeof cause === 'object' && cause !== null && 'constraint_name' in cause && cause.constraint_name === constraint;
}
