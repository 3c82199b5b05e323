import fc from 'fast-check';
import { encodePageToken } from '../../saga-client/page-token';
import { MAX_BODY_BYTES } from '../../api/middleware/json-body';

/** One HTTP request the fuzzer sends, and what kind of input it is (shown when a property fails). */
export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Send the body as a stream (Transfer-Encoding: chunked), with no Content-Length. */
  chunked?: boolean;
  /** The one status this request must get, when the generator knows it. */
  expectStatus?: number;
}

const SKUS = ['SKU-RED-MUG', 'SKU-BLUE-TEE', 'SKU-DESK-LAMP'];

const NASTY_STRINGS = [
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  "' OR 1=1 --",
  '"; DROP TABLE orders; --',
  '<script>alert(1)</script>',
  '${7*7}',
  '%00',
  '\u0000',
  '\uD800',
  '𝕬𝖉𝖆 🙂 ﷽',
  'a'.repeat(5000),
  'order-00000000-0000-4000-8000-000000000000',
];

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 50 }),
);

/**
 * Who the fuzzer sends requests as: customers with valid tokens (minted once, before the run), the
 * operator's admin token, and a valid token to break in ways a client or attacker might.
 */
export interface FuzzCredentials {
  customers: { id: string; token: string }[];
  adminToken: string;
  /** Tokens the API must refuse although well-formed: alg none, expired, another audience, another secret. */
  refusedTokens: string[];
}

/** A body the API must accept: known SKUs, sane fields. Tokens and countries vary the saga paths. */
export const validOrderBody = (customerIds: readonly string[]) =>
  fc.record({
    customerId: fc.constantFrom(...customerIds),
    items: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 }),
    payment: fc.record({ token: fc.constantFrom('tok_visa', 'tok_chargeDeclined') }),
    shippingAddress: fc.record({
      name: fc.constantFrom('Ada Lovelace', 'Grace Hopper', 'Zoë Åkesson'),
      line1: fc.constant('1 Main St'),
      city: fc.constantFrom('Berlin', 'London', 'Kraków'),
      postalCode: fc.constantFrom('10115', 'SW1Y 4JH', '30-001'),
      country: fc.constantFrom('DE', 'GB', 'PL', 'AQ'),
    }),
  });

/**
 * A well-formed order near and past the limits of domain/order-limits.ts: quantities up to and
 * just over the per-SKU limit, the same SKU on many lines (merged before checking), up to 50
 * lines, the priciest demo SKU included. Some are accepted, most refused with a 400 naming items.
 */
export const largeOrderBody = (customerIds: readonly string[]) =>
  validOrderBody(customerIds).chain((body) =>
    fc
      .array(
        fc.record({
          sku: fc.constantFrom(...SKUS, 'SKU-ESPRESSO'),
          quantity: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(500, 999, 1000, 1001)),
        }),
        { minLength: 1, maxLength: 50 },
      )
      .map((items) => ({ ...body, items })),
  );

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const FIELD_PATHS = [
  ['customerId'],
  ['items'],
  ['items', 0],
  ['items', 0, 'sku'],
  ['items', 0, 'quantity'],
  ['payment'],
  ['payment', 'token'],
  ['shippingAddress'],
  ['shippingAddress', 'country'],
  ['shippingAddress', 'postalCode'],
] as const;

function setAt(body: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(body) as Record<string | number, Json>;
  let node: Record<string | number, Json> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** A valid body broken in one way: a field missing, of the wrong type, out of range, too big, or extra. */
const brokenOrderBody = (customerIds: readonly string[]) =>
  fc
    .tuple(
      validOrderBody(customerIds) as fc.Arbitrary<Json>,
      fc.constantFrom(...FIELD_PATHS),
      fc.oneof(
        fc.constant({ op: 'remove' as const }),
        fc.record({ op: fc.constant('replace' as const), value: fc.jsonValue() as fc.Arbitrary<Json> }),
        fc.record({ op: fc.constant('replace' as const), value: nastyString }),
        fc.record({
          op: fc.constant('replace' as const),
          value: fc.constantFrom<Json>(-1, 0, 1.5, Infinity, -0.0001, 1001, 'ZZ', 'de', 'Germany', 'SKU-NOPE', ''),
        }),
        fc.record({ op: fc.constant('replace' as const), value: fc.constant<Json>('x'.repeat(70 * 1024)) }),
        fc.record({
          op: fc.constant('replace' as const),
          value: fc.array(fc.constant<Json>({ sku: 'SKU-RED-MUG', quantity: 1 }), { minLength: 51, maxLength: 300 }),
        }),
        fc.record({
          op: fc.constant('extra' as const),
          key: fc.string({ minLength: 1, maxLength: 20 }),
          value: fc.jsonValue() as fc.Arbitrary<Json>,
        }),
      ),
    )
    .map(([body, path, change]) => {
      if (change.op === 'extra') return { ...(body as Record<string, Json>), [`x_${change.key}`]: change.value };
      return setAt(body, path, change.op === 'remove' ? undefined : change.value);
    });

const post = (kind: string, path: string, body: string, extra: Record<string, string> = {}): FuzzRequest => ({
  kind,
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json', ...extra },
  body,
});

/** Every byte percent-encoded: unlike encodeURIComponent, it takes lone surrogates too. */
const percentEncode = (value: string): string =>
  [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Header values travel as bytes: UTF-8 as Latin-1, without the control characters HTTP forbids there. */
const asHeaderValue = (value: string): string =>
  Buffer.from(value, 'utf8')
    .toString('latin1')
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');

const idLike = fc.oneof(fc.uuid(), nastyString.map(percentEncode), fc.constantFrom(...NASTY_STRINGS.slice(0, 4)));

/** The header a customer sends: the token of the body's customer when it names one of ours, else the first's. */
const bearerFor = (credentials: FuzzCredentials, body: unknown): Record<string, string> => {
  const named = typeof body === 'object' && body !== null ? (body as { customerId?: unknown }).customerId : undefined;
  const customer = credentials.customers.find((c) => c.id === named) ?? credentials.customers[0]!;
  return { authorization: `Bearer ${customer.token}` };
};

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A valid token with one character changed. The signature's last character is left alone: some of
 * its bits are padding, so changing it may not change the signature at all.
 */
const flippedToken = (tokens: readonly string[]) =>
  fc.tuple(fc.constantFrom(...tokens), fc.nat(), fc.integer({ min: 1, max: BASE64URL.length - 1 })).map(([token, at, shift]) => {
    const positions = [...token].flatMap((char, index) => (char === '.' || index === token.length - 1 ? [] : [index]));
    const index = positions[at % positions.length]!;
    const replaced = BASE64URL[(BASE64URL.indexOf(token[index]!) + shift) % BASE64URL.length]!;
    return `${token.slice(0, index)}${replaced}${token.slice(index + 1)}`;
  });

/** Authorization headers the API must refuse with a 401: garbage, broken tokens, tokens it must not trust. */
export const hostileAuthorization = (credentials: FuzzCredentials): fc.Arbitrary<string> => {
  const valid = credentials.customers.map((c) => c.token);
  const segment = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => Buffer.from(s).toString('base64url'));
  return fc.oneof(
    flippedToken(valid).map((token) => `Bearer ${token}`),
    fc.constantFrom(...credentials.refusedTokens).map((token) => `Bearer ${token}`),
    fc.tuple(segment, segment, segment).map((parts) => `Bearer ${parts.join('.')}`),
    nastyString.map((s) => `Bearer ${asHeaderValue(s)}`),
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${valid[0]} extra`,
      `Token ${valid[0]}`,
      'Bearer ..',
      'Bearer a.b.c',
    ),
  );
};

/** Every kind of request the fuzzer sends, mixed. Each POST /orders carries a fresh Idempotency-Key. */
export function fuzzRequest(credentials: FuzzCredentials): fc.Arbitrary<FuzzRequest> {
  const { adminToken } = credentials;
  const customerIds = credentials.customers.map((c) => c.id);
  const asCustomer = fc.constantFrom(...credentials.customers).map((c) => ({ authorization: `Bearer ${c.token}` }));
  const key = fc.uuid().map((id) => `fuzz-${id}`);
  return fc.oneof(
    {
      weight: 1,
      arbitrary: fc
        .tuple(validOrderBody(customerIds), key)
        .map(([b, k]) => post('valid order', '/orders', JSON.stringify(b), { 'idempotency-key': k, ...bearerFor(credentials, b) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(largeOrderBody(customerIds), key)
        .map(([b, k]) => post('large order', '/orders', JSON.stringify(b), { 'idempotency-key': k, ...bearerFor(credentials, b) })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(brokenOrderBody(customerIds), key)
        .map(([b, k]) => post('broken order', '/orders', JSON.stringify(b), { 'idempotency-key': k, ...bearerFor(credentials, b) })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          hostileAuthorization(credentials),
          fc.oneof<fc.Arbitrary<{ method: string; path: string; body?: string }>[]>(
            validOrderBody(customerIds).map((b) => ({ method: 'POST', path: '/orders', body: JSON.stringify(b) })),
            fc.constant({ method: 'GET', path: '/orders' }),
            fc.uuid().map((id) => ({ method: 'GET', path: `/orders/${id}` })),
            fc.uuid().map((id) => ({ method: 'GET', path: `/orders/${id}/events` })),
            fc.constant({ method: 'GET', path: '/admin/outbox' }),
          ),
          key,
        )
        .map(([authorization, route, k]): FuzzRequest => ({
          kind: 'hostile authorization',
          method: route.method,
          path: route.path,
          headers: { authorization, ...(route.body !== undefined ? { 'content-type': 'application/json', 'idempotency-key': k } : {}) },
          ...(route.body !== undefined ? { body: route.body } : {}),
          expectStatus: 401,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.constantFrom('{', '{"customerId":', '[]', 'null', '1', '"x"', '{"items":[{}]}'),
          ),
          key,
        )
        .map(([b, k]) => post('malformed json', '/orders', b, { 'idempotency-key': k, ...bearerFor(credentials, undefined) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          validOrderBody(customerIds),
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/jsonx',
          ),
          key,
        )
        .map(([b, type, k]) => ({
          kind: 'wrong content type',
          method: 'POST',
          path: '/orders',
          headers: { 'content-type': type, 'idempotency-key': k, ...bearerFor(credentials, b) },
          body: JSON.stringify(b),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('PUT', 'DELETE', 'PATCH'),
          fc.constantFrom(
            '/orders',
            '/orders/00000000-0000-4000-8000-000000000000',
            '/healthz',
            '/readyz',
            '/openapi.json',
            '/admin/outbox',
          ),
        )
        .map(([method, path]) => ({
          kind: 'wrong method',
          method,
          path,
          headers: {},
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(idLike, fc.constantFrom('', '/events', '/cancel', '/approve', '/reject'), asCustomer)
        .map(([id, suffix, authorization]) => ({
          kind: 'odd id',
          method: suffix === '' || suffix === '/events' ? 'GET' : 'POST',
          path: `/orders/${id}${suffix}`,
          headers: authorization,
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          status: fc.option(nastyString),
          customerId: fc.option(nastyString),
          pageSize: fc.option(fc.oneof(fc.integer(), nastyString)),
          pageToken: fc.option(nastyString),
        })
        .chain((query) => fc.tuple(fc.constant(query), fc.oneof(asCustomer, fc.constant({ authorization: `Bearer ${adminToken}` }))))
        .map(([query, authorization]) => {
          const params = new URLSearchParams();
          for (const [name, value] of Object.entries(query)) if (value !== null) params.set(name, String(value));
          return { kind: 'list query', method: 'GET', path: `/orders?${params.toString()}`, headers: authorization };
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constant(undefined),
            fc.constant(`Bearer ${adminToken}`),
            nastyString.map((s) => `Bearer ${asHeaderValue(s)}`),
            fc.constantFrom('Basic YWRtaW46YWRtaW4=', 'Bearer', 'bearer  ', adminToken),
          ),
          fc.oneof(
            fc.constant({ method: 'GET', path: '/admin/outbox' }),
            idLike.map((id) => ({ method: 'POST', path: `/admin/outbox/${id}/retry` })),
            fc
              .tuple(nastyString, fc.jsonValue())
              .map(([sku, body]) => ({ method: 'PUT', path: `/admin/inventory/${percentEncode(sku)}`, body: JSON.stringify(body) })),
          ),
        )
        .map(([authorization, route]) => ({
          kind: 'admin route',
          method: route.method,
          path: route.path,
          headers: {
            ...(authorization !== undefined ? { authorization } : {}),
            ...('body' in route ? { 'content-type': 'application/json' } : {}),
          },
          ...('body' in route ? { body: route.body } : {}),
        })),
    },
  );
}

/** A JSON body of about `bytes` bytes; built by repeat, not generated, so large ones cost nothing. */
const paddedJson = (bytes: number) => JSON.stringify({ padding: 'x'.repeat(bytes) });

/**
 * Requests the server answers at the edge: bodies it refuses before reading them (which must not
 * break the client's kept-alive connection), and page tokens it must refuse at once.
 */
export function edgeFuzzRequest(credentials: FuzzCredentials): fc.Arbitrary<FuzzRequest> {
  const { adminToken } = credentials;
  // A caller, so the body checks are reached (without one, the answer is a 401 before them).
  const customer = { authorization: `Bearer ${credentials.customers[0]!.token}` };
  const bodySize = fc.integer({ min: 1, max: 256 * 1024 });
  const overLimit = fc.integer({ min: MAX_BODY_BYTES + 1, max: 2 * 1024 * 1024 });
  const pageToken = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    // Well-formed for the API, so Temporal sees them: forged, or cut short.
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => encodePageToken(bytes, {})),
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat()).map(([bytes, cut]) => {
      const token = encodePageToken(bytes, {});
      return token.slice(0, cut % token.length);
    }),
    fc.constantFrom('', '=', '==', 'A', 'AA', 'AAAA', '-', '_'),
  );
  return fc.oneof(
    fc.tuple(overLimit, fc.boolean()).map(([bytes, chunked]): FuzzRequest => ({
      kind: chunked ? 'oversized chunked body' : 'oversized body',
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': `fuzz-oversized-${bytes}`, ...customer },
      body: paddedJson(bytes),
      chunked,
      expectStatus: 413,
    })),
    fc
      .tuple(
        fc.constantFrom<Omit<FuzzRequest, 'kind'>>(
          {
            method: 'POST',
            path: '/orders',
            headers: { 'content-type': 'text/plain', 'idempotency-key': 'fuzz-edge-415', ...customer },
            expectStatus: 415,
          },
          {
            method: 'PUT',
            path: '/admin/inventory/SKU-FUZZ',
            headers: { 'content-type': 'application/json', authorization: `Bearer x${adminToken}` },
            expectStatus: 401,
          },
          { method: 'PUT', path: '/admin/inventory/SKU-FUZZ', headers: { 'content-type': 'application/json' }, expectStatus: 401 },
          { method: 'POST', path: '/no-such-route', headers: { 'content-type': 'application/json' }, expectStatus: 404 },
          { method: 'PUT', path: '/orders', headers: { 'content-type': 'application/json' }, expectStatus: 405 },
        ),
        bodySize,
      )
      .map(([request, bytes]): FuzzRequest => ({ kind: 'early answer with a body', ...request, body: paddedJson(bytes) })),
    fc.tuple(pageToken, fc.option(fc.constantFrom('RUNNING', 'COMPLETED'))).map(([token, status]): FuzzRequest => ({
      kind: 'bad page token',
      method: 'GET',
      path: `/orders?${new URLSearchParams({ pageToken: token, ...(status ? { status } : {}) }).toString()}`,
      headers: customer,
      expectStatus: 400,
    })),
  );
}
