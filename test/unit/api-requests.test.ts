import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { problemOf } from '../support/problem';
import { fakeApi } from '../support/fake-api';
import { INVALID_ORDER_BODIES, orderBody } from '../support/order-body';

// The HTTP API through app.request() over fakes (test/support/fake-api.ts): what it answers
// before and around Temporal and Postgres. test/api/ runs the same app against the real services.
// Raw requests here send what the generated client cannot: invalid bodies, ids and filters, other
// content types, unknown routes and methods, a route table walked generically, /openapi.json and /docs.

describe('validation: 400 naming each invalid field, and nothing started', () => {
  it.each(INVALID_ORDER_BODIES)('POST /orders with %s', async (_what, body, paths) => {
    const api = fakeApi();
    const response = await api.rawRequest('/orders', { method: 'POST', json: body, headers: { 'idempotency-key': 'k-1' } });
    expect(response.status).toBe(400);
    const error = await problemOf(response);
    expect(error.code).toBe('validation_failed');
    expect(error.errors.map((field) => field.path)).toEqual(paths);
    expect(api.deps.sagas.started).toEqual([]);
    expect(api.deps.store.idempotencyKeys.size).toBe(0);
  });

  it('a path parameter and a query parameter are named too', async () => {
    const api = fakeApi();
    const badId = await api.rawRequest('/orders/not-a-uuid');
    expect(badId.status).toBe(400);
    expect((await problemOf(badId)).errors).toEqual([{ path: 'id', message: 'an order id is a UUID' }]);
    const badStatus = await api.rawRequest('/orders?status=SHIPPED&pageSize=500');
    expect(badStatus.status).toBe(400);
    expect((await problemOf(badStatus)).errors.map((field) => field.path).sort()).toEqual(['pageSize', 'status']);
    expect(api.deps.sagas.listed).toEqual([]);
  });

  it('malformed JSON is 400 malformed_json; another content type is 415; more than 64 KiB is 413', async () => {
    const api = fakeApi();
    const malformed = await api.rawRequest('/orders', {
      method: 'POST',
      body: '{"customerId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect([malformed.status, (await problemOf(malformed)).code]).toEqual([400, 'malformed_json']);
    const form = await api.rawRequest('/orders', {
      method: 'POST',
      body: 'customerId=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, (await problemOf(form)).code]).toEqual([415, 'unsupported_media_type']);
    const large = await api.rawRequest('/orders', { method: 'POST', json: orderBody({ customerId: 'x'.repeat(70 * 1024) }) });
    expect([large.status, (await problemOf(large)).code]).toEqual([413, 'payload_too_large']);
    expect(api.deps.sagas.started).toEqual([]);
  });
});

describe('routing', () => {
  it('404 for an unknown route; 405 with Allow for a known route and another method', async () => {
    const api = fakeApi();
    const unknown = await api.rawRequest('/nope');
    expect(unknown.status).toBe(404);
    expect(await problemOf(unknown)).toMatchObject({ code: 'route_not_found', detail: 'no route for GET /nope', instance: '/nope' });
    const wrongMethod = await api.rawRequest('/orders/00000000-0000-4000-8000-000000000000', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    expect((await problemOf(wrongMethod)).code).toBe('method_not_allowed');
  });

  it('every answer carries X-Request-Id: the client’s own, or a new one the error body repeats', async () => {
    const api = fakeApi();
    const { response: echoed } = await api.client().GET('/healthz', { headers: { 'x-request-id': 'client-chosen-id-1' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-chosen-id-1');
    const made = await api.rawRequest('/nope');
    expect((await problemOf(made)).requestId).toBe(made.headers.get('x-request-id'));
  });
});

describe('admin routes', () => {
  const adminRoutes: [string, string, unknown?][] = [
    ['PUT', '/admin/inventory/SKU-X', { onHand: 1, priceCents: 1 }],
    ['GET', '/admin/outbox'],
    ['POST', '/admin/outbox/00000000-0000-4000-8000-000000000000/retry'],
    ['GET', '/admin/sagas/stuck'],
    ['GET', '/admin/consumers'],
    ['POST', '/admin/consumers/notifications/stop'],
    ['GET', '/admin/dlq/notifications'],
    ['POST', '/orders/00000000-0000-4000-8000-000000000000/approve'],
    ['POST', '/orders/00000000-0000-4000-8000-000000000000/reject'],
  ];
  it.each(adminRoutes)('%s %s: 401 without the token and with a wrong one', async (method, path, json) => {
    const api = fakeApi();
    const none = await api.rawRequest(path, { method, json, as: 'anonymous' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="saga-orchestrator"');
    expect((await problemOf(none)).code).toBe('unauthorized');
    const wrong = await api.rawRequest(path, { method, json, headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
  });

  it('PUT /admin/inventory/:sku sets the SKU; 409 below what orders reserved; 400 naming bad fields', async () => {
    const api = fakeApi();
    const put = (body: { onHand: number; priceCents: number }) =>
      api.client().PUT('/admin/inventory/{sku}', { params: { path: { sku: 'SKU-ADMIN-1' } }, body });
    const created = await put({ onHand: 5, priceCents: 999 });
    expect(created.response.status).toBe(200);
    expect(created.data).toEqual({ sku: 'SKU-ADMIN-1', name: 'SKU-ADMIN-1', priceCents: 999, onHand: 5, reserved: 0 });
    api.deps.store.inventory.get('SKU-ADMIN-1')!.reserved = 4;
    const below = await put({ onHand: 3, priceCents: 999 });
    expect(below.response.status).toBe(409);
    expect(below.error).toMatchObject({ code: 'stock_below_reserved', errors: [{ path: 'onHand' }] });
    const bad = await api.rawRequest('/admin/inventory/SKU-ADMIN-1', { method: 'PUT', json: { onHand: -1 } });
    expect((await problemOf(bad)).errors.map((field) => field.path).sort()).toEqual(['onHand', 'priceCents']);
  });

  it('POST /admin/outbox/:id/retry: 200 with the counts for a dead row, 409 for a live one, 404 for none', async () => {
    const api = fakeApi();
    const dead = '11111111-1111-4111-8111-111111111111';
    const live = '22222222-2222-4222-8222-222222222222';
    api.deps.store.outbox.set(dead, { orderId: 'o-1', dead: true }).set(live, { orderId: 'o-2', dead: false });
    const retry = (id: string) => api.client().POST('/admin/outbox/{id}/retry', { params: { path: { id } } });
    const retried = await retry(dead);
    expect([retried.response.status, retried.data]).toEqual([200, { pending: 2, published: 0, dead: 0, oldestPendingAgeMs: 0 }]);
    const notDead = await retry(live);
    expect([notDead.response.status, notDead.error?.code]).toEqual([409, 'outbox_row_not_dead']);
    const missing = await retry('33333333-3333-4333-8333-333333333333');
    expect([missing.response.status, missing.error?.code]).toEqual([404, 'outbox_row_not_found']);
  });
});

describe('health and documents', () => {
  it('/readyz names what is down with 503, and the error only to an admin', async () => {
    const api = fakeApi({ down: ['rabbitmq'] });
    const anonymous = await api.client('anonymous').GET('/readyz');
    expect(anonymous.response.status).toBe(503);
    expect(anonymous.error).toEqual({ status: 'unavailable', down: ['rabbitmq'] });
    const admin = await api.client().GET('/readyz');
    expect(admin.error).toMatchObject({
      checks: { rabbitmq: { up: false, error: 'rabbitmq refused the probe' }, temporal: { up: true } },
    });
    expect((await fakeApi().client().GET('/readyz')).response.status).toBe(200);
  });

  it('/openapi.json is a valid OpenAPI 3.1 document of all 23 operations; /docs is Swagger UI over it', async () => {
    const api = fakeApi();
    const response = await api.rawRequest('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(Object.values(document.paths).flatMap((methods) => Object.keys(methods))).toHaveLength(23);
    const docs = await api.rawRequest('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<script src="/docs/init.js"></script>');
    expect(await (await api.rawRequest('/docs/init.js')).text()).toContain("url: '/openapi.json'");
  });
});
