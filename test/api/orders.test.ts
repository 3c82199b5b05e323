import { describe, expect, it } from 'vitest';
import { submitOrder, waitForOrderStatus, useApiStack } from '../support/api-server';
import { orderBody, type SubmitOrder } from '../support/order-body';
import { orderRows } from '../support/order-rows';

const ctx = useApiStack({}, (stack) => ({ config: { ...stack.config, REVIEW_THRESHOLD_CENTS: 2000 } }));

const submit = async (body: SubmitOrder) => ({ body: await submitOrder(ctx.api, body) });
const order = (id: string) => ({ params: { path: { id } } });

describe('POST /orders and GET /orders/:id', () => {
  it('starts the saga: 202 with links and Location, then the order reaches COMPLETED', async () => {
    const { data: body, response } = await ctx.api.client().POST('/orders', { body: orderBody(), params: { header: {} } });
    expect(response.status).toBe(202);
    if (!body) throw new Error('no order');
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
    const unknown = await ctx.api.client().GET('/orders/{id}', order('00000000-0000-4000-8000-000000000000'));
    expect(unknown.response.status).toBe(404);
    expect(unknown.error).toMatchObject({ code: 'order_not_found' });
    // Raw: an encoded path traversal, which the client would not send as the id.
    const malformed = await ctx.api.rawRequest('/orders/..%2F..%2Fetc%2Fpasswd');
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
    const list = async (query: { status?: 'COMPLETED' | 'FAILED'; pageSize?: number; pageToken?: string }) => {
      const { data } = await ctx.api.client().GET('/orders', { params: { query: { customerId, ...query } } });
      if (!data) throw new Error('GET /orders refused');
      return data;
    };
    let listed = await list({ status: 'COMPLETED' });
    while (Date.now() < deadline) {
      if (listed.orders.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = await list({ status: 'COMPLETED' });
    }
    expect(listed.orders.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    expect(listed.orders.every((o) => o.status === 'COMPLETED' && o.customerId === customerId)).toBe(true);

    const first = await list({ pageSize: 2 });
    expect(first.orders).toHaveLength(2);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await list({ pageSize: 2, pageToken: first.nextPageToken ?? undefined });
    expect([...first.orders, ...second.orders].map((o) => o.orderId).sort()).toEqual([...ids].sort());

    const none = await list({ status: 'FAILED' });
    expect(none.orders).toEqual([]);
  });

  it('400 for a bad filter', async () => {
    // Raw: a status the client's types do not have.
    const response = await ctx.api.rawRequest('/orders?status=SHIPPED&pageSize=1000');
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
    const { response } = await ctx.api
      .client()
      .POST('/orders/{id}/cancel', { ...order(body.orderId), body: { reason: 'changed my mind' } });
    expect(response.status).toBe(200);
    const final = await waitForOrderStatus(ctx.api, body.orderId, 'CANCELLED');
    expect(final).toMatchObject({ failure: { type: 'Cancelled', reason: 'changed my mind' } });
    expect((await orderRows(ctx.stack.db.db, body.orderId)).payments[0]).toMatchObject({ status: 'REFUNDED' });
  });

  it('cancel without a body is fine; 409 once the order is terminal; 404 for an unknown order', async () => {
    const { body } = await submit(orderBody());
    await waitForOrderStatus(ctx.api, body.orderId, 'COMPLETED');
    const late = await ctx.api.client().POST('/orders/{id}/cancel', order(body.orderId));
    expect(late.response.status).toBe(409);
    expect(late.error).toMatchObject({ code: 'order_state_conflict', detail: expect.stringContaining('COMPLETED') });
    expect((await ctx.api.client().POST('/orders/{id}/cancel', order('00000000-0000-4000-8000-000000000000'))).response.status).toBe(404);
  });

  it('approve (admin) completes an order in review; a second decision is a 409', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    expect((await ctx.api.client().POST('/orders/{id}/approve', order(body.orderId))).response.status).toBe(200);
    await waitForOrderStatus(ctx.api, body.orderId, 'COMPLETED');
    expect((await ctx.api.client().POST('/orders/{id}/reject', order(body.orderId))).response.status).toBe(409);
  });

  it('reject (admin) fails the order with the reason; approve is a 409 when not awaiting review', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    const rejected = await ctx.api.client().POST('/orders/{id}/reject', { ...order(body.orderId), body: { reason: 'suspicious' } });
    expect(rejected.response.status).toBe(200);
    expect(await waitForOrderStatus(ctx.api, body.orderId, 'FAILED')).toMatchObject({
      failure: { type: 'ReviewRejected', reason: 'suspicious' },
    });

    const cheap = await submit(orderBody());
    await waitForOrderStatus(ctx.api, cheap.body.orderId, 'COMPLETED');
    expect((await ctx.api.client().POST('/orders/{id}/approve', order(cheap.body.orderId))).response.status).toBe(409);
  });

  it('review decisions need the admin token: 401 without it or with a wrong one', async () => {
    const { body } = await submit(reviewed());
    await waitForOrderStatus(ctx.api, body.orderId, 'AWAITING_REVIEW');
    const without = await ctx.api.client('anonymous').POST('/orders/{id}/approve', order(body.orderId));
    expect(without.response.status).toBe(401);
    expect(without.error).toMatchObject({ code: 'unauthorized' });
    const wrong = await ctx.api.client({ token: 'nope' }).POST('/orders/{id}/approve', order(body.orderId));
    expect(wrong.response.status).toBe(401);
    const read = await ctx.api.client().GET('/orders/{id}', order(body.orderId));
    expect(read.response.status).toBe(200);
    expect(read.data).toMatchObject({ status: 'AWAITING_REVIEW' });
    await ctx.api.client().POST('/orders/{id}/cancel', order(body.orderId));
  });

  it('a cancel racing the shipment either wins (nothing shipped, all refunded), is pending behind recordOrder (then wins), or gets a 409 (completed)', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { body } = await submit(orderBody());
        const { response: cancel } = await ctx.api.client().POST('/orders/{id}/cancel', order(body.orderId));
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
