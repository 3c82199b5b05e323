import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate, cancelUpdate, rejectUpdate } from '../../workflows/definitions';
import { statusTrail } from '../support/history';
import { orderRows, stockOf } from '../support/order-rows';
import { startTestStack, type TestStack } from '../support/test-stack';
import { waitForStatus } from '../../saga-client/wait-for-status';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

/** An order of 2 × 9.00 against a 10.00 review threshold: it stops for review after the charge. */
async function orderNeedingReview(reviewTimeoutMs = 60_000) {
  const sku = await stack.addSku({ priceCents: 900, onHand: 10 });
  const input = stack.orderInput({ items: [{ sku, quantity: 2 }], reviewThresholdCents: 1000, reviewTimeoutMs });
  const handle = await stack.startOrder(input);
  return { sku, input, handle };
}

describe('manual review above the threshold', () => {
  it('waits in AWAITING_REVIEW and completes once approved', async () => {
    const { input, handle } = await orderNeedingReview();
    const waiting = await waitForStatus(stack.sagas, input.orderId, 'AWAITING_REVIEW');
    expect(waiting.waitingFor).toContain('review decision');
    // What the Temporal UI shows as the saga's current details.
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(
      '**Waiting for** a review decision (approve or reject), at most 1 min: the total is above 10.00 EUR',
    );

    const afterApproval = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'test' }] });
    expect(afterApproval.orderId).toBe(input.orderId);
    const result = await handle.result();
    expect(result.status).toBe('COMPLETED');
    expect(result.steps.map((s) => s.step)).toContain('review');
    expect(await statusTrail(handle)).toEqual([
      'PENDING',
      'RESERVING_INVENTORY',
      'CHECKING_FRAUD',
      'CHARGING_PAYMENT',
      'AWAITING_REVIEW',
      'SHIPPING',
      'COMPLETED',
    ]);
  });

  it('orders at or below the threshold skip the review', async () => {
    const input = stack.orderInput({ reviewThresholdCents: 1250 }); // one mug costs exactly 12.50
    const handle = await stack.startOrder(input);
    expect((await handle.result()).status).toBe('COMPLETED');
    expect(await statusTrail(handle)).not.toContain('AWAITING_REVIEW');
  });

  it('rejected: refunds and releases, and the order FAILED with the reviewer reason', async () => {
    const { sku, input, handle } = await orderNeedingReview();
    await waitForStatus(stack.sagas, input.orderId, 'AWAITING_REVIEW');
    await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'address looks fraudulent' }] });
    const result = await handle.result();

    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({ step: 'review', type: 'ReviewRejected', reason: 'address looks fraudulent' });
    expect(result.compensations.map((c) => c.step)).toEqual(['refundPayment', 'releaseInventory']);
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'REFUNDED', refundedCents: 1800 })]);
    expect(rows.stock[sku]).toEqual({ onHand: 10, reserved: 0 });
  });

  it('times out: rejected after the configured timeout, then compensated', async () => {
    const { sku, input, handle } = await orderNeedingReview(1500);
    const result = await handle.result();

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ step: 'review', type: 'ReviewTimedOut' });
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.payments[0]?.status).toBe('REFUNDED');
    expect(rows.stock[sku]).toEqual({ onHand: 10, reserved: 0 });
  });

  it('refuses approve when the order is not awaiting review', async () => {
    const { input, handle } = await orderNeedingReview();
    await waitForStatus(stack.sagas, input.orderId, 'AWAITING_REVIEW');
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    const refusal = await handle.executeUpdate(approveUpdate, { args: [{}] }).catch((error: unknown) => error);
    // Either refused by the validator (already SHIPPING) or the saga had already finished.
    expect(refusal).toBeInstanceOf(Error);
    expect((await handle.result()).status).toBe('COMPLETED');
  });
});

describe('cancel', () => {
  it('during review: refunds, releases, and ends CANCELLED', async () => {
    const { sku, input, handle } = await orderNeedingReview();
    await waitForStatus(stack.sagas, input.orderId, 'AWAITING_REVIEW');
    await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'customer changed their mind' }] });
    const result = await handle.result();

    expect(result.status).toBe('CANCELLED');
    expect(result.failure).toEqual({ step: 'review', type: 'Cancelled', reason: 'customer changed their mind' });
    expect(result.compensations.map((c) => c.step)).toEqual(['refundPayment', 'releaseInventory']);
    const rows = await orderRows(stack.db.db, input.orderId, [sku]);
    expect(rows.order?.status).toBe('CANCELLED');
    expect(rows.payments).toEqual([expect.objectContaining({ status: 'REFUNDED', refundedCents: 1800 })]);
    expect(rows.stock[sku]).toEqual({ onHand: 10, reserved: 0 });
    await stack.probe.waitForOrderEvent(input.orderId, 'order.cancelled');
    expect(stack.probe.namesFor(input.orderId)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.charged',
      'payment.refunded',
      'inventory.released',
      'order.cancelled',
    ]);
  });

  it('is refused once the shipment step has started, and the order still completes', async () => {
    const { input, handle } = await orderNeedingReview();
    await waitForStatus(stack.sagas, input.orderId, 'AWAITING_REVIEW');
    // Hold the order's step lock so createShipment blocks mid-step, like a slow carrier would.
    const blocker = await stack.db.sql.reserve();
    await blocker`SELECT pg_advisory_lock(hashtextextended(${input.orderId}, 0))`;
    try {
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      await waitForStatus(stack.sagas, input.orderId, 'SHIPPING');
      const refusal = await handle.executeUpdate(cancelUpdate, { args: [{}] }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((refusal as WorkflowUpdateFailedError).cause?.message)).toContain('it is SHIPPING');
    } finally {
      await blocker`SELECT pg_advisory_unlock(hashtextextended(${input.orderId}, 0))`;
      blocker.release();
    }
    expect((await handle.result()).status).toBe('COMPLETED');
  });

  it('racing the shipment: either cancelled with everything undone, or completed with the cancel refused', async () => {
    const sku = await stack.addSku({ priceCents: 700, onHand: 100 });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const input = stack.orderInput({ items: [{ sku, quantity: 1 }] });
        const handle = await stack.startOrder(input);
        const cancel = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'race' }] }).then(
          () => 'accepted' as const,
          () => 'refused' as const,
        );
        const result = await handle.result();
        const rows = await orderRows(stack.db.db, input.orderId);
        return { cancel, status: result.status, rows };
      }),
    );
    for (const { cancel, status, rows } of outcomes) {
      if (cancel === 'accepted') {
        expect(status).toBe('CANCELLED');
        expect(rows.shipments).toEqual([]);
        expect(rows.payments.every((p) => p.refundedCents === p.amountCents)).toBe(true);
      } else {
        expect(status).toBe('COMPLETED');
        expect(rows.shipments).toHaveLength(1);
      }
    }
    for (const { rows } of outcomes) expect(rows.order?.status).toMatch(/^(CANCELLED|COMPLETED)$/);
    const stock = await stockOf(stack.db.db, sku);
    const completed = outcomes.filter((o) => o.status === 'COMPLETED').length;
    expect(stock).toEqual({ onHand: 100 - completed, reserved: 0 });
  });
});
