import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type OrderActivities } from '../../activities';
import { buildEvent } from '../../activities/build-event';
import { runStep } from '../../activities/run-step';
import type { OrderSagaInput } from '../../domain/order';
import { inventory, outbox, payments, sagaSteps } from '../../drizzle/schema';
import { metricsRegistry } from '../../telemetry/metrics-registry';
import { orderRows, stockOf } from '../support/order-rows';
import { delta, Scrape } from '../support/prometheus-text';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
let activities: OrderActivities;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false });
  activities = createActivities({ db: stack.db.db });
});
afterAll(() => stack?.close());

/** Runs an activity the way a Temporal worker would, with a given attempt number. */
function asActivity<A extends unknown[], R>(orderId: string, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  const env = new MockActivityEnvironment({ attempt: 1, workflowExecution: { workflowId: `order-${orderId}`, runId: randomUUID() } });
  return env.run(fn, ...args);
}

async function outboxCount(orderId: string): Promise<number> {
  const [row] = await stack.db.db.select({ n: count() }).from(outbox).where(eq(outbox.aggregateId, orderId));
  return row!.n;
}

async function newOrder(unitPriceCents = 1500, onHand = 10): Promise<{ input: OrderSagaInput; sku: string }> {
  const sku = await stack.addSku({ priceCents: unitPriceCents, onHand });
  return { input: stack.orderInput({ items: [{ sku, quantity: 2 }] }), sku };
}

describe('every activity is idempotent by (order, step)', () => {
  it('running each step twice with the same input changes nothing twice', async () => {
    const { input, sku } = await newOrder();
    const { orderId } = input;
    const twice = async <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => {
      const first = await asActivity(orderId, fn, ...args);
      const second = await asActivity(orderId, fn, ...args);
      expect(second).toEqual(first);
      return first;
    };

    const recorded = await twice(activities.recordOrder, input);
    await twice(activities.reserveInventory, { orderId, lines: [{ sku, quantity: 2 }] });
    await twice(activities.checkFraud, { orderId, customerId: input.customerId, amountCents: recorded.totalCents });
    const charge = await twice(activities.chargePayment, { orderId, token: 'tok_visa', amountCents: recorded.totalCents });
    await twice(activities.createShipment, { orderId, address: input.shippingAddress });
    await twice(activities.completeOrder, { orderId });

    let rows = await orderRows(stack.db.db, orderId, [sku]);
    expect(rows.payments).toEqual([expect.objectContaining({ amountCents: 3000, providerChargeId: charge.chargeId })]);
    expect(rows.shipments).toHaveLength(1);
    expect(rows.stock[sku]).toEqual({ onHand: 8, reserved: 0 });
    expect(await outboxCount(orderId)).toBe(5);

    await twice(activities.cancelShipment, { orderId });
    await twice(activities.refundPayment, { orderId });
    await twice(activities.releaseInventory, { orderId });
    rows = await orderRows(stack.db.db, orderId, [sku]);
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'REFUNDED', amountCents: 3000, refundedCents: 3000 })]);
    expect(rows.stock[sku]).toEqual({ onHand: 10, reserved: 0 });
    expect(await outboxCount(orderId)).toBe(8);
  });

  it('an ending step run again counts its saga outcome once (saga_outcomes_total), where the ledger row first commits', async () => {
    const metrics = async () => Scrape.parse(await metricsRegistry.metrics());
    const completed = await newOrder();
    const failed = await newOrder();
    for (const { input } of [completed, failed]) await asActivity(input.orderId, activities.recordOrder, input);
    const before = await metrics();
    for (let run = 0; run < 2; run += 1) {
      await asActivity(completed.input.orderId, activities.completeOrder, { orderId: completed.input.orderId });
      await asActivity(failed.input.orderId, activities.markOrderOutcome, {
        orderId: failed.input.orderId,
        status: 'FAILED',
        failure: { step: 'chargePayment', type: 'PaymentDeclined', reason: 'declined' },
        unresolved: [],
      });
    }
    const after = await metrics();
    expect(delta(before, after, 'saga_outcomes_total', { outcome: 'completed', failed_step: '' })).toBe(1);
    expect(delta(before, after, 'saga_outcomes_total', { outcome: 'failed', failed_step: 'chargePayment' })).toBe(1);
    expect(delta(before, after, 'saga_outcomes_total')).toBe(2);
    // Every run is an attempt, timed as one.
    expect(delta(before, after, 'saga_step_duration_seconds_count', { step: 'completeOrder', kind: 'action', result: 'ok' })).toBe(2);
  });

  it('two attempts of the same charge running at once charge once and answer alike', async () => {
    const { input } = await newOrder();
    await asActivity(input.orderId, activities.recordOrder, input);
    const charge = { orderId: input.orderId, token: 'tok_visa', amountCents: 3000 };
    const [a, b] = await Promise.all([
      asActivity(input.orderId, activities.chargePayment, charge),
      asActivity(input.orderId, activities.chargePayment, charge),
    ]);
    expect(a).toEqual(b);
    expect(await stack.db.db.select().from(payments).where(eq(payments.orderId, input.orderId))).toHaveLength(1);
  });

  it('a retried rejection answers the same rejection without a second effect', async () => {
    const { input } = await newOrder();
    await asActivity(input.orderId, activities.recordOrder, input);
    const charge = { orderId: input.orderId, token: 'tok_chargeDeclined', amountCents: 3000 };
    for (let i = 0; i < 2; i++) {
      const failure = await asActivity(input.orderId, activities.chargePayment, charge).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'PaymentDeclined', nonRetryable: true });
    }
    expect(await outboxCount(input.orderId)).toBe(2); // order.submitted, payment.declined
  });
});

describe('compensation registered before the step', () => {
  it('undoes a step that happened even though the workflow never heard back', async () => {
    const { input, sku } = await newOrder();
    await asActivity(input.orderId, activities.recordOrder, input);
    await asActivity(input.orderId, activities.reserveInventory, { orderId: input.orderId, lines: [{ sku, quantity: 2 }] });
    expect(await stockOf(stack.db.db, sku)).toEqual({ onHand: 10, reserved: 2 });
    await asActivity(input.orderId, activities.releaseInventory, { orderId: input.orderId });
    expect(await stockOf(stack.db.db, sku)).toEqual({ onHand: 10, reserved: 0 });
  });

  it('refuses a late step that arrives after its compensation ran, so nothing is left un-undone', async () => {
    const { input, sku } = await newOrder();
    await asActivity(input.orderId, activities.recordOrder, input);
    await asActivity(input.orderId, activities.releaseInventory, { orderId: input.orderId });
    const late = await asActivity(input.orderId, activities.reserveInventory, {
      orderId: input.orderId,
      lines: [{ sku, quantity: 2 }],
    }).catch((error: unknown) => error);
    expect(late).toMatchObject({ type: 'AlreadyCompensated', nonRetryable: true });
    expect(await stockOf(stack.db.db, sku)).toEqual({ onHand: 10, reserved: 0 });
  });

  it('never lets a refund exceed its charge, even if asked directly', async () => {
    const { input } = await newOrder();
    await asActivity(input.orderId, activities.recordOrder, input);
    await asActivity(input.orderId, activities.chargePayment, { orderId: input.orderId, token: 'tok_visa', amountCents: 3000 });
    const overRefund = stack.db.db.update(payments).set({ refundedCents: 3001 }).where(eq(payments.orderId, input.orderId));
    await expect(overRefund).rejects.toThrow();
  });
});

describe('a step commits its state change and its events together or not at all', () => {
  const context = (orderId: string) => ({ orderId, step: 'reserveInventory' as const, workflowId: `order-${orderId}` });

  it('an outbox write that fails rolls back the state change', async () => {
    const sku = await stack.addSku({ priceCents: 100, onHand: 5 });
    const orderId = randomUUID();
    const attempt = runStep(stack.db.db, context(orderId), async (tx) => {
      await tx
        .update(inventory)
        .set({ reserved: sql`${inventory.reserved} + 1` })
        .where(eq(inventory.sku, sku));
      // Postgres refuses \u0000 in jsonb: the outbox insert fails inside the transaction.
      return {
        kind: 'done',
        result: null,
        events: [buildEvent('inventory.reserved', { orderId, lines: [{ sku: 'bad\u0000byte', quantity: 1 }] })],
      };
    });
    await expect(attempt).rejects.toThrow();
    expect(await stockOf(stack.db.db, sku)).toEqual({ onHand: 5, reserved: 0 });
    expect(await outboxCount(orderId)).toBe(0);
    expect(await stack.db.db.select().from(sagaSteps).where(eq(sagaSteps.orderId, orderId))).toEqual([]);
  });

  it('a state change that fails writes no events', async () => {
    const sku = await stack.addSku({ priceCents: 100, onHand: 5 });
    const orderId = randomUUID();
    const attempt = runStep(stack.db.db, context(orderId), async (tx) => {
      // Violates inventory_reserved_within_on_hand.
      await tx.update(inventory).set({ reserved: 6 }).where(eq(inventory.sku, sku));
      return { kind: 'done', result: null, events: [buildEvent('inventory.reserved', { orderId, lines: [{ sku, quantity: 1 }] })] };
    });
    await expect(attempt).rejects.toThrow();
    expect(await outboxCount(orderId)).toBe(0);
  });

  it('a successful step leaves both', async () => {
    const sku = await stack.addSku({ priceCents: 100, onHand: 5 });
    const orderId = randomUUID();
    await runStep(stack.db.db, context(orderId), async (tx) => {
      await tx.update(inventory).set({ reserved: 1 }).where(eq(inventory.sku, sku));
      return { kind: 'done', result: null, events: [buildEvent('inventory.reserved', { orderId, lines: [{ sku, quantity: 1 }] })] };
    });
    expect(await stockOf(stack.db.db, sku)).toEqual({ onHand: 5, reserved: 1 });
    expect(await outboxCount(orderId)).toBe(1);
  });
});
