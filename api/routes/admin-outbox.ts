import { createRoute } from '@hono/zod-openapi';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { outbox } from '../../drizzle/schema';
import type { ApiDeps } from '../deps';
import { ApiError, notFound } from '../errors';
import { adminAuth } from '../middleware/admin-auth';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, OutboxIdParamSchema, OutboxStatsSchema } from '../schemas';

const statsRoute = createRoute({
  method: 'get',
  path: '/admin/outbox',
  summary: 'Outbox counts: pending, published, dead, and the age of the oldest pending row (admin)',
  security: ADMIN_SECURITY,
  responses: { 200: { description: 'Counts', content: { 'application/json': { schema: OutboxStatsSchema } } }, ...errorResponses(401) },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/outbox/{id}/retry',
  summary: 'Put a dead outbox row back in line for the relay (admin)',
  security: ADMIN_SECURITY,
  request: { params: OutboxIdParamSchema },
  responses: {
    200: { description: 'The row is pending again', content: { 'application/json': { schema: OutboxStatsSchema } } },
    ...errorResponses(400, 401, 404, 409),
  },
});

export function adminOutboxRoutes(deps: ApiDeps) {
  const { db } = deps.db;
  const stats = async () => {
    const [row] = await db
      .select({
        pending: sql<number>`count(*) FILTER (WHERE ${outbox.publishedAt} IS NULL AND ${outbox.deadAt} IS NULL)::int`,
        published: sql<number>`count(*) FILTER (WHERE ${outbox.publishedAt} IS NOT NULL)::int`,
        dead: sql<number>`count(*) FILTER (WHERE ${outbox.deadAt} IS NOT NULL)::int`,
        oldestPendingAgeMs: sql<
          number | null
        >`(extract(epoch FROM now() - min(${outbox.createdAt}) FILTER (WHERE ${outbox.publishedAt} IS NULL AND ${outbox.deadAt} IS NULL)) * 1000)::float8`,
      })
      .from(outbox);
    return row!;
  };

  const app = createRouter();
  app.use('/admin/outbox', adminAuth(deps.adminToken));
  app.use('/admin/outbox/*', adminAuth(deps.adminToken));
  return app
    .openapi(statsRoute, async (c) => c.json(await stats(), 200))
    .openapi(retryRoute, async (c) => {
      const { id } = c.req.valid('param');
      const [revived] = await db
        .update(outbox)
        .set({ deadAt: null, attempts: 0, nextAttemptAt: sql`now()`, lastError: null })
        .where(and(eq(outbox.id, id), isNotNull(outbox.deadAt)))
        .returning({ aggregateId: outbox.aggregateId });
      if (!revived) {
        const [row] = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, id));
        if (!row) throw notFound('outbox_row', id);
        throw new ApiError(409, 'outbox_row_not_dead', `outbox row ${id} is not dead; only dead rows can be retried`);
      }
      c.get('log').info({ messageId: id, orderId: revived.aggregateId, correlationId: revived.aggregateId }, 'dead outbox row put back');
      return c.json(await stats(), 200);
    });
}
