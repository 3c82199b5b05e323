import { describe, expect, it } from 'vitest';
import { submitOrder, useApiStack, waitForOrderStatus } from '../support/api-server';

const ctx = useApiStack();

const submit = async () => (await submitOrder(ctx.api)).orderId;
const order = (id: string) => ({ params: { path: { id } } });

/** Reads an SSE stream to its end and returns its messages. */
async function readStream(response: Response): Promise<{ id: string; event: string; data: { name: string } }[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim() ?? '';
      return { id: field('id'), event: field('event'), data: JSON.parse(field('data')) as { name: string } };
    });
}

describe('GET /orders/:id/events', () => {
  it("returns the order's events in commit order as JSON", async () => {
    const orderId = await submit();
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED');
    const { data, response } = await ctx.api.client().GET('/orders/{id}/events', order(orderId));
    expect(response.status).toBe(200);
    if (!data || typeof data === 'string') throw new Error(`no JSON events: ${JSON.stringify(data)}`);
    const { events } = data;
    expect(events.map((e) => e.name)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.charged',
      'shipment.created',
      'order.completed',
    ]);
    expect(events.every((e) => e.metadata.correlationId === orderId)).toBe(true);
  });

  it('streams them live with Accept: text/event-stream and ends when the order does', async () => {
    const orderId = await submit();
    // Opened at once: most events are committed after the stream starts. Raw: the SSE framing is the subject.
    const response = await ctx.api.rawRequest(`/orders/${orderId}/events`, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const messages = await readStream(response);
    expect(messages.map((m) => m.event)).toEqual([
      'order.submitted',
      'inventory.reserved',
      'payment.charged',
      'shipment.created',
      'order.completed',
    ]);
    expect(messages.every((m) => m.data.name === m.event && /^[0-9a-f-]{36}$/.test(m.id))).toBe(true);
  });

  it('404 for an unknown order', async () => {
    const unknown = await ctx.api.client().GET('/orders/{id}/events', order('00000000-0000-4000-8000-000000000000'));
    expect(unknown.response.status).toBe(404);
    expect(unknown.error).toMatchObject({ code: 'order_not_found' });
  });
});

describe('health', () => {
  it('/healthz is 200; /readyz is 200 when Temporal, Postgres and RabbitMQ answer', async () => {
    expect((await ctx.api.client().GET('/healthz')).data).toEqual({ status: 'ok' });
    const ready = await ctx.api.client().GET('/readyz');
    expect(ready.response.status).toBe(200);
    expect(ready.data).toMatchObject({ status: 'ready', down: [] });
  });
  // /readyz when a dependency is down, its caching and its broker connection: test/api/readiness.test.ts
});
