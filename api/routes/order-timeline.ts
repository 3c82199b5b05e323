import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { callerOf, requireCaller } from '../auth/require-caller';
import { assertOwnOrder } from '../orders/order-access';
import { readOrderAnywhere } from '../orders/read-order-state';
import { operation } from '../operation';
import { CALLER_SECURITY, createRouter, logOrder } from '../router';
import { jsonContent, OrderIdParamSchema, OrderTimelineSchema } from '../schemas';

const timelineRoute = createRoute({
  method: 'get',
  path: '/orders/{id}/timeline',
  security: CALLER_SECURITY,
  middleware: [requireCaller()],
  request: { params: OrderIdParamSchema },
  ...operation({
    operationId: 'getOrderTimeline',
    tag: 'orders',
    summary: "Where the order's events went: the saga's steps and compensations, each event's commit and publish, each consumer's receipt",
    description:
      "One answer to 'where did this order's events go': the steps and compensations from the saga (from PostgreSQL once Temporal " +
      'no longer keeps the workflow), each event from the outbox or the order event history with its commit and publish times, ' +
      'and each consumer that handled it (inbox). A consumer missing from handledBy has not handled it (yet), or its receipt ' +
      'passed INBOX_RETENTION_MS',
    errors: { 400: 'validation_failed: the id is not a UUID', 404: "order_not_found: no such order, or another customer's" },
    responses: { 200: jsonContent(OrderTimelineSchema, 'The timeline') },
  }),
});

export function orderTimelineRoutes(deps: ApiDeps) {
  return createRouter().openapi(timelineRoute, async (c) => {
    const { id } = c.req.valid('param');
    logOrder(c, id);
    const { state, source } = await readOrderAnywhere(deps, id);
    assertOwnOrder(callerOf(c), id, state.customerId);
    const events = await deps.store.readOrderDeliveries(id);
    const { orderId, status, steps, compensations, failure } = state;
    return c.json({ orderId, status, source, steps, compensations, failure, events }, 200);
  });
}
