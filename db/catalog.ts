import { inArray } from 'drizzle-orm';
import type { OrderItem, PricedLine } from '../domain/order';
import { mergeItems } from '../domain/order-limits';
import { inventory } from '../drizzle/schema';
import type { Database, Transaction } from './client';

export interface CatalogPricing {
  /** One line per SKU (repeated SKUs merged), priced from the inventory table. */
  lines: PricedLine[];
  /** SKUs the catalog does not have; they have no line. */
  unknownSkus: ReadonlySet<string>;
}

/**
 * Prices an order from the inventory table, never from the client: the API before it starts a
 * saga, and recordOrder when it records the order (prices may have changed in between).
 */
export async function priceAtCatalog(db: Database | Transaction, items: readonly OrderItem[]): Promise<CatalogPricing> {
  const merged = mergeItems(items);
  const rows = await db
    .select({ sku: inventory.sku, priceCents: inventory.priceCents })
    .from(inventory)
    .where(
      inArray(
        inventory.sku,
        merged.map((item) => item.sku),
      ),
    );
  return priceItems(merged, new Map(rows.map((row) => [row.sku, row.priceCents])));
}

/** Prices merged order lines from a catalog's unit prices, in cents by SKU. */
export function priceItems(merged: readonly OrderItem[], prices: ReadonlyMap<string, number>): CatalogPricing {
  return {
    lines: merged.flatMap(({ sku, quantity }) => {
      const unitPriceCents = prices.get(sku);
      return unitPriceCents === undefined ? [] : [{ sku, quantity, unitPriceCents }];
    }),
    unknownSkus: new Set(merged.filter((item) => !prices.has(item.sku)).map((item) => item.sku)),
  };
}
