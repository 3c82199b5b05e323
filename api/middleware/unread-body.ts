import { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../hono-env';

/**
 * An answer sent before the request body was read to its end (413, 415, 401, 404, 405 …) closes
 * the connection: `Connection: close`. Why: the unread rest of the body sits on the connection
 * ahead of the client's next request. @hono/node-server tries to drain it, but a body stream that
 * Hono opened and abandoned (the body limit does) holds the socket paused, and after 500 ms the
 * server drops the socket it had just answered as keep-alive, so a pooled client's next request
 * failed with "other side closed". Closing is right whatever the body's size; clients reconnect.
 */
export function closeAfterUnreadBody(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    await next();
    // Present when @hono/node-server serves the app; other hosts manage their own connections.
    const incoming: unknown = (c.env as { incoming?: unknown } | undefined)?.incoming;
    if (incoming instanceof IncomingMessage && hasBody(incoming) && !incoming.readableEnded) c.header('Connection', 'close');
  };
}

function hasBody(incoming: IncomingMessage): boolean {
  const length = incoming.headers['content-length'];
  return incoming.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
