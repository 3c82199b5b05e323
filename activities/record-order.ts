import { priceAtCatalog } from '../db/catalog';
import { orderTotalCents, totalLimitViolation, unitLimitViolations } from '../domain/order-limits';
import type { OrderSagaInput, PricedLine } from '../domain/order';
import { orders } from '../drizzle/schema';
import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done, rejected } from './run-step';
import { buildEvent } from './build-event';

export interface RecordedOrder {
  totalCents: number;
  currency: string;
  lines: PricedLine[];
}

/**
 * Prices the order from the inventory table (never from the client) and records it. The API
 * checked the limits already, but prices may have changed since, and a saga can be started
 * without the API: an order over them is refused here (OrderLimitExceeded) and recorded nowhere
 * but in the step ledger, since its total may not even be a number a column can hold.
 */
export const recordOrder =
  (deps: ActivityDeps) =>
  (input: OrderSagaInput): Promise<RecordedOrder> =>
    activityStep(deps, input.orderId, 'recordOrder', async (tx) => {
      const unitProblems = unitLimitViolations(input.items);
      if (unitProblems.length > 0) return rejected('OrderLimitExceeded', unitProblems.map((p) => p.message).join('; '));
      const { lines, unknownSkus } = await priceAtCatalog(tx, input.items);
      const unknown = [...unknownSkus];
      const recorded: RecordedOrder = { totalCents: orderTotalCents(lines), currency: 'EUR', lines };
      const overTotal = totalLimitViolation(recorded.totalCents);
      if (overTotal) return rejected('OrderLimitExceeded', overTotal.message);

      await tx.insert(orders).values({
        id: input.orderId,
        customerId: input.customerId,
        status: 'PENDING',
        totalCents: recorded.totalCents,
        currency: recorded.currency,
        lines,
        shippingAddress: input.shippingAddress,
      });
      const submitted = buildEvent('order.submitted', {
        orderId: input.orderId,
        customerId: input.customerId,
        totalCents: recorded.totalCents,
        currency: recorded.currency,
        lines,
      });
      return unknown.length > 0 ? rejected('UnknownSku', `unknown SKU: ${unknown.join(', ')}`, [submitted]) : done(recorded, [submitted]);
    });
