import type { WorkflowHandle } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderSagaState } from '../../domain/order';
import { stepRetries } from '../../drizzle/schema';
import type { orderSaga } from '../../workflows';
import { cancelUpdate, statusQuery } from '../../workflows/definitions';
import { failOrderWrites, forbidForOrder } from '../support/failing-trigger';
import { activityAttempts } from '../support/history';
import { orderRows } from '../support/order-rows';
import { startTestStack, type TestStack } from '../support/test-stack';
import { waitForStatus } from '../../saga-client/wait-for-status';

/**
 * Issue 11: every order a saga accepts reaches a terminal status. Sagas started directly through
 * saga-client (bypassing the API's checks) with what retrying cannot fix must end FAILED or
 * NEEDS_ATTENTION, naming why, instead of retrying forever.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

/** The saga's result, or a failure naming the status it is stuck in (the old code retried forever). */
async function resultWithin(handle: WorkflowHandle<typeof orderSaga>, ms = 30_000): Promise<OrderSagaState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void handle
        .query(statusQuery)
        .catch(() => undefined)
        .then((state) => reject(new Error(`saga ${handle.workflowId} did not end within ${ms} ms; it is ${state?.status ?? 'unknown'}`)));
    }, ms);
  });
  try {
    return await Promise.race([handle.result(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('an order above the limits, started without the API', () => {
  it("the issue's order (34 lines of 1,000 espresso machines, 2,206,600,000 cents) ends FAILED with OrderLimitExceeded at once", async () => {
    const input = stack.orderInput({ items: Array.from({ length: 34 }, () => ({ sku: 'SKU-ESPRESSO', quantity: 1000 })) });
    const handle = await stack.startOrder(input);
    const result = await resultWithin(handle);

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ step: 'recordOrder', type: 'OrderLimitExceeded' });
    expect(result.failure?.reason).toContain('34000 units of SKU-ESPRESSO over 34 lines: at most 1000 units of one SKU per order');
    expect((await activityAttempts(handle)).recordOrder).toBe(1);
    // Refused before anything was recorded: no order row; the outcome event still names the customer.
    expect((await orderRows(stack.db.db, input.orderId)).order).toBeUndefined();
    await stack.probe.waitForOrderEvent(input.orderId, 'order.failed');
    expect(stack.probe.namesFor(input.orderId)).toEqual(['order.failed']);
    expect(stack.probe.forOrder(input.orderId)[0]!.envelope.content).toMatchObject({
      customerId: input.customerId,
      failureType: 'OrderLimitExceeded',
      failedStep: 'recordOrder',
    });
  });

  it('a price that rose above the limit after the API checked it: OrderLimitExceeded with the catalog total', async () => {
    const sku = await stack.addSku({ priceCents: 40_000_000, onHand: 10 });
    const input = stack.orderInput({
      items: [
        { sku, quantity: 2 },
        { sku, quantity: 1 },
      ],
    });
    const result = await resultWithin(await stack.startOrder(input));
    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({
      step: 'recordOrder',
      type: 'OrderLimitExceeded',
      reason: 'the order totals 1200000.00 EUR at catalog prices: at most 1000000.00 EUR per order',
    });
  });
});

describe('a step that retrying cannot fix', () => {
  it('a constraint violation at createShipment ends FAILED with ConstraintViolation, and every compensation runs', async () => {
    const sku = await stack.addSku({ priceCents: 2500, onHand: 5 });
    const input = stack.orderInput({ items: [{ sku, quantity: 2 }] });
    const constraint = await forbidForOrder(stack.db.sql, { table: 'shipments', orderId: input.orderId, when: 'true' });
    try {
      const handle = await stack.startOrder(input);
      const result = await resultWithin(handle);

      expect(result.status).toBe('FAILED');
      expect(result.failure).toMatchObject({ step: 'createShipment', type: 'ConstraintViolation' });
      expect(result.failure?.reason).toContain(`(SQLSTATE 23514, constraint ${constraint}, table shipments)`);
      expect(result.compensations.map((c) => [c.step, c.outcome])).toEqual([
        ['cancelShipment', 'COMPENSATED'],
        ['refundPayment', 'COMPENSATED'],
        ['releaseInventory', 'COMPENSATED'],
      ]);
      expect((await activityAttempts(handle)).createShipment).toBe(1);
      const rows = await orderRows(stack.db.db, input.orderId, [sku]);
      expect(rows.order).toMatchObject({ status: 'FAILED', failedStep: 'createShipment', failureType: 'ConstraintViolation' });
      expect(rows.payments).toEqual([expect.objectContaining({ status: 'REFUNDED', amountCents: 5000, refundedCents: 5000 })]);
      expect(rows.stock[sku]).toEqual({ onHand: 5, reserved: 0 });
    } finally {
      await stack.db.sql.unsafe(`ALTER TABLE shipments DROP CONSTRAINT ${constraint}`);
    }
  });

  it('a compensation hitting a deterministic error ends NEEDS_ATTENTION, and the later compensations still run', async () => {
    const sku = await stack.addSku({ priceCents: 1500, onHand: 4 });
    const input = stack.orderInput({
      items: [{ sku, quantity: 1 }],
      shippingAddress: { name: 'Base', line1: 'Ice shelf 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
    });
    const constraint = await forbidForOrder(stack.db.sql, { table: 'payments', orderId: input.orderId, when: "status = 'REFUNDED'" });
    try {
      const result = await resultWithin(await stack.startOrder(input));

      expect(result.status).toBe('NEEDS_ATTENTION');
      expect(result.failure).toMatchObject({ step: 'createShipment', type: 'ShippingRefused' });
      expect(result.compensations).toEqual([
        expect.objectContaining({ step: 'cancelShipment', outcome: 'COMPENSATED' }),
        expect.objectContaining({
          step: 'refundPayment',
          outcome: 'FAILED',
          error: expect.stringContaining(`SQLSTATE 23514, constraint ${constraint}`),
        }),
        expect.objectContaining({ step: 'releaseInventory', outcome: 'COMPENSATED' }),
      ]);
      const rows = await orderRows(stack.db.db, input.orderId, [sku]);
      expect(rows.order?.status).toBe('NEEDS_ATTENTION');
      expect(rows.stock[sku]).toEqual({ onHand: 4, reserved: 0 });
      await stack.probe.waitForOrderEvent(input.orderId, 'order.needs-attention');
    } finally {
      await stack.db.sql.unsafe(`ALTER TABLE payments DROP CONSTRAINT ${constraint}`);
    }
  });

  it('markOrderOutcome failing for good still ends the saga, NEEDS_ATTENTION with the reason, never a failed workflow', async () => {
    const sku = await stack.addSku({ priceCents: 900, onHand: 3 });
    const input = stack.orderInput({ items: [{ sku, quantity: 2 }], reviewThresholdCents: 1000 });
    const handle = await stack.startOrder(input);
    await waitForStatus(stack.sagas, input.orderId, 'AWAITING_REVIEW');
    // Postgres cannot store NUL in text: the outcome's failure_reason is refused (SQLSTATE 22021) on every attempt.
    await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'changed\u0000mind' }] });
    const result = await resultWithin(handle);

    expect(result.status).toBe('NEEDS_ATTENTION');
    expect(result.failure).toMatchObject({ step: 'review', type: 'Cancelled' });
    expect(result.compensations.map((c) => [c.step, c.outcome])).toEqual([
      ['refundPayment', 'COMPENSATED'],
      ['releaseInventory', 'COMPENSATED'],
    ]);
    expect(result.outcomeError).toMatch(/markOrderOutcome for order .*SQLSTATE 22021/);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'REFUNDED', refundedCents: 1800 })]);
    expect(rows.stock[sku]).toEqual({ onHand: 3, reserved: 0 });
  });
});

describe('a transient error', () => {
  it('keeps retrying (serialization failures at chargePayment, twice) and the saga completes; the retry record is cleared', async () => {
    const input = stack.orderInput();
    const trigger = await failOrderWrites(stack.db.sql, {
      table: 'payments',
      on: 'INSERT',
      orderId: input.orderId,
      sqlState: '40001',
      message: 'simulated serialization failure',
      times: 2,
    });
    try {
      const handle = await stack.startOrder(input);
      const result = await resultWithin(handle);
      expect(result.status).toBe('COMPLETED');
      expect((await activityAttempts(handle)).chargePayment).toBe(3);
      expect(await stack.db.db.select().from(stepRetries).where(eq(stepRetries.orderId, input.orderId))).toEqual([]);
    } finally {
      await trigger.remove();
    }
  });
});
