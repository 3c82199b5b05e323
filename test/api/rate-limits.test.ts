import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/env';
import { startApi, TEST_ADMIN_TOKEN, type RunningApi } from '../support/api-server';
import type { TestCaller } from '../support/json-request';
import { orderBody } from '../support/order-body';
import { startTestStack, type TestStack } from '../support/test-stack';

/** Small limits, so a test reaches them in a few requests; per customer they stay as the harness sets them. */
const LIMITS: Partial<AppConfig> = {
  RATE_LIMIT_SUBMIT_ADDRESS_PER_MINUTE: 6,
  RATE_LIMIT_SUBMIT_ADDRESS_BURST: 3,
  RATE_LIMIT_LIST_ADDRESS_PER_MINUTE: 6,
  RATE_LIMIT_LIST_ADDRESS_BURST: 2,
};

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false });
});
afterAll(() => stack?.close());

/** A fresh API (fresh buckets) with the small limits and `settings`. */
async function withApi(settings: Partial<AppConfig>, test: (api: RunningApi) => Promise<void>): Promise<void> {
  const api = await startApi(stack, { config: { ...stack.config, ...LIMITS, ...settings } });
  try {
    await test(api);
  } finally {
    await api.close();
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET over a connection from `localAddress` (any 127.x.y.z works on Linux's loopback). */
function getFrom(api: RunningApi, path: string, localAddress: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const request = httpRequest(`${api.baseUrl}${path}`, { localAddress, agent: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** POST /orders through the client as `as`, with extra `headers` (X-Forwarded-For): the answer's status, headers and problem. */
async function submit(api: RunningApi, headers: Record<string, string> = {}, as: TestCaller = 'admin') {
  const body = typeof as === 'object' && 'customer' in as ? orderBody({ customerId: as.customer }) : orderBody();
  const { response, error } = await api.client(as).POST('/orders', { body, params: { header: {} }, headers });
  return { status: response.status, headers: response.headers, error };
}

describe('rate limits', () => {
  it('POST /orders: the burst passes, then 429 with Retry-After, RateLimit headers and an error body', async () => {
    await withApi({}, async (api) => {
      for (let i = 0; i < 3; i++) {
        const accepted = await submit(api);
        expect(accepted.status).toBe(202);
        expect(accepted.headers.get('ratelimit-policy')).toBe('"submit-address";q=6;w=60;burst=3');
        expect(accepted.headers.get('ratelimit')).toMatch(new RegExp(`^"submit-address";r=${2 - i};t=\\d+$`));
      }
      const refused = await submit(api);
      expect(refused.status).toBe(429);
      // One token every 10 s.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      expect(refused.headers.get('ratelimit')).toMatch(/^"submit-address";r=0;t=\d+$/);
      expect(refused.error).toMatchObject({ code: 'rate_limited', requestId: expect.any(String) });
      expect(refused.error?.detail).toContain('retry after');
      // Reading an order is not limited, and neither is the other limited route.
      expect((await api.client().GET('/orders')).response.status).toBe(200);
    });
  });

  it('a refused submission reads no body and starts nothing: a bad body is refused by the limit too', async () => {
    await withApi({}, async (api) => {
      // Raw: an empty body, which the client's types refuse.
      for (let i = 0; i < 3; i++) expect((await api.rawRequest('/orders', { method: 'POST', json: {} })).status).toBe(400);
      expect((await submit(api)).status).toBe(429);
    });
  });

  it('GET /orders is limited per client address: another address has its own bucket', async () => {
    await withApi({}, async (api) => {
      expect((await getFrom(api, '/orders', '127.0.0.1')).status).toBe(200);
      expect((await getFrom(api, '/orders', '127.0.0.1')).status).toBe(200);
      const refused = await getFrom(api, '/orders', '127.0.0.1');
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('10');
      expect((await getFrom(api, '/orders', '127.0.0.2')).status).toBe(200);
    });
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY_HOPS says a proxy sets it', async () => {
    await withApi({}, async (api) => {
      const spoofed = (n: number) => submit(api, { 'x-forwarded-for': `198.51.100.${n}` });
      expect([(await spoofed(1)).status, (await spoofed(2)).status, (await spoofed(3)).status]).toEqual([202, 202, 202]);
      expect((await spoofed(4)).status).toBe(429);
    });
    await withApi({ TRUST_PROXY_HOPS: 1 }, async (api) => {
      // Behind one proxy: the address it appended, whatever the client put before it.
      const from = (address: string) => submit(api, { 'x-forwarded-for': `10.9.9.9, ${address}` });
      for (let i = 0; i < 3; i++) expect((await from('203.0.113.5')).status).toBe(202);
      expect((await from('203.0.113.5')).status).toBe(429);
      expect((await from('203.0.113.6')).status).toBe(202);
    });
  });

  it('per customer: each customer has a bucket of their own, on one address; admins are not counted', async () => {
    const perCustomer = {
      RATE_LIMIT_SUBMIT_CUSTOMER_PER_MINUTE: 6,
      RATE_LIMIT_SUBMIT_CUSTOMER_BURST: 2,
      RATE_LIMIT_SUBMIT_ADDRESS_BURST: 100,
    };
    await withApi(perCustomer, async (api) => {
      const alice = { customer: `alice-${Date.now()}` };
      const bob = { customer: `bob-${Date.now()}` };
      expect([(await submit(api, {}, alice)).status, (await submit(api, {}, alice)).status]).toEqual([202, 202]);
      const refused = await submit(api, {}, alice);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('10');
      expect(refused.headers.get('ratelimit-policy')).toContain('"submit-customer";q=6;w=60;burst=2');
      expect(refused.error?.detail).toContain('from this customer');
      // The same address, another customer: a bucket of their own.
      expect((await submit(api, {}, bob)).status).toBe(202);
      // The operator is limited by address only.
      for (let i = 0; i < 3; i++) expect((await submit(api)).status).toBe(202);
    });
  });

  it('anonymous requests count against their address before they are refused', async () => {
    await withApi({}, async (api) => {
      for (let i = 0; i < 3; i++) expect((await submit(api, {}, 'anonymous')).status).toBe(401);
      expect((await submit(api, {}, 'anonymous')).status).toBe(429);
    });
  });

  it('0 a minute turns one limit off', async () => {
    await withApi({ RATE_LIMIT_LIST_ADDRESS_PER_MINUTE: 0 }, async (api) => {
      for (let i = 0; i < 5; i++) {
        const { response: listed } = await api.client().GET('/orders');
        expect(listed.status).toBe(200);
        expect(listed.headers.get('ratelimit-policy')).toBeNull();
      }
    });
  });
});
