import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { ApiEnv } from '../hono-env';
import { notFound } from '../errors';

// Served from the swagger-ui-dist package, not a CDN, so /docs works without internet access.
// A Map, not an object: a name like `constructor` or `__proto__` must not find an inherited property.
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);
const assetDir = (createRequire(import.meta.url)('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Saga orchestrator API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// A file, not an inline script: the Content-Security-Policy (api/middleware/security-headers.ts)
// allows scripts from this server only. No validator badge: it would fetch from validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null });\n`;

/** /docs: Swagger UI over /openapi.json. */
export function docsRoutes() {
  const cache = new Map<string, Buffer>();
  return new Hono<ApiEnv>()
    .get('/docs', (c) => c.html(PAGE))
    .get('/docs/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
    .get('/docs/assets/:file', async (c) => {
      const file = c.req.param('file');
      const type = ASSETS.get(file);
      if (!type) throw notFound('asset', file);
      let body = cache.get(file);
      if (!body) {
        body = await readFile(join(assetDir, file));
        cache.set(file, body);
      }
      return c.body(new Uint8Array(body), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
    });
}
