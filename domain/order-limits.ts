import type { OrderItem, PricedLine } from './order';

/**
 * What one order may hold: the API refuses more before any saga starts, and recordOrder checks
 * again with the prices it records (they come from the inventory table and may have changed in
 * between). Plain constants and pure functions, so workflow code may import them too.
 */
export const MAX_ORDER_TOTAL_CENTS = 100_000_000; // 1,000,000.00 EUR
/** Units of one SKU in one order, after lines naming the same SKU are added up. */
export const MAX_UNITS_PER_LINE = 1_000;
export const MAX_UNITS_PER_ORDER = 10_000;
export const MAX_LINES_PER_ORDER = 50;

/** A limit an order breaks, with the request field it is about. */
export interface LimitViolation {
  path: string;
  message: string;
}

/** One line per SKU, in order of first mention: a client may list the same SKU twice. */
export function mergeItems(items: readonly OrderItem[]): OrderItem[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of items) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

export const orderTotalCents = (lines: readonly PricedLine[]): number =>
  lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);

const euros = (cents: number): string => `${(cents / 100).toFixed(2)} EUR`;

/** Quantities that are not whole numbers of at least 1, by line. */
export function quantityViolations(items: readonly OrderItem[]): LimitViolation[] {
  return items.flatMap((item, index) =>
    Number.isSafeInteger(item.quantity) && item.quantity >= 1
      ? []
      : [{ path: `items.${index}.quantity`, message: `a quantity is a whole number of at least 1, not ${item.quantity}` }],
  );
}

/** A SKU over MAX_UNITS_PER_LINE once its lines are merged, and an order over MAX_UNITS_PER_ORDER. */
export function mergedUnitViolations(items: readonly OrderItem[]): LimitViolation[] {
  const violations: LimitViolation[] = [];
  for (const { sku, quantity } of mergeItems(items)) {
    if (quantity > MAX_UNITS_PER_LINE) {
      const lines = items.filter((item) => item.sku === sku).length;
      violations.push({
        path: 'items',
        message: `${quantity} units of ${sku}${lines > 1 ? ` over ${lines} lines` : ''}: at most ${MAX_UNITS_PER_LINE} units of one SKU per order`,
      });
    }
  }
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  if (units > MAX_UNITS_PER_ORDER)
    violations.push({ path: 'items', message: `${units} units in all: at most ${MAX_UNITS_PER_ORDER} units per order` });
  return violations;
}

/** Every unit limit an order breaks; the merged limits only once each quantity is a whole number. Paths name the request's fields. */
export function unitLimitViolations(items: readonly OrderItem[]): LimitViolation[] {
  const quantities = quantityViolations(items);
  return quantities.length > 0 ? quantities : mergedUnitViolations(items);
}

/** The priced order's total above MAX_ORDER_TOTAL_CENTS, or null when it is within it. */
export function totalLimitViolation(totalCents: number): LimitViolation | null {
  if (totalCents <= MAX_ORDER_TOTAL_CENTS) return null;
  return {
    path: 'items',
    message: `the order totals ${euros(totalCents)} at catalog prices: at most ${euros(MAX_ORDER_TOTAL_CENTS)} per order`,
  };
}
