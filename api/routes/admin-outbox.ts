import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { ApiError, notFound } from '../errors';
import { requireAdmin } from '../auth/require-caller';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter } from '../router';
import { jsonContent, OutboxIdParamSchema, OutboxStatsSchema } from '../schemas';

const statsRoute = createRoute({
  method: 'get',
  path: '/admin/outbox',
  security: ADMIN_SECURITY,
  ...operation({
    operationId: 'getOutboxStats',
    tag: 'outbox',
    summary: 'Outbox counts: pending, published, dead, and the age of the oldest pending row (admin)',
    errors: { 403: 'forbidden: the caller is not an admin' },
    responses: { 200: jsonContent(OutboxStatsSchema, 'Counts') },
  }),
});

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/outbox/{id}/retry',
  security: ADMIN_SECURITY,
  request: { params: OutboxIdParamSchema },
  ...operation({
    operationId: 'retryOutboxRow',
    tag: 'outbox',
    summary: 'Put a dead outbox row back in line for the relay (admin)',
    errors: {
      400: 'validation_failed: the id is not a UUID',
      403: 'forbidden: the caller is not an admin',
      404: 'outbox_row_not_found: no such outbox row',
      409: 'outbox_row_not_dead: the row is not dead; only dead rows can be retried',
    },
    responses: { 200: jsonContent(OutboxStatsSchema, 'The row is pending again') },
  }),
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
