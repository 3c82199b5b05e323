import type { AppConfig } from '../../config/env';
import { mintToken } from '../../api/auth/mint-token';

/**
 * Who a test request comes from: the operator's admin token (the default, for tests about the
 * saga rather than access), a customer (a token whose subject is that id), a token the test made
 * (a provider's JWT, an admin-role JWT), or nobody.
 */
export type TestCaller = 'admin' | 'anonymous' | { customer: string } | { token: string };

/**
 * A raw request to the API (`rawRequest`): `json` is sent as the JSON body, `as` picks the credentials.
 * Only for what the generated client cannot or should not send: malformed or hostile input, routes the
 * OpenAPI document does not list, the wire format itself (SSE framing, exact headers).
 */
export type JsonRequestInit = RequestInit & { json?: unknown; as?: TestCaller };

export interface TestCredentials {
  adminToken: string;
  config: Pick<AppConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>;
}

export async function jsonRequest(
  { json, as = 'admin', headers, ...init }: JsonRequestInit,
  credentials: TestCredentials,
): Promise<RequestInit> {
  const allHeaders = new Headers(headers);
  if (json !== undefined && !allHeaders.has('content-type')) allHeaders.set('content-type', 'application/json');
  if (!allHeaders.has('authorization') && as !== 'anonymous') {
    const token =
      as === 'admin' ? credentials.adminToken : 'token' in as ? as.token : await mintToken(credentials.config, { sub: as.customer });
    allHeaders.set('authorization', `Bearer ${token}`);
  }
  return { ...init, headers: allHeaders, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) };
}

/**
 * A fetch for the generated client (api/client/) that sends `as`'s credentials the way
 * jsonRequest does, over `send` (the global fetch, or a fast test's app.request).
 */
export function callerFetch(
  send: (request: Request) => Promise<Response>,
  as: TestCaller,
  credentials: TestCredentials,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const { headers } = await jsonRequest({ as, headers: request.headers }, credentials);
    return send(new Request(request, { headers }));
  };
}
