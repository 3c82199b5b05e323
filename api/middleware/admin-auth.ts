import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from '../env';

/** Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; anything else is a 401. */
export function adminAuth(token: string): MiddlewareHandler<ApiEnv> {
  const expected = Buffer.from(token);
  return async (c, next) => {
    const presented = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const given = Buffer.from(presented ?? '');
    if (!presented || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      throw new ApiError(401, 'unauthorized', presented ? 'the admin token is wrong' : 'admin routes need Authorization: Bearer <ADMIN_TOKEN>');
    }
    await next();
  };
}
