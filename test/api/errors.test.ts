import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { idempotencyKeys, orders } from '../../drizzle/schema';
import { useApiStack } from '../support/api-server';
import { INVALID_ORDER_BODIES, orderBody } from '../support/order-body';

// Raw: malformed, oversized and mistyped bodies, unknown routes and methods: what the generated client cannot send.
const ctx = useApiStack({ relay: false });

interface ProblemJson {
  code: string;
  detail: string;
  errors: { path: string; message: string }[];
}

async function rowsWritten() {
  const [o] = await ctx.stack.db.db.select({ n: count() }).from(orders);
  const [k] = await ctx.stack.db.db.select({ n: count() }).from(idempotencyKeys);
  return o!.n + k!.n;
}

describe('bad requests get problem details naming the problem, and start nothing', () => {
  it.each(INVALID_ORDER_BODIES)('400 for %s', async (_what, body, paths) => {
    const before = await rowsWritten();
    const response = await ctx.api.rawRequest('/orders', {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': `bad-${Math.random()}` },
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as ProblemJson;
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((d) => d.path)).toEqual(paths);
    expect(await rowsWritten()).toBe(before);
  });

  it('400 for malformed JSON', async () => {
    const response = await ctx.api.rawRequest('/orders', {
      method: 'POST',
      body: '{"customerId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'malformed_json' });
  });

  it('415 for a body that is not JSON', async () => {
    const response = await ctx.api.rawRequest('/orders', {
      method: 'POST',
      body: 'customerId=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('413 above 64 KiB, without reading it all', async () => {
    const before = await rowsWritten();
    const response = await ctx.api.rawRequest('/orders', { method: 'POST', json: orderBody({ customerId: 'x'.repeat(70 * 1024) }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
    expect(await rowsWritten()).toBe(before);
  });

  it('404 for an unknown route, 405 with Allow for a known route and another method', async () => {
    const unknown = await ctx.api.rawRequest('/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'route_not_found' });
    const wrongMethod = await ctx.api.rawRequest('/orders/00000000-0000-4000-8000-000000000000', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    expect(await wrongMethod.json()).toMatchObject({ code: 'method_not_allowed' });
  });
});

describe('X-Request-Id', () => {
  it('echoes the client id and makes one up otherwise, on errors too', async () => {
    const { response: echoed } = await ctx.api.client().GET('/healthz', { headers: { 'x-request-id': 'client-chosen-id-1' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-chosen-id-1');
    const made = await ctx.api.rawRequest('/nope');
    const id = made.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await made.json()).toMatchObject({ requestId: id });
  });
});
