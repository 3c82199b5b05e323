import { fakeApi } from '../../test/support/fake-api';

/**
 * GET /openapi.json of the app built over the fast tier's in-memory stand-ins: the document every
 * API instance serves, since it comes from the route definitions alone, obtained without services.
 * Raw: the document is what the client is generated from, not one of its operations.
 */
export async function servedOpenApiDocument(): Promise<string> {
  const response = await fakeApi().rawRequest('/openapi.json', { as: 'anonymous' });
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}: ${await response.text()}`);
  return response.text();
}
