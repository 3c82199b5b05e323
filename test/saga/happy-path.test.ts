import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox } from '../../drizzle/schema';
import { statusQuery } from '../../workflows/definitions';
import { statusTrail } from '../support/history';
import { orderRows } from '../support/order-rows';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

describe('an order that goes through', () => {
  it('reserves, charges once, ships, completes, and publishes its events in order', async () => {
    const mug = await stack.addSku({ priceCents: 1250, onHand: 10 });
    const lamp = await stack.addSku({ priceCents: 4999, onHand: 5 });
    const input = stack.orderInput({
      items: [
        { sku: mug, quantity: 2 },
        { sku: lamp, quantity: 1 },
        { sku: mug, quantity: 1 },
      ],
    });

    const handle = await stack.startOrder(input);
    const result = await handle.result();

    expect(result.status).toBe('COMPLETED');
    expect(result.failure).toBeNull();
    expect(result.totalCents).toBe(3 * 1250 + 4999);
    expect(result.steps.map((s) => s.step)).toEqual([
      'recordOrder',
      'reserveInventory',
      'checkFraud',
      'chargePayment',
      'createShipment',
      'completeOrder',
    ]);
    expect(result.compensations).toEqual([]);
    expect(await handle.query(statusQuery)).toEqual(result);
    expect(await statusTrail(handle)).toEqual([
      'PENDING',
      'RESERVING_INVENTORY',
      'CHECKING_FRAUD',
      'CHARGING_PAYMENT',
      'SHIPPING',
      'COMPLETED',
    ]);

    const rows = await orderRows(stack.db.db, input.orderId, [mug, lamp]);
    expect(rows.order).toMatchObject({ status: 'COMPLETED', totalCents: 8749, customerId: input.customerId });
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'CHARGED', amountCents: 8749, refundedCents: 0 })]);
    expect(rows.shipments).toEqual([expect.objectContaining({ status: 'CREATED' })]);
    expect(rows.stock).toEqual({ [mug]: { onHand: 7, reserved: 0 }, [lamp]: { onHand: 4, reserved: 0 } });

    await stack.probe.waitForOrderEvent(input.orderId, 'order.completed');
    const events = stack.probe.forOrder(input.orderId);
    expect(events.map((e) => e.envelope.name)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.charged',
      'shipment.created',
      'order.completed',
    ]);
    const committed = await stack.db.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(eq(outbox.aggregateId, input.orderId))
      .orderBy(outbox.seq);
    expect(events.map((e) => e.envelope.messageId)).toEqual(committed.map((row) => row.id));
    for (const event of events) {
      expect(event.routingKey).toBe(event.envelope.name);
      expect(event.properties).toMatchObject({
        messageId: event.envelope.messageId,
        type: event.envelope.name,
        contentType: 'application/json',
        deliveryMode: 2,
        headers: expect.objectContaining({ correlationId: input.orderId }),
      });
      expect(event.envelope.metadata).toMatchObject({
        correlationId: input.orderId,
        causationId: expect.stringContaining(`order-${input.orderId}/`),
      });
    }
    expect(events[2]!.envelope.content).toMatchObject({ orderId: input.orderId, amountCents: 8749 });
  });
});
