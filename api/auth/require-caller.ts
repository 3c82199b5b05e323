import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from '../hono-env';
import type { Caller } from './caller';
import { unauthorized } from './unauthorized';

/**
 * Route guards, composed per route after the app-wide `authenticate`: it verifies what was sent,
 * these decide whether the route needs it. A route without one of them is public.
 */
export function requireCaller(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!c.get('caller')) throw unauthorized('this route needs a caller: send Authorization: Bearer <token>');
    await next();
  };
}

export function requireAdmin(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const caller = c.get('caller');
    if (!caller) throw unauthorized('this route needs an admin: send Authorization: Bearer <admin token>');
    if (caller.kind !== 'admin')
      throw new ApiError(403, 'forbidden', 'this route is for admins (a token whose roles claim contains admin, or the ADMIN_TOKEN)');
    await next();
  };
}

/** The caller of a route behind `requireCaller` or `requireAdmin`. */
export function callerOf(c: Context<ApiEnv>): Caller {
  const caller = c.get('caller');
  // Only reachable when a route forgot its guard: a bug, not a client error.
  if (!caller) throw new Error(`route ${c.req.method} ${c.req.path} reads its caller without requireCaller()`);
  return caller;
}
