import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { adminAuth } from '../middleware/admin-auth';
import { jsonBody } from '../middleware/json-body';
import { updateOrder } from '../orders/update-order';
import { ADMIN_SECURITY, createRouter, logOrder } from '../router';
import { errorResponses, OrderIdParamSchema, OrderStateSchema, ReviewDecisionSchema } from '../schemas';
import { approveUpdate, rejectUpdate } from '../../workflows/definitions';

const decisionRoute = (decision: 'approve' | 'reject', token: string) =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${decision}`,
    summary: decision === 'approve' ? 'Approve an order awaiting review (admin)' : 'Reject an order awaiting review (admin)',
    security: ADMIN_SECURITY,
    middleware: [adminAuth(token), ...jsonBody()],
    request: { params: OrderIdParamSchema, body: { required: false, content: { 'application/json': { schema: ReviewDecisionSchema } } } },
    responses: {
      200: { description: 'The decision was taken', content: { 'application/json': { schema: OrderStateSchema } } },
      ...errorResponses(400, 401, 404, 409),
    },
  });

/** A human's decision on an order above the review threshold. */
export function reviewRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(decisionRoute('approve', deps.adminToken), async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      return c.json(await updateOrder(deps.client, id, approveUpdate, c.req.valid('json') ?? {}), 200);
    })
    .openapi(decisionRoute('reject', deps.adminToken), async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      return c.json(await updateOrder(deps.client, id, rejectUpdate, c.req.valid('json') ?? {}), 200);
    });
}
