import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { ApiEnv } from '../hono-env';

/**
 * Hono's security headers on every answer (nosniff, no framing, same-origin resource and opener
 * policies, no referrer, HSTS for when TLS terminates in front), with one Content-Security-Policy
 * for the JSON routes and /docs alike: Swagger UI loads its script, style and the OpenAPI
 * document from this server, runs no inline script (its init is /docs/init.js), connects
 * nowhere else; no inline style either (Swagger UI styles elements through the DOM, which the
 * policy allows). test/api/security-headers.test.ts renders /docs and fails on any violation.
 */
export function securityHeaders(): MiddlewareHandler<ApiEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}
