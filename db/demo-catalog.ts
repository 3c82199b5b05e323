import { inventory } from '../drizzle/schema';
import type { Database } from './client';

/** The demo catalog the README lists. Seeding adds missing SKUs and leaves existing stock alone. */
export const DEMO_CATALOG = [
  { sku: 'SKU-RED-MUG', name: 'Red mug', priceCents: 1250, onHand: 1000 },
  { sku: 'SKU-BLUE-TEE', name: 'Blue T-shirt', priceCents: 2400, onHand: 500 },
  { sku: 'SKU-DESK-LAMP', name: 'Desk lamp', priceCents: 4999, onHand: 200 },
  { sku: 'SKU-ESPRESSO', name: 'Espresso machine', priceCents: 64900, onHand: 50 },
  { sku: 'SKU-LAST-ONE', name: 'Signed print (one left)', priceCents: 9900, onHand: 1 },
] as const;

export async function seedDemoCatalog(db: Database): Promise<void> {
  await db
    .insert(inventory)
    .values(DEMO_CATALOG.map((item) => ({ ...item })))
    .onConflictDoNothing({ target: inventory.sku })
    .execute();
}
