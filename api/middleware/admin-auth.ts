import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from '../hono-env';

/** Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; anything else is a 401. */
export function adminAuth(token: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!isAdmin(c, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      throw new ApiError(401, 'unauthorized', 'admin routes need Authorization: Bearer <ADMIN_TOKEN>');
    }
    await next();
  };
}

/**
 * For routes open to anyone that tell an admin more: true with the right token, false with none,
 * and a 401 for a wrong one (a caller who sent a token meant to be an admin and should hear why not).
 */
export function isAdmin(c: Context<ApiEnv>, token: string): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
  if (!presented) return false;
  const given = Buffer.from(presented);
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    c.header('WWW-Authenticate', 'Bearer realm="admin"');
    throw new ApiError(401, 'unauthorized', 'the admin token is wrong');
  }
  return true;
}
