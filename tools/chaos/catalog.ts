/**
 * The run's own SKUs with known stock, so "stock conserved" is exact: no other run or person
 * touches this database. Ordinary SKUs never run out; the sold-out one has none at all, so an
 * order that wants it fails with OutOfStock whatever else runs at the same time.
 */
export const CHAOS_SKUS = {
  mug: { sku: 'SKU-CHAOS-MUG', name: 'Chaos mug', priceCents: 1250 },
  tee: { sku: 'SKU-CHAOS-TEE', name: 'Chaos T-shirt', priceCents: 2400 },
  lamp: { sku: 'SKU-CHAOS-LAMP', name: 'Chaos lamp', priceCents: 4999 },
  /** Two of them are above the review threshold. */
  espresso: { sku: 'SKU-CHAOS-ESPRESSO', name: 'Chaos espresso machine', priceCents: 64_900 },
  soldOut: { sku: 'SKU-CHAOS-SOLD-OUT', name: 'Chaos sold-out print', priceCents: 9900 },
} as const;

export const ORDINARY_SKUS = [CHAOS_SKUS.mug.sku, CHAOS_SKUS.tee.sku, CHAOS_SKUS.lamp.sku] as const;
export const MAX_ORDINARY_QUANTITY = 3;
export const REVIEW_QUANTITY = 2;

export interface StockRow {
  sku: string;
  name: string;
  priceCents: number;
  onHand: number;
}

/** Enough of every SKU for `sagas` orders, except the sold-out one. */
export function chaosCatalog(sagas: number): StockRow[] {
  const ordinary = sagas * MAX_ORDINARY_QUANTITY * 2;
  return [
    { ...CHAOS_SKUS.mug, onHand: ordinary },
    { ...CHAOS_SKUS.tee, onHand: ordinary },
    { ...CHAOS_SKUS.lamp, onHand: ordinary },
    { ...CHAOS_SKUS.espresso, onHand: sagas * REVIEW_QUANTITY },
    { ...CHAOS_SKUS.soldOut, onHand: 0 },
  ];
}
