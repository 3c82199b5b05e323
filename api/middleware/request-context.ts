import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../../logging/logger';
import type { ApiEnv } from '../hono-env';

/**
 * X-Request-Id on every response (the client's own when it sent a sane one), and one log line
 * per request carrying it, with the order id once a handler has set it on the logger.
 */
export function requestContext(log: Logger): MiddlewareHandler<ApiEnv>[] {
  return [
    requestId({ headerName: 'X-Request-Id' }),
    async (c, next) => {
      const started = performance.now();
      c.set('log', log.child({ requestId: c.get('requestId') }));
      await next();
      c.get('log').info(
        { method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Math.round(performance.now() - started) },
        'request',
      );
    },
  ];
}
