import { describe, expect, it } from 'vitest';
import { workflowIdForOrder } from '../../domain/order';
import type { components } from '../../api/client/openapi';
import { submitOrder, useApiStack, waitForOrderStatus } from '../support/api-server';
import { orderBody, type SubmitOrder } from '../support/order-body';
import { failOrderWrites } from '../support/failing-trigger';

const STUCK_AFTER_MS = 1500;
const ANSWER_TIMEOUT_MS = 2000;
const ctx = useApiStack({ relay: false }, (stack) => ({
  config: { ...stack.config, REVIEW_THRESHOLD_CENTS: 2000, STEP_STUCK_AFTER_MS: STUCK_AFTER_MS, SAGA_ANSWER_TIMEOUT_MS: ANSWER_TIMEOUT_MS },
}));

type OrderAnswer = components['schemas']['OrderState'];
type StuckList = components['schemas']['StuckSagaList'];

const submit = async (body: SubmitOrder) => (await submitOrder(ctx.api, body)).orderId;
const byId = (id: string) => ({ params: { path: { id } } });

/** Polls GET /orders/:id until `done` holds (a saga inside a step answers its query only between attempts). */
async function waitForOrder(orderId: string, done: (order: OrderAnswer) => boolean, timeoutMs = 40_000): Promise<OrderAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const answer = await ctx.api.client().GET('/orders/{id}', { params: { path: { id: orderId } } });
    last = answer.data ?? answer.error;
    if (answer.data && done(answer.data)) return answer.data;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`order ${orderId}: condition not met; last answer ${JSON.stringify(last)}`);
}

const stuckList = async (): Promise<StuckList> => {
  const { data, response } = await ctx.api.client().GET('/admin/sagas/stuck', { params: { query: {} } });
  expect(response.status).toBe(200);
  return data!;
};

describe('a step that keeps failing is visible, in GET /orders/:id and GET /admin/sagas/stuck', () => {
  it('a forward step (a local activity): chargePayment failing with 40001 shows as stuck, then clears once it succeeds', async () => {
    const body = orderBody();
    const trigger = await failOrderWrites(ctx.stack.db.sql, {
      table: 'payments',
      on: 'INSERT',
      customerId: body.customerId,
      sqlState: '40001',
      message: 'simulated serialization failure',
    });
    const orderId = await submit(body);
    try {
      const stuck = await waitForOrder(orderId, (order) => order.retrying.some((r) => r.stuck));
      expect(stuck.status).toBe('CHARGING_PAYMENT');
      expect(stuck.retrying).toEqual([
        {
          step: 'chargePayment',
          retryingSince: expect.any(String),
          attempts: expect.any(Number),
          lastError: 'simulated serialization failure (SQLSTATE 40001)',
          stuck: true,
        },
      ]);
      expect(stuck.retrying[0]!.attempts).toBeGreaterThanOrEqual(2);
      expect(Date.now() - Date.parse(stuck.retrying[0]!.retryingSince)).toBeGreaterThanOrEqual(STUCK_AFTER_MS);

      expect((await ctx.api.client('anonymous').GET('/admin/sagas/stuck')).response.status).toBe(401);
      const listed = await stuckList();
      expect(listed.stuckAfterMs).toBe(STUCK_AFTER_MS);
      expect(listed.sagas).toContainEqual(
        expect.objectContaining({ orderId, workflowId: workflowIdForOrder(orderId), step: 'chargePayment', stuck: true }),
      );
    } finally {
      await trigger.remove();
    }
    const done = await waitForOrder(orderId, (order) => order.status === 'COMPLETED');
    expect(done.retrying).toEqual([]);
    expect((await stuckList()).sagas.map((s) => s.orderId)).not.toContain(orderId);
  });

  it('a compensation (an ordinary activity): refundPayment failing with 40001 shows as stuck while the saga is COMPENSATING', async () => {
    const body = orderBody({ shippingAddress: { name: 'Base', line1: 'Ice shelf 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' } });
    const trigger = await failOrderWrites(ctx.stack.db.sql, {
      table: 'payments',
      on: 'UPDATE',
      customerId: body.customerId,
      sqlState: '40001',
      message: 'refund blocked',
    });
    const orderId = await submit(body);
    try {
      const stuck = await waitForOrder(orderId, (order) => order.retrying.some((r) => r.stuck));
      expect(stuck.status).toBe('COMPENSATING');
      expect(stuck.retrying).toEqual([
        expect.objectContaining({ step: 'refundPayment', lastError: 'refund blocked (SQLSTATE 40001)', stuck: true }),
      ]);
      expect((await stuckList()).sagas).toContainEqual(expect.objectContaining({ orderId, step: 'refundPayment' }));
    } finally {
      await trigger.remove();
    }
    const failed = await waitForOrder(orderId, (order) => order.status === 'FAILED');
    expect(failed.retrying).toEqual([]);
  });
});

describe('cancel answers within SAGA_ANSWER_TIMEOUT_MS, never a silent 200', () => {
  it('while recordOrder keeps failing: 202 pending, the order state shows the cancel, and it takes effect once the step ends', async () => {
    const body = orderBody();
    const trigger = await failOrderWrites(ctx.stack.db.sql, {
      table: 'orders',
      on: 'INSERT',
      customerId: body.customerId,
      sqlState: '40001',
      message: 'recording blocked',
    });
    const orderId = await submit(body);
    try {
      const started = Date.now();
      const cancel = await ctx.api.client().POST('/orders/{id}/cancel', { ...byId(orderId), body: { reason: 'too slow' } });
      const elapsed = Date.now() - started;
      expect(cancel.response.status).toBe(202);
      expect(elapsed).toBeLessThan(ANSWER_TIMEOUT_MS + 3000);
      expect(cancel.data).toMatchObject({
        orderId,
        request: 'cancel',
        status: 'PENDING',
        message: expect.any(String),
        retrying: expect.any(Array),
      });

      const pending = await waitForOrder(orderId, (order) => order.cancellation !== null);
      expect(pending.status).toBe('PENDING');
      expect(pending.cancellation).toEqual({ reason: 'too slow', requestedAt: expect.any(String), waitsFor: 'recordOrder' });
    } finally {
      await trigger.remove();
    }
    const cancelled = await waitForOrderStatus(ctx.api, orderId, 'CANCELLED', 40_000);
    expect(cancelled).toMatchObject({
      failure: { type: 'Cancelled', reason: 'too slow' },
      cancellation: { reason: 'too slow', waitsFor: null },
    });
  });

  it('once the shipment step has started: 409 within the bound, even while the step holds the saga busy', async () => {
    const orderId = await submit(orderBody({ items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] }));
    await waitForOrderStatus(ctx.api, orderId, 'AWAITING_REVIEW');
    // Hold the order's step lock so createShipment blocks mid-step, like a slow carrier would.
    const blocker = await ctx.stack.db.sql.reserve();
    await blocker`SELECT pg_advisory_lock(hashtextextended(${orderId}, 0))`;
    try {
      // The saga answers once its workflow task ends, which waits for the blocked step: 200, or 202 after the bound.
      expect([200, 202]).toContain((await ctx.api.client().POST('/orders/{id}/approve', byId(orderId))).response.status);
      const deadline = Date.now() + 30_000;
      while ((await ctx.stack.sagas.describeOrder(orderId))?.lastReportedStatus !== 'SHIPPING') {
        if (Date.now() > deadline) throw new Error('the saga never reported SHIPPING');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const started = Date.now();
      const cancel = await ctx.api.client().POST('/orders/{id}/cancel', byId(orderId));
      expect(cancel.response.status).toBe(409);
      expect(Date.now() - started).toBeLessThan(ANSWER_TIMEOUT_MS + 3000);
      expect(cancel.error).toMatchObject({ code: 'order_state_conflict', detail: expect.stringContaining('SHIPPING') });
    } finally {
      await blocker`SELECT pg_advisory_unlock(hashtextextended(${orderId}, 0))`;
      blocker.release();
    }
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED', 40_000);
    expect((await ctx.api.client().POST('/orders/{id}/cancel', byId(orderId))).response.status).toBe(409);
  });
});
