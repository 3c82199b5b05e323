import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from '../hono-env';
import { KeySetUnavailableError } from './jwks-key-set';
import { TokenRejectedError } from './token-claims';
import type { TokenVerifier } from './token-verifier';
import { unauthorized } from './unauthorized';

/**
 * App-wide: turns `Authorization: Bearer …` into `c.get('caller')`. The operator's ADMIN_TOKEN is
 * an admin; anything else must be a JWT the verifier accepts. No header leaves the caller unset
 * (the route's guard decides: see require-caller.ts); a header that does not verify is a 401 on
 * every route, public ones included, so a client learns at once that its credentials are wrong.
 */
export function authenticate(verifyToken: TokenVerifier, adminToken: string): MiddlewareHandler<ApiEnv> {
  const adminTokenBytes = Buffer.from(adminToken);
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) return next();
    const token = /^Bearer +([^ ]+) *$/i.exec(header)?.[1];
    if (!token) throw unauthorized('the Authorization header must be "Bearer <token>"', 'invalid_token');
    if (isAdminToken(token, adminTokenBytes)) {
      c.set('caller', { kind: 'admin', subject: 'operator', via: 'admin-token' });
      return next();
    }
    try {
      c.set('caller', await verifyToken(token));
    } catch (error) {
      if (error instanceof TokenRejectedError) throw unauthorized(error.message, 'invalid_token');
      if (error instanceof KeySetUnavailableError) {
        c.get('log').error({ err: error }, 'cannot verify tokens: the identity provider key set is unavailable');
        throw new ApiError(503, 'auth_unavailable', 'tokens cannot be verified right now; retry shortly', [], { 'Retry-After': '5' });
      }
      throw error;
    }
    await next();
  };
}

function isAdminToken(token: string, adminToken: Buffer): boolean {
  const given = Buffer.from(token);
  return given.length === adminToken.length && timingSafeEqual(given, adminToken);
}
