import { inArray } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { inventory } from '../../drizzle/schema';
import { ApiError } from '../errors';

/** Refuses an order naming a SKU the catalog does not have, before any saga starts. */
export async function assertKnownSkus(db: Database, items: readonly { sku: string }[]): Promise<void> {
  const skus = [...new Set(items.map((item) => item.sku))];
  const known = new Set((await db.select({ sku: inventory.sku }).from(inventory).where(inArray(inventory.sku, skus))).map((row) => row.sku));
  const details = items.flatMap((item, index) => (known.has(item.sku) ? [] : [{ path: `items.${index}.sku`, message: `unknown SKU ${item.sku}` }]));
  if (details.length > 0) throw new ApiError(400, 'validation_failed', 'the order names SKUs the catalog does not have', details);
}
