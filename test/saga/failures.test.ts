import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityAttempts, statusTrail } from '../support/history';
import { orderRows } from '../support/order-rows';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

describe('an order that fails for good is compensated, newest first', () => {
  it('declined card: releases the inventory, charges nothing', async () => {
    const sku = await stack.addSku({ priceCents: 2000, onHand: 5 });
    const input = stack.orderInput({ items: [{ sku, quantity: 2 }], payment: { token: 'tok_chargeDeclined' } });
    const result = await (await stack.startOrder(input)).result();

    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({ step: 'chargePayment', type: 'PaymentDeclined', reason: 'card declined by issuer' });
    expect(result.compensations.map((c) => [c.step, c.outcome])).toEqual([
      ['refundPayment', 'COMPENSATED'],
      ['releaseInventory', 'COMPENSATED'],
    ]);
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.order).toMatchObject({ status: 'FAILED', failedStep: 'chargePayment', failureType: 'PaymentDeclined' });
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'DECLINED', refundedCents: 0 })]);
    expect(rows.reservations).toEqual([expect.objectContaining({ status: 'RELEASED', quantity: 2 })]);
    expect(rows.stock[sku]).toEqual({ onHand: 5, reserved: 0 });

    await stack.probe.waitForOrderEvent(input.orderId, 'order.failed');
    expect(stack.probe.namesFor(input.orderId)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.declined',
      'inventory.released',
      'order.failed',
    ]);
  });

  it('shipping refused for AQ: refunds the charge in full, then releases the inventory', async () => {
    const sku = await stack.addSku({ priceCents: 3000, onHand: 5 });
    const input = stack.orderInput({
      items: [{ sku, quantity: 1 }],
      shippingAddress: { name: 'Base', line1: 'Ice shelf 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
    });
    const handle = await stack.startOrder(input);
    const result = await handle.result();

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ step: 'createShipment', type: 'ShippingRefused' });
    expect(result.compensations.map((c) => c.step)).toEqual(['cancelShipment', 'refundPayment', 'releaseInventory']);
    expect(await statusTrail(handle)).toEqual([
      'PENDING',
      'RESERVING_INVENTORY',
      'CHECKING_FRAUD',
      'CHARGING_PAYMENT',
      'SHIPPING',
      'COMPENSATING',
      'FAILED',
    ]);
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'REFUNDED', amountCents: 3000, refundedCents: 3000 })]);
    expect(rows.shipments).toEqual([]);
    expect(rows.stock[sku]).toEqual({ onHand: 5, reserved: 0 });

    await stack.probe.waitForOrderEvent(input.orderId, 'order.failed');
    expect(stack.probe.namesFor(input.orderId)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.charged',
      'payment.refunded',
      'inventory.released',
      'order.failed',
    ]);
  });

  it('out of stock: reserves nothing, charges nothing', async () => {
    const plenty = await stack.addSku({ priceCents: 100, onHand: 50 });
    const scarce = await stack.addSku({ priceCents: 100, onHand: 1 });
    const input = stack.orderInput({
      items: [
        { sku: plenty, quantity: 3 },
        { sku: scarce, quantity: 2 },
      ],
    });
    const result = await (await stack.startOrder(input)).result();

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ step: 'reserveInventory', type: 'OutOfStock' });
    expect(result.failure?.reason).toContain(`${scarce}: 2 wanted, 1 free`);
    const rows = await orderRows(stack.db.db, input.orderId, [plenty, scarce]);
    expect(rows.reservations).toEqual([]);
    expect(rows.payments).toEqual([]);
    expect(rows.stock).toEqual({ [plenty]: { onHand: 50, reserved: 0 }, [scarce]: { onHand: 1, reserved: 0 } });
    await stack.probe.waitForOrderEvent(input.orderId, 'order.failed');
    expect(stack.probe.namesFor(input.orderId)).toEqual(['order.submitted', 'order.failed']);
  });

  it('fraud suspected: releases the inventory before any money moves', async () => {
    const sku = await stack.addSku({ priceCents: 1500, onHand: 4 });
    const input = stack.orderInput({ customerId: 'cust-fraud', items: [{ sku, quantity: 2 }] });
    const result = await (await stack.startOrder(input)).result();

    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({
      step: 'checkFraud',
      type: 'FraudSuspected',
      reason: 'customer cust-fraud is on the fraud watch list',
    });
    expect(result.compensations.map((c) => c.step)).toEqual(['releaseInventory']);
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.order).toMatchObject({ status: 'FAILED', failedStep: 'checkFraud', failureType: 'FraudSuspected' });
    expect(rows.payments).toEqual([]);
    expect(rows.stock[sku]).toEqual({ onHand: 4, reserved: 0 });
    await stack.probe.waitForOrderEvent(input.orderId, 'order.failed');
    expect(stack.probe.namesFor(input.orderId)).toEqual(['order.submitted', 'inventory.reserved', 'inventory.released', 'order.failed']);
  });

  it('unknown SKU: fails at recording with the SKU named', async () => {
    const input = stack.orderInput({ items: [{ sku: 'SKU-DOES-NOT-EXIST', quantity: 1 }] });
    const result = await (await stack.startOrder(input)).result();
    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({ step: 'recordOrder', type: 'UnknownSku', reason: 'unknown SKU: SKU-DOES-NOT-EXIST' });
  });

  it('a refund that can never succeed leaves the order in NEEDS_ATTENTION, other compensations still run', async () => {
    const sku = await stack.addSku({ priceCents: 500, onHand: 3 });
    const input = stack.orderInput({
      items: [{ sku, quantity: 1 }],
      payment: { token: 'tok_refundRejected' },
      shippingAddress: { name: 'Base', line1: 'Ice shelf 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
    });
    const result = await (await stack.startOrder(input)).result();

    expect(result.status).toBe('NEEDS_ATTENTION');
    expect(result.compensations).toEqual([
      expect.objectContaining({ step: 'cancelShipment', outcome: 'COMPENSATED' }),
      expect.objectContaining({ step: 'refundPayment', outcome: 'FAILED', error: expect.stringContaining('rejected') }),
      expect.objectContaining({ step: 'releaseInventory', outcome: 'COMPENSATED' }),
    ]);
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.order?.status).toBe('NEEDS_ATTENTION');
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'CHARGED', refundedCents: 0 })]);
    expect(rows.stock[sku]).toEqual({ onHand: 3, reserved: 0 });
    await stack.probe.waitForOrderEvent(input.orderId, 'order.needs-attention');
  });
});

describe('transient failures', () => {
  it('tok_flaky: the provider fails twice, Temporal retries with back-off, the order completes with one charge', async () => {
    const input = stack.orderInput({ payment: { token: 'tok_flaky' } });
    const handle = await stack.startOrder(input);
    const result = await handle.result();

    expect(result.status).toBe('COMPLETED');
    expect((await activityAttempts(handle)).chargePayment).toBe(3);
    const rows = await orderRows(stack.db.db, input.orderId);
    expect(rows.payments).toHaveLength(1);
    await stack.probe.waitForOrderEvent(input.orderId, 'order.completed');
    expect(stack.probe.namesFor(input.orderId).filter((name) => name === 'payment.charged')).toHaveLength(1);
  });
});
