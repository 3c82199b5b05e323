import { randomUUID } from 'node:crypto';
import type { OrderSagaInput } from '../../../domain/order';
import { BENCH_SKU } from './bench-stack';

/** An order that completes: one cheap, stocked item, a card that is accepted, no review. */
export function sampleOrder(index: number): Omit<OrderSagaInput, 'orderId'> {
  return {
    customerId: `bench-customer-${index % 1000}`,
    items: [{ sku: BENCH_SKU, quantity: 1 }],
    payment: { token: 'tok_visa' },
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  };
}

export const withOrderId = (order: Omit<OrderSagaInput, 'orderId'>): OrderSagaInput => ({ ...order, orderId: randomUUID() });
