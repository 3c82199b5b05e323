import { describe, expect, it } from 'vitest';
import { useApiStack } from '../support/api-server';

// Raw: /docs/assets is no operation of the OpenAPI document, and the names probed are hostile on purpose.
const ctx = useApiStack({ worker: false, relay: false });

describe('/docs/assets/:file', () => {
  // Names an object's prototype has, and paths that try to leave the asset directory.
  const unknown = [
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    '..%2Fpackage.json',
    '%2E%2E%2Fpackage.json',
    'swagger-ui.css%00',
    'index.html',
  ];
  for (const name of unknown) {
    it(`404 JSON error for ${name}`, async () => {
      const response = await ctx.api.rawRequest(`/docs/assets/${name}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const body = (await response.json()) as { code: string; detail: string; requestId: string };
      expect(body).toMatchObject({ code: 'asset_not_found', requestId: expect.any(String) });
      expect(body.detail).toContain('no asset with id');
    });
  }

  it('still serves the two Swagger UI assets', async () => {
    for (const [asset, type] of [
      ['swagger-ui.css', 'text/css'],
      ['swagger-ui-bundle.js', 'text/javascript'],
    ] as const) {
      const response = await ctx.api.rawRequest(`/docs/assets/${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
  });
});
