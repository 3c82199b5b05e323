import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi';

/** A typed client of the HTTP API: `client.GET('/orders/{id}', { params: { path: { id } } })`. */
export type ApiClient = Client<paths>;

/** Every error the API answers (RFC 9457 problem details). */
export type Problem = components['schemas']['Problem'];

export interface ApiClientOptions {
  /** Where the API listens, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** A customer's JWT or the operator's admin token, sent as `Authorization: Bearer …`; a request may send its own. */
  token?: string;
  /** In place of the global fetch: another transport, a test's `app.request`, or one that spreads requests over instances. */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * The client generated from the API's OpenAPI document (`api/client/openapi.ts`, by
 * `npm run client:generate`) over openapi-fetch: paths, parameters, bodies and answers are typed,
 * errors included (`error` is a Problem).
 */
export function createApiClient({ baseUrl, token, fetch }: ApiClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl,
    ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
    ...(fetch === undefined ? {} : { fetch }),
  });
}
