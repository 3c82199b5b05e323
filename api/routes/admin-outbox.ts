import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { ApiError, notFound } from '../errors';
import { requireAdmin } from '../auth/require-caller';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, jsonContent, OutboxIdParamSchema, OutboxStatsSchema } from '../schemas';

const statsRoute = createRoute({
  method: 'get',
  path: '/admin/outbox',
  summary: 'Outbox counts: pending, published, dead, and the age of the oldest pending row (admin)',
  security: ADMIN_SECURITY,
  responses: { 200: jsonContent(OutboxStatsSchema, 'Counts'), ...errorResponses(401, 403) },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/outbox/{id}/retry',
  summary: 'Put a dead outbox row back in line for the relay (admin)',
  security: ADMIN_SECURITY,
  request: { params: OutboxIdParamSchema },
  responses: {
    200: jsonContent(OutboxStatsSchema, 'The row is pending again'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export function adminOutboxRoutes(deps: ApiDeps) {
  const { store } = deps;
  const app = createRouter();
  app.use('/admin/outbox', requireAdmin());
  app.use('/admin/outbox/*', requireAdmin());
  return app
    .openapi(statsRoute, async (c) => c.json(await store.outboxStats(), 200))
    .openapi(retryRoute, async (c) => {
      const { id } = c.req.valid('param');
      const retry = await store.retryDeadOutboxRow(id);
      if (!retry.revived) {
        if (retry.reason === 'not_found') throw notFound('outbox_row', id);
        throw new ApiError(409, 'outbox_row_not_dead', `outbox row ${id} is not dead; only dead rows can be retried`);
      }
      c.get('log').info({ messageId: id, orderId: retry.orderId, correlationId: retry.orderId }, 'dead outbox row put back');
      return c.json(await store.outboxStats(), 200);
    });
}
