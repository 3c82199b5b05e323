import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startApi, submitOrder, useApiStack, waitForOrderStatus, type RunningApi } from '../support/api-server';
import type { TestCaller } from '../support/json-request';
import { orderBody } from '../support/order-body';
import { openStream } from '../support/sse-client';

// Raw: a ticket is redeemed through the URL it was issued with, as a browser's EventSource opens it, and
// misused on purpose (reused, expired, on another order, as a bearer token, beside Authorization).
const ctx = useApiStack();
const owner: TestCaller = { customer: 'ticket-owner' };

async function completedOrder(api: RunningApi): Promise<string> {
  const { orderId } = await submitOrder(api, orderBody({ customerId: undefined }), owner);
  await waitForOrderStatus(api, orderId, 'COMPLETED');
  return orderId;
}

async function issueTicket(api: RunningApi, orderId: string, as: TestCaller = owner) {
  const { data, response } = await api.client(as).POST('/orders/{id}/events/ticket', { params: { path: { id: orderId } } });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return data!;
}

/** The stream a browser's EventSource would open: no Authorization, the ticket in the URL. */
const openWithTicket = (api: RunningApi, url: string) => openStream(api, url, { as: 'anonymous' });

describe('stream tickets', () => {
  it("open the order's stream once without Authorization; a second use is a 401", async () => {
    const orderId = await completedOrder(ctx.api);
    const issued = await issueTicket(ctx.api, orderId);
    expect(issued.url).toBe(`/orders/${orderId}/events?ticket=${issued.ticket}`);
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(50_000);

    const stream = await openWithTicket(ctx.api, issued.url);
    expect(stream.response.status).toBe(200);
    await stream.waitForEnd();
    expect(stream.messages.at(-1)?.event).toBe('order.completed');

    const again = await ctx.api.rawRequest(issued.url, { as: 'anonymous', headers: { accept: 'text/event-stream' } });
    expect(again.status).toBe(401);
    expect(again.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('work for their own order only, and are no bearer token anywhere', async () => {
    const orderId = await completedOrder(ctx.api);
    const otherOrder = await completedOrder(ctx.api);
    const { ticket, url } = await issueTicket(ctx.api, orderId);
    expect((await ctx.api.rawRequest(`/orders/${otherOrder}/events?ticket=${ticket}`, { as: 'anonymous' })).status).toBe(401);
    for (const path of [`/orders/${orderId}`, `/orders/${orderId}/events`]) {
      const asBearer = await ctx.api.rawRequest(path, { headers: { authorization: `Bearer ${ticket}` } });
      expect(asBearer.status).toBe(401);
    }
    // Neither attempt used it up.
    expect((await openWithTicket(ctx.api, url)).response.status).toBe(200);
  });

  it('expire, and expired ones are pruned when tickets are issued', async () => {
    const shortLived = await startApi(ctx.stack, { config: { ...ctx.stack.config, EVENT_STREAM_TICKET_TTL_MS: 1000 } });
    try {
      const orderId = await completedOrder(shortLived);
      const { ticket, url } = await issueTicket(shortLived, orderId);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect((await shortLived.rawRequest(url, { as: 'anonymous' })).status).toBe(401);
      const hash = createHash('sha256').update(ticket).digest('hex');
      await issueTicket(shortLived, orderId);
      const left = await ctx.stack.db.sql`SELECT 1 FROM event_stream_tickets WHERE ticket_hash = ${hash}`;
      expect(left).toHaveLength(0);
    } finally {
      await shortLived.close();
    }
  });

  it('are stored as their sha256 only, and may be redeemed on another API instance', async () => {
    const orderId = await completedOrder(ctx.api);
    const { ticket, url } = await issueTicket(ctx.api, orderId);
    const rows = await ctx.stack.db.sql<{ ticket_hash: string; caller: unknown }[]>`
      SELECT ticket_hash, caller FROM event_stream_tickets WHERE order_id = ${orderId}`;
    expect(rows).toEqual([
      { ticket_hash: createHash('sha256').update(ticket).digest('hex'), caller: { kind: 'customer', customerId: 'ticket-owner' } },
    ]);
    const other = await startApi(ctx.stack);
    try {
      const stream = await openWithTicket(other, url);
      expect(stream.response.status).toBe(200);
      await stream.waitForEnd();
    } finally {
      await other.close();
    }
  });

  it('need a caller to be issued; a ticket beside an Authorization header is a 400', async () => {
    const orderId = await completedOrder(ctx.api);
    const order = (id: string) => ({ params: { path: { id } } });
    expect((await ctx.api.client('anonymous').POST('/orders/{id}/events/ticket', order(orderId))).response.status).toBe(401);
    const unknown = order('00000000-0000-4000-8000-000000000000');
    expect((await ctx.api.client().POST('/orders/{id}/events/ticket', unknown)).response.status).toBe(404);
    expect((await ctx.api.client('anonymous').GET('/orders/{id}/events', order(orderId))).response.status).toBe(401);
    const { url } = await issueTicket(ctx.api, orderId);
    const both = await ctx.api.rawRequest(url, { as: owner });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ code: 'ambiguous_credentials' });
  });
});
