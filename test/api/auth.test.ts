import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, submitOrder, TEST_ADMIN_TOKEN, useApiStack, waitForOrderStatus, type RunningApi } from '../support/api-server';
import { claimsFor, nowSeconds, rawToken, signHs256, signingKey, startJwksServer, type JwksServer } from '../support/forged-tokens';
import type { TestCaller } from '../support/json-request';
import { orderBody } from '../support/order-body';

// Raw requests here send forged or malformed tokens and Authorization headers, and walk /openapi.json
// generically; everything a valid caller sends goes through the generated client.

const ctx = useApiStack();

const ALICE = 'auth0|alice-0001';
const BOB = 'google-oauth2|bob-0002';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const order = (id: string) => ({ params: { path: { id } } });

/** An answer as a client compares it: status, and the body with the order id and request id taken out. */
function shapeOf({ response, data, error }: { response: Response; data?: unknown; error?: unknown }, orderId: string) {
  const body = { ...(data ?? error ?? {}) } as { requestId?: string; instance?: string };
  delete body.requestId;
  delete body.instance;
  return { status: response.status, body: JSON.stringify(body).replaceAll(orderId, '<id>') };
}

/** The same shape, of a raw response. */
async function rawShapeOf(response: Response, orderId: string) {
  return shapeOf({ response, data: await response.json() }, orderId);
}

describe("a customer never sees another customer's order", () => {
  let orderId: string;
  beforeAll(async () => {
    orderId = (await submitOrder(ctx.api, orderBody({ customerId: undefined }), { customer: ALICE })).orderId;
  });

  type Answer = { response: Response; data?: unknown; error?: unknown };
  const requests: [string, (as: TestCaller, id: string) => Promise<Answer>][] = [
    ['GET /orders/{id}', (as, id) => ctx.api.client(as).GET('/orders/{id}', order(id))],
    ['GET /orders/{id}/events', (as, id) => ctx.api.client(as).GET('/orders/{id}/events', order(id))],
    [
      'POST /orders/{id}/cancel',
      (as, id) => ctx.api.client(as).POST('/orders/{id}/cancel', { ...order(id), body: { reason: 'mine now' } }),
    ],
  ];

  for (const [name, request] of requests) {
    it(`${name}: a stranger gets exactly the 404 of an unknown order; the owner and an admin get the order`, async () => {
      const stranger = await request({ customer: BOB }, orderId);
      const unknownId = randomUUID();
      const unknown = await request({ customer: BOB }, unknownId);
      expect(shapeOf(stranger, orderId)).toEqual(shapeOf(unknown, unknownId));
      expect(stranger.response.status).toBe(404);
      if (name === 'POST /orders/{id}/cancel') return; // the owner's cancel is another test's subject
      expect((await request({ customer: ALICE }, orderId)).response.status).toBe(200);
      expect((await request('admin', orderId)).response.status).toBe(200);
    });
  }

  it('GET /orders/{id}/events as an event stream: a stranger gets the 404 of an unknown order, before any stream opens', async () => {
    // Raw: the event-stream content negotiation is the subject.
    const accept = { accept: 'text/event-stream' };
    const stranger = await ctx.api.rawRequest(`/orders/${orderId}/events`, { headers: accept, as: { customer: BOB } });
    const unknownId = randomUUID();
    const unknown = await ctx.api.rawRequest(`/orders/${unknownId}/events`, { headers: accept, as: { customer: BOB } });
    expect(stranger.headers.get('content-type')).toBe('application/problem+json');
    expect(await rawShapeOf(stranger, orderId)).toEqual(await rawShapeOf(unknown, unknownId));
    expect(stranger.status).toBe(404);
  });

  it("the stranger's cancel changed nothing: the order goes on to complete", async () => {
    expect(await waitForOrderStatus(ctx.api, orderId, 'COMPLETED')).toMatchObject({ customerId: ALICE, failure: null });
  });

  it("GET /orders lists only the caller's own orders; naming another customer is a 403", async () => {
    const listed = async (as: { customer: string }) => {
      const { data, response } = await ctx.api.client(as).GET('/orders', { params: { query: { pageSize: 100 } } });
      expect(response.status).toBe(200);
      return data!.orders;
    };
    // Visibility is eventually consistent: wait until Alice sees her order.
    const deadline = Date.now() + 10_000;
    let mine = await listed({ customer: ALICE });
    while (!mine.some((order) => order.orderId === orderId) && Date.now() < deadline) mine = await listed({ customer: ALICE });
    expect(mine.map((order) => order.orderId)).toContain(orderId);
    expect(new Set(mine.map((order) => order.customerId))).toEqual(new Set([ALICE]));
    expect((await listed({ customer: BOB })).map((order) => order.orderId)).not.toContain(orderId);

    const other = await ctx.api.client({ customer: BOB }).GET('/orders', { params: { query: { customerId: ALICE } } });
    expect(other.response.status).toBe(403);
    const own = await ctx.api.client({ customer: BOB }).GET('/orders', { params: { query: { customerId: BOB } } });
    expect(own.response.status).toBe(200);
  });

  it("a body naming another customer than the token's subject is a 403; naming oneself is fine", async () => {
    const bob = ctx.api.client({ customer: BOB });
    const other = await bob.POST('/orders', { body: orderBody({ customerId: ALICE }), params: { header: {} } });
    expect(other.response.status).toBe(403);
    expect(other.error).toMatchObject({ code: 'customer_mismatch', errors: [{ path: 'customerId' }] });
    const self = await bob.POST('/orders', { body: orderBody({ customerId: BOB }), params: { header: {} } });
    expect(self.response.status).toBe(202);
  });
});

describe('tokens the API refuses: 401 with WWW-Authenticate, the token never echoed', () => {
  const settings = () => ctx.api.deps.config;
  const secret = () => settings().JWT_SECRET!;
  const skew = () => settings().JWT_CLOCK_SKEW_SECONDS;

  const cases: [string, () => Promise<string> | string][] = [
    ['a forged signature (another secret)', () => signHs256('another-secret-0123456789-0123456789-xyz', claimsFor(settings(), ALICE))],
    [
      'a flipped signature byte',
      async () => {
        const token = await signHs256(secret(), claimsFor(settings(), ALICE));
        const last = token.at(-2) === 'A' ? 'B' : 'A';
        return `${token.slice(0, -2)}${last}${token.at(-1)}`;
      },
    ],
    ['an expired token (beyond the skew)', () => signHs256(secret(), claimsFor(settings(), ALICE, { exp: nowSeconds() - skew() - 60 }))],
    ['nbf in the future beyond the skew', () => signHs256(secret(), claimsFor(settings(), ALICE, { nbf: nowSeconds() + skew() + 60 }))],
    ['iat in the future beyond the skew', () => signHs256(secret(), claimsFor(settings(), ALICE, { iat: nowSeconds() + skew() + 60 }))],
    ['the wrong audience', () => signHs256(secret(), claimsFor(settings(), ALICE, { aud: 'some-other-api' }))],
    ['no audience', () => signHs256(secret(), claimsFor(settings(), ALICE, { aud: undefined }))],
    ['the wrong issuer', () => signHs256(secret(), claimsFor(settings(), ALICE, { iss: 'https://evil.example/' }))],
    ['no exp', () => signHs256(secret(), claimsFor(settings(), ALICE, { exp: undefined }))],
    ['a subject that is not a customer id', () => signHs256(secret(), claimsFor(settings(), ALICE, { sub: 'alice/../bob' }))],
    ['no subject', () => signHs256(secret(), claimsFor(settings(), ALICE, { sub: undefined }))],
    ['alg: none', () => rawToken({ alg: 'none', typ: 'JWT' }, claimsFor(settings(), ALICE))],
    ['alg: none with a signature', () => rawToken({ alg: 'none', typ: 'JWT' }, claimsFor(settings(), ALICE), 'c2lnbmF0dXJl')],
    ['RS256 on a stack without a JWKS', () => rawToken({ alg: 'RS256', typ: 'JWT', kid: 'k' }, claimsFor(settings(), ALICE), 'c2ln')],
    [
      'an alg with a line break (it must not reach a header)',
      () => rawToken({ alg: 'RS256\r\nSet-Cookie: a=b', typ: 'JWT' }, claimsFor(settings(), ALICE), 'c2ln'),
    ],
    ['a null payload', () => rawToken({ alg: 'HS256', typ: 'JWT' }, null, 'c2ln')],
    ['a null header', () => rawToken(null, claimsFor(settings(), ALICE), 'c2ln')],
    ['an array payload', () => rawToken({ alg: 'HS256', typ: 'JWT' }, [1, 2], 'c2ln')],
    ['not a JWT at all', () => 'not-a-jwt'],
    ['three dots of garbage', () => '%%%.###.!!!'],
  ];

  for (const [what, make] of cases) {
    it(what, async () => {
      const token = await make();
      const response = await ctx.api.rawRequest('/orders', { headers: bearer(token) });
      const text = await response.text();
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+"$/);
      expect(JSON.parse(text)).toMatchObject({ code: 'unauthorized' });
      for (const piece of token.split('.').filter((p) => p.length > 3)) {
        expect(text).not.toContain(piece);
        expect(challenge).not.toContain(piece);
      }
    });
  }

  for (const header of ['Basic YWxpY2U6c2VjcmV0', 'Bearer', 'Bearer a b', 'Token abc', '']) {
    it(`Authorization: ${JSON.stringify(header)}`, async () => {
      const response = await ctx.api.rawRequest('/orders', { headers: { authorization: header } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
    });
  }

  it('no credentials: 401 with a plain challenge', async () => {
    const { response } = await ctx.api.client('anonymous').GET('/orders');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
  });

  it('expired, but within the clock skew: accepted', async () => {
    const token = await signHs256(secret(), claimsFor(settings(), ALICE, { exp: nowSeconds() - Math.floor(skew() / 2) }));
    expect((await ctx.api.client({ token }).GET('/orders')).response.status).toBe(200);
  });

  it('nbf a little ahead, within the clock skew: accepted', async () => {
    const token = await signHs256(secret(), claimsFor(settings(), ALICE, { nbf: nowSeconds() + Math.floor(skew() / 2) }));
    expect((await ctx.api.client({ token }).GET('/orders')).response.status).toBe(200);
  });
});

describe('admins', () => {
  it('a token whose roles claim contains admin is an admin; a customer token is a 403 on admin routes; ADMIN_TOKEN still works', async () => {
    const config = ctx.api.deps.config;
    const adminJwt = await signHs256(config.JWT_SECRET!, claimsFor(config, 'ops-person', { roles: ['support', 'admin'] }));
    const outboxAs = async (as: TestCaller) => (await ctx.api.client(as).GET('/admin/outbox')).response.status;
    expect(await outboxAs({ token: adminJwt })).toBe(200);
    expect(await outboxAs({ token: TEST_ADMIN_TOKEN })).toBe(200);
    expect(await outboxAs({ customer: ALICE })).toBe(403);
    const notAdmin = await signHs256(config.JWT_SECRET!, claimsFor(config, 'ops-person', { roles: ['administrator'] }));
    expect(await outboxAs({ token: notAdmin })).toBe(403);
  });

  it("review decisions stay admin-only, even for the order's own customer", async () => {
    const { orderId } = await submitOrder(ctx.api, orderBody({ customerId: undefined }), { customer: ALICE });
    for (const decision of ['/orders/{id}/approve', '/orders/{id}/reject'] as const) {
      const { response } = await ctx.api.client({ customer: ALICE }).POST(decision, { ...order(orderId), body: {} });
      expect(response.status).toBe(403);
    }
  });
});

describe('tokens from an identity provider (JWKS, RS256 and ES256)', () => {
  const rsa = signingKey('RS256', 'rsa-1');
  const ec = signingKey('ES256', 'ec-1');
  let jwks: JwksServer;
  let api: RunningApi;
  beforeAll(async () => {
    jwks = await startJwksServer([rsa.publicJwk, ec.publicJwk]);
    api = await startApi(ctx.stack, { config: { ...ctx.stack.config, JWT_JWKS_URL: jwks.url, JWT_JWKS_MIN_REFRESH_MS: 1000 } });
  });
  afterAll(async () => {
    await api?.close();
    await jwks?.close();
  });
  const claims = (sub: string, overrides: Record<string, unknown> = {}) => claimsFor(api.deps.config, sub, overrides);

  it('verifies both, fetching the key set once for many requests', async () => {
    const tokens = [await rsa.sign(claims(ALICE)), await ec.sign(claims(BOB))];
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { response } = await api.client({ token: tokens[i % 2]! }).GET('/orders', { params: { query: { pageSize: 1 } } });
        return response.status;
      }),
    );
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect(jwks.fetches).toBe(1);
  });

  it('refuses what the provider did not sign, or signed for someone else', async () => {
    const stranger = signingKey('RS256', 'rsa-1'); // the same kid, another key
    for (const token of [
      await stranger.sign(claims(ALICE)),
      await rsa.sign(claims(ALICE, { aud: 'another-api' })),
      await ec.sign(claims(ALICE, { exp: nowSeconds() - 3600 })),
      rawToken({ alg: 'none', typ: 'JWT', kid: 'rsa-1' }, claims(ALICE)),
      rawToken({ alg: 'ES256', typ: 'JWT', kid: 'rsa-1' }, claims(ALICE), 'c2ln'),
    ]) {
      const response = await api.rawRequest('/orders', { headers: bearer(token) });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    }
  });

  it('a rotated key (an unknown kid) refetches the key set once; unknown kids do not make it hammer the provider', async () => {
    const rotated = signingKey('ES256', 'ec-2');
    jwks.keys = [...jwks.keys, rotated.publicJwk];
    await new Promise((resolve) => setTimeout(resolve, 1100)); // JWT_JWKS_MIN_REFRESH_MS
    const before = jwks.fetches;
    const rotatedCaller = api.client({ token: await rotated.sign(claims(ALICE)) });
    expect((await rotatedCaller.GET('/orders', { params: { query: { pageSize: 1 } } })).response.status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
    for (let i = 0; i < 10; i++) {
      const unknown = signingKey('ES256', `ec-unknown-${i}`);
      expect((await api.rawRequest('/orders', { headers: bearer(await unknown.sign(claims(ALICE))) })).status).toBe(401);
    }
    expect(jwks.fetches).toBe(before + 1);
  });

  it('the HS256 secret and the ADMIN_TOKEN keep working beside the JWKS', async () => {
    expect((await api.client({ customer: ALICE }).GET('/orders', { params: { query: { pageSize: 1 } } })).response.status).toBe(200);
    expect((await api.client().GET('/admin/outbox')).response.status).toBe(200);
  });

  it('the provider down before any key was fetched: 503 auth_unavailable with Retry-After, not a 401', async () => {
    const down = await startJwksServer([rsa.publicJwk]);
    down.down = true;
    const cold = await startApi(ctx.stack, { config: { ...ctx.stack.config, JWT_JWKS_URL: down.url } });
    try {
      const { response, error } = await cold.client({ token: await rsa.sign(claims(ALICE)) }).GET('/orders');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(error).toMatchObject({ code: 'auth_unavailable' });
    } finally {
      await cold.close();
      await down.close();
    }
  });
});

describe('/openapi.json and what the API asks of callers', () => {
  const PUBLIC = new Set(['GET /healthz', 'GET /readyz']);

  it('every operation but the public ones declares security, lists 401, and answers 401 without credentials', async () => {
    // Raw: every operation the document lists, walked generically, with an empty body.
    const document = (await (await ctx.api.rawRequest('/openapi.json', { as: 'anonymous' })).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['adminToken', 'customerToken', 'streamTicket']);
    const walked: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        walked.push(name);
        const concrete = path.replace(/\{[^}]+\}/g, (param) => (param === '{id}' ? randomUUID() : 'x'));
        const init = method === 'get' ? {} : { method: method.toUpperCase(), json: {} };
        const response = await ctx.api.rawRequest(concrete, { ...init, as: 'anonymous' });
        const isPublic =
          operation.security === undefined ||
          operation.security.length === 0 ||
          operation.security.some((s) => Object.keys(s).length === 0);
        expect(isPublic, `${name} is public in the document`).toBe(PUBLIC.has(name));
        if (PUBLIC.has(name)) {
          expect(response.status, name).not.toBe(401);
          continue;
        }
        expect(response.status, name).toBe(401);
        expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer /);
        expect(Object.keys(operation.responses), name).toContain('401');
      }
    }
    expect(walked.length).toBeGreaterThan(10);
    for (const path of ['/openapi.json', '/docs']) expect((await ctx.api.rawRequest(path, { as: 'anonymous' })).status).toBe(200);
  });
});
