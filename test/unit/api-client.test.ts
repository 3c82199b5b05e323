import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../api/client/create-api-client';
import { CLIENT_TYPES_PATH, generateClientTypes } from '../../tools/client/generate-client';
import { FAKE_ADMIN_TOKEN, fakeApi } from '../support/fake-api';
import { orderBody } from '../support/order-body';

// The typed client (api/client/) against the document the app serves.

describe('the generated client', () => {
  it(`${CLIENT_TYPES_PATH} is what npm run client:generate makes of the served document (stale: run it)`, async () => {
    expect(await readFile(CLIENT_TYPES_PATH, 'utf8')).toBe(await generateClientTypes());
  });

  it('calls the API: typed answers, and errors as problem details', async () => {
    const api = fakeApi();
    const client = createApiClient({
      baseUrl: 'http://api.test',
      token: FAKE_ADMIN_TOKEN,
      fetch: async (request) => api.app.request(request),
    });
    const submitted = await client.POST('/orders', { body: orderBody(), params: { header: { 'idempotency-key': 'client-1' } } });
    expect(submitted.response.status).toBe(202);
    expect(submitted.data?.links.self).toBe(`/orders/${submitted.data?.orderId}`);

    const missing = await client.GET('/orders/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(missing.data).toBeUndefined();
    expect(missing.error).toMatchObject({ status: 404, code: 'order_not_found', instance: '/orders/00000000-0000-4000-8000-000000000000' });

    const anonymous = createApiClient({ baseUrl: 'http://api.test', fetch: async (request) => api.app.request(request) });
    const refused = await anonymous.GET('/admin/outbox');
    expect(refused.error).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
