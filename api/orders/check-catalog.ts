import type { OrderItem } from '../../domain/order';
import { orderTotalCents, totalLimitViolation } from '../../domain/order-limits';
import { ApiError } from '../errors';
import type { OrderIntake } from '../store/api-store';

/**
 * Checks an order against the catalog before any saga starts: every SKU must exist, and the
 * order priced at today's catalog prices must stay within MAX_ORDER_TOTAL_CENTS. recordOrder
 * checks the total again with the prices it records.
 */
export async function checkAgainstCatalog(catalog: Pick<OrderIntake, 'priceAtCatalog'>, items: readonly OrderItem[]): Promise<void> {
  const { lines, unknownSkus } = await catalog.priceAtCatalog(items);
  const unknown = items.flatMap((item, index) =>
    unknownSkus.has(item.sku) ? [{ path: `items.${index}.sku`, message: `unknown SKU ${item.sku}` }] : [],
  );
  if (unknown.length > 0) throw new ApiError(400, 'validation_failed', 'the order names SKUs the catalog does not have', unknown);
  const total = orderTotalCents(lines);
  const overLimit = totalLimitViolation(total);
  if (overLimit) throw new ApiError(400, 'validation_failed', 'the order is above the limit of one order', [overLimit]);
}
