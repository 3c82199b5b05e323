import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiEnv } from './hono-env';
import { validationHook } from './errors';

/** Every route group is an OpenAPIHono with the shared validation hook, so errors look alike. */
export const createRouter = (): OpenAPIHono<ApiEnv> => new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

/** From here on, this request's log lines carry the order it is about. */
export function logOrder(c: Context<ApiEnv>, orderId: string): void {
  c.set('log', c.get('log').child({ orderId, correlationId: orderId }));
}

/** Admin routes: the ADMIN_TOKEN, or a customer token whose roles claim contains admin. */
export const ADMIN_SECURITY: Record<string, string[]>[] = [{ adminToken: [] }, { customerToken: [] }];

/** Every route that is not a health check or a document: a customer token or an admin credential. */
export const CALLER_SECURITY: Record<string, string[]>[] = [{ customerToken: [] }, { adminToken: [] }];
