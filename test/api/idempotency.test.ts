import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../api/client/openapi';
import { orders } from '../../drizzle/schema';
import { startApi, useApiStack, waitForOrderStatus, type RunningApi } from '../support/api-server';
import type { TestCaller } from '../support/json-request';
import { orderBody } from '../support/order-body';

const ctx = useApiStack();
// A second, independent API process-alike on another port: the API keeps no state of its own.
let secondInstance: RunningApi;
beforeAll(async () => {
  secondInstance = await startApi(ctx.stack);
});
afterAll(() => secondInstance?.close());

const post = (target: RunningApi, body: components['schemas']['SubmitOrder'], key?: string, as?: TestCaller) =>
  target.client(as).POST('/orders', { body, params: { header: key ? { 'idempotency-key': key } : {} } });

describe('Idempotency-Key on POST /orders', () => {
  it('the same key and body return the same order (200 on the repeat), even on another instance', async () => {
    const key = `key-${Date.now()}`;
    const body = orderBody();
    const first = await post(ctx.api, body, key);
    expect(first.response.status).toBe(202);
    const { orderId } = first.data!;
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED');

    const repeat = await post(secondInstance, body, key);
    expect(repeat.response.status).toBe(200);
    expect(repeat.data).toMatchObject({ orderId, status: 'COMPLETED' });
    expect(await ctx.stack.db.db.select().from(orders).where(eq(orders.customerId, body.customerId))).toHaveLength(1);
  });

  it('the same key with a different body is refused with 422', async () => {
    const key = `key-${Date.now()}-b`;
    const body = orderBody();
    expect((await post(ctx.api, body, key)).response.status).toBe(202);
    const reused = await post(ctx.api, { ...body, items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] }, key);
    expect(reused.response.status).toBe(422);
    expect(reused.error).toMatchObject({ code: 'idempotency_key_reused', errors: [{ path: 'Idempotency-Key' }] });
  });

  it("keys are the customer's own: another customer's same key is a new order, and a reuse says nothing of the first", async () => {
    const key = `key-${Date.now()}-shared`;
    const alice = orderBody({ customerId: undefined });
    const first = await post(ctx.api, alice, key, { customer: 'alice-idem' });
    expect(first.response.status).toBe(202);
    const { orderId } = first.data!;

    // Bob happens to send the same key and the same body: his own new order, not a repeat of hers.
    const bob = await post(ctx.api, alice, key, { customer: 'bob-idem' });
    expect(bob.response.status).toBe(202);
    const bobOrderId = bob.data!.orderId;
    expect(bobOrderId).not.toBe(orderId);
    const bobRepeat = await post(ctx.api, alice, key, { customer: 'bob-idem' });
    expect([bobRepeat.response.status, bobRepeat.data?.orderId]).toEqual([200, bobOrderId]);

    // Alice reusing her key with another body: 422, and the answer discloses nothing of the order.
    const reused = await post(ctx.api, { ...alice, items: [{ sku: 'SKU-RED-MUG', quantity: 3 }] }, key, { customer: 'alice-idem' });
    expect(reused.response.status).toBe(422);
    expect(reused.error).toMatchObject({ code: 'idempotency_key_reused' });
    const text = JSON.stringify(reused.error);
    for (const secret of [orderId, 'alice-idem', 'Ada Lovelace', 'London', 'tok_visa']) expect(text).not.toContain(secret);
  });

  it('ten concurrent requests with one key start one saga', async () => {
    const key = `key-${Date.now()}-race`;
    const body = orderBody();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2 ? ctx.api : secondInstance, body, key)));
    // Statuses with their bodies first: a failure under load then says which answer was not a repeat.
    const statuses = responses.map(({ response, error }) =>
      `${response.status} ${error === undefined ? '' : JSON.stringify(error)}`.trim(),
    );
    expect(statuses.sort()).toEqual([...Array<string>(9).fill('200'), '202']);
    expect(new Set(responses.map((r) => r.data?.orderId)).size).toBe(1);

    const orderId = responses[0]!.data!.orderId;
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED');
    // Visibility lags a little: wait for the run to be counted, then make sure it is the only one.
    let runs = 0;
    for (let i = 0; i < 50 && runs === 0; i++) {
      runs = (await ctx.stack.client.workflow.count(`WorkflowId = 'order-${orderId}'`)).count;
      if (runs === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toBe(1);
    expect(await ctx.stack.db.db.select().from(orders).where(eq(orders.customerId, body.customerId))).toHaveLength(1);
  });

  it('without the header every POST is a new order', async () => {
    const body = orderBody();
    const a = (await post(ctx.api, body)).data!;
    const b = (await post(ctx.api, body)).data!;
    expect(a.orderId).not.toBe(b.orderId);
  });
});
