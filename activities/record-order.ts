import { inArray } from 'drizzle-orm';
import type { OrderItem, OrderSagaInput, PricedLine } from '../domain/order';
import { inventory, orders } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done, rejected } from './run-step';

export interface RecordedOrder {
  totalCents: number;
  currency: string;
  lines: PricedLine[];
}

/** One line per SKU: a client may list the same SKU twice. */
export function mergeItems(items: readonly OrderItem[]): OrderItem[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of items) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

/** Prices the order from the inventory table (never from the client) and records it. */
export const recordOrder = (deps: ActivityDeps) => (input: OrderSagaInput): Promise<RecordedOrder> =>
  activityStep(deps, input.orderId, 'recordOrder', async (tx) => {
    const items = mergeItems(input.items);
    const catalog = await tx
      .select({ sku: inventory.sku, priceCents: inventory.priceCents })
      .from(inventory)
      .where(inArray(inventory.sku, items.map((i) => i.sku)));
    const prices = new Map(catalog.map((row) => [row.sku, row.priceCents]));
    const unknown = items.filter((i) => !prices.has(i.sku)).map((i) => i.sku);
    const lines: PricedLine[] = items
      .filter((i) => prices.has(i.sku))
      .map((i) => ({ sku: i.sku, quantity: i.quantity, unitPriceCents: prices.get(i.sku)! }));
    const recorded: RecordedOrder = {
      totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
      currency: 'EUR',
      lines,
    };
    await tx.insert(orders).values({
      id: input.orderId,
      customerId: input.customerId,
      status: 'PENDING',
      totalCents: recorded.totalCents,
      currency: recorded.currency,
      lines,
      shippingAddress: input.shippingAddress,
    });
    const submitted = {
      name: 'order.submitted' as const,
      content: { orderId: input.orderId, customerId: input.customerId, totalCents: recorded.totalCents, currency: recorded.currency, lines },
    };
    return unknown.length > 0
      ? rejected('UnknownSku', `unknown SKU: ${unknown.join(', ')}`, [submitted])
      : done(recorded, [submitted]);
  });
