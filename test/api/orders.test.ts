import { describe, expect, it } from 'vitest';
import { waitForOrderStatus, useApiStack } from '../support/api-server';
import { orderBody } from '../support/order-body';
import { orderRows } from '../support/order-rows';

const ctx = useApiStack({}, (stack) => ({ config: { ...stack.config, REVIEW_THRESHOLD_CENTS: 2000 } }));

const submit = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const response = await ctx.api.request('/orders', { method: 'POST', json: body, headers });
  return {
    response,
    body: (await response.json()) as { orderId: string; workflowId: string; status: string; links: { self: string; temporalUi: string } },
  };
};

describe('POST /orders and GET /orders/:id', () => {
  it('starts the saga: 202 with links and Location, then the order reaches COMPLETED', async () => {
    const { response, body } = await submit(orderBody());
    expect(response.status).toBe(202);
    expect(body).toMatchObject({ workflowId: `order-${body.orderId}`, status: 'PENDING' });
    expect(response.headers.get('location')).toBe(`/orders/${body.orderId}`);
    expect(body.links).toEqual({
      self: `/orders/${body.orderId}`,
      temporalUi: `${ctx.stack.config.TEMPORAL_UI_URL}/namespaces/default/workflows/order-${body.orderId}`,
    });
    const final = await waitForOrderStatus(ctx.api, body.orderId, 'COMPLETED');
    expect(final).toMatchObject({ orderId: body.orderId, totalCents: 1250, failure: null });
    expect((await orderRows(ctx.stack.db.db, body.orderId)).payments).toHaveLength(1);
  });

  it('404 for an order nobody submitted, 400 naming the parameter for an id that is no UUID', async () => {
    const unknown = await ctx.api.request('/orders/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'order_not_found' });
    const malformed = await ctx.api.request('/orders/..%2F..%2Fetc%2Fpasswd');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'id' }] });
  });
});

describe('GET /orders (Temporal visibility)', () => {
  it('filters by customer and status, and pages with nextPageToken', async () => {
    const customerId = `cust-list-${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(orderBody({ customerId }))).body.orderId);
    for (const id of ids) await waitForOrderStatus(ctx.api, id, 'COMPLETED');

    // Visibility is eventually consistent: wait until all three are listed as COMPLETED.
    const deadline = Date.now() + 20_000;
    let listed: { orders: { orderId: string; status: string; customerId: string }[] } = { orders: [] };
    while (Date.now() < deadline) {
      listed = (await (await ctx.api.request(`/orders?customerId=${customerId}&status=COMPLETED`)).json()) as typeof listed;
      if (listed.orders.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(listed.orders.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    expect(listed.orders.every((o) => o.status === 'COMPLETED' && o.customerId === customerId)).toBe(true);

    const first = (await (await ctx.api.request(`/orders?customerId=${customerId}&pageSize=2`)).json()) as {
      orders: { orderId: string }[];
      nextPageToken: string;
    };
    expect(first.orders).toHaveLength(2);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = (await (
      await ctx.api.request(`/orders?customerId=${customerId}&pageSize=2&pageToken=${first.nextPageToken}`)
    ).json()) as { orders: { orderId: string }[] };
    expect([...first.orders, ...second.orders].map((o) => o.orderId).sort()).toEqual([...ids].sort());

    const none = (await (await ctx.api.request(`/orders?customerId=${customerId}&status=FAILED`)).json()) as { orders: unknown[] };
    expect(none.orders).toEqual([]);
  });

  it('400 for a bad filter', async () => {
    const response = await ctx.api.request('/orders?status=SHIPPED&pageSize=1000');
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((d) => d.path).sort()).toEqual(['pageSize', 'status']);
  });
});

describe('cancel, approve and reject', () => {
  /** Two mugs, 25.00, are above the 20.00 threshold this API runs with. */
  const reviewed = () => orderBody({ items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] });

  it('cancel during review: 200, then the saga compensates to CANCELLED', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    const response = await ctx.api.request(`/orders/${body.orderId}/cancel`, { method: 'POST', json: { reason: 'changed my mind' } });
    expect(response.status).toBe(200);
    const final = await waitForOrderStatus(ctx.api, body.orderId, 'CANCELLED');
    expect(final).toMatchObject({ failure: { type: 'Cancelled', reason: 'changed my mind' } });
    expect((await orderRows(ctx.stack.db.db, body.orderId)).payments[0]).toMatchObject({ status: 'REFUNDED' });
  });

  it('cancel without a body is fine; 409 once the order is terminal; 404 for an unknown order', async () => {
    const { body } = await submit(orderBody());
    await waitForOrderStatus(ctx.api, body.orderId, 'COMPLETED');
    const late = await ctx.api.request(`/orders/${body.orderId}/cancel`, { method: 'POST' });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: 'order_state_conflict', detail: expect.stringContaining('COMPLETED') });
    expect((await ctx.api.request('/orders/00000000-0000-4000-8000-000000000000/cancel', { method: 'POST' })).status).toBe(404);
  });

  it('approve (admin) completes an order in review; a second decision is a 409', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    expect((await ctx.api.request(`/orders/${body.orderId}/approve`, { method: 'POST' })).status).toBe(200);
    await waitForOrderStatus(ctx.api, body.orderId, 'COMPLETED');
    expect((await ctx.api.request(`/orders/${body.orderId}/reject`, { method: 'POST' })).status).toBe(409);
  });

  it('reject (admin) fails the order with the reason; approve is a 409 when not awaiting review', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    const rejected = await ctx.api.request(`/orders/${body.orderId}/reject`, {
      method: 'POST',
      json: { reason: 'suspicious' },
    });
    expect(rejected.status).toBe(200);
    expect(await waitForOrderStatus(ctx.api, body.orderId, 'FAILED')).toMatchObject({
      failure: { type: 'ReviewRejected', reason: 'suspicious' },
    });

    const cheap = await submit(orderBody());
    await waitForOrderStatus(ctx.api, cheap.body.orderId, 'COMPLETED');
    expect((await ctx.api.request(`/orders/${cheap.body.orderId}/approve`, { method: 'POST' })).status).toBe(409);
  });

  it('review decisions need the admin token: 401 without it or with a wrong one', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    const without = await ctx.api.request(`/orders/${body.orderId}/approve`, { method: 'POST', as: 'anonymous' });
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ code: 'unauthorized' });
    const wrong = await ctx.api.request(`/orders/${body.orderId}/approve`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await ctx.api.request(`/orders/${body.orderId}`)).status).toBe(200);
    expect(await (await ctx.api.request(`/orders/${body.orderId}`)).json()).toMatchObject({ status: 'AWAITING_REVIEW' });
    await ctx.api.request(`/orders/${body.orderId}/cancel`, { method: 'POST' });
  });

  it('a cancel racing the shipment either wins (nothing shipped, all refunded), is pending behind recordOrder (then wins), or gets a 409 (completed)', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { body } = await submit(orderBody());
        const cancel = await ctx.api.request(`/orders/${body.orderId}/cancel`, { method: 'POST' });
        const final =
          cancel.status === 409
            ? await waitForOrderStatus(ctx.api, body.orderId, 'COMPLETED')
            : await waitForOrderStatus(ctx.api, body.orderId, 'CANCELLED');
        return { cancel: cancel.status, final, rows: await orderRows(ctx.stack.db.db, body.orderId) };
      }),
    );
    for (const { cancel, rows } of results) {
      expect([200, 202, 409]).toContain(cancel);
      if (cancel !== 409) {
        expect(rows.shipments).toEqual([]);
        expect(rows.payments.every((p) => p.refundedCents === p.amountCents)).toBe(true);
      } else {
        expect(rows.shipments).toHaveLength(1);
      }
    }
  });
});
