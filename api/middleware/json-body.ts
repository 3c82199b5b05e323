import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors';
import type { ApiEnv } from '../hono-env';

export const MAX_BODY_BYTES = 64 * 1024;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Request bodies are JSON and at most 64 KiB: 415 for another content type (an empty body is
 * fine where the route allows one), 413 above the limit, before anything parses the body.
 */
export function jsonBody(): MiddlewareHandler<ApiEnv>[] {
  return [
    async (c, next) => {
      if (METHODS_WITH_BODY.has(c.req.method)) {
        const type = c.req.header('content-type');
        const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
        if ((type !== undefined || hasBody) && !/^application\/(.+\+)?json\s*(;|$)/i.test(type ?? '')) {
          throw new ApiError(415, 'unsupported_media_type', `send the body as application/json, not ${type ?? 'without a Content-Type'}`);
        }
      }
      await next();
    },
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  ];
}
