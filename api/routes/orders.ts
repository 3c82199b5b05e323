import { createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { jsonBody } from '../middleware/json-body';
import { listOrders } from '../orders/list-orders';
import { readOrderState } from '../orders/read-order-state';
import { submitOrder } from '../orders/submit-order';
import { updateOrder } from '../orders/update-order';
import { createRouter, logOrder } from '../router';
import {
  CancelOrderSchema,
  errorResponses,
  ListOrdersQuerySchema,
  OrderIdParamSchema,
  OrderListSchema,
  OrderStateSchema,
  SubmitOrderSchema,
  SubmittedOrderSchema,
} from '../schemas';
import { cancelUpdate } from '../../workflows/definitions';

const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const submitRoute = createRoute({
  method: 'post',
  path: '/orders',
  summary: 'Submit an order: validates it and starts its saga',
  middleware: jsonBody(),
  request: {
    headers: z.object({
      'idempotency-key': z.string().min(1).max(255).optional().openapi({ description: 'Repeat a request safely: the same key and body return the same order' }),
    }),
    body: { required: true, content: { 'application/json': { schema: SubmitOrderSchema } } },
  },
  responses: {
    202: json(SubmittedOrderSchema, 'The saga started'),
    200: json(SubmittedOrderSchema, 'A repeat of an earlier request with the same Idempotency-Key'),
    ...errorResponses(400, 413, 415, 422),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/orders/{id}',
  summary: "An order's saga status",
  request: { params: OrderIdParamSchema },
  responses: { 200: json(OrderStateSchema, 'The status, steps, compensations and failure'), ...errorResponses(400, 404) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/orders',
  summary: 'List orders from Temporal visibility (eventually consistent)',
  request: { query: ListOrdersQuerySchema },
  responses: { 200: json(OrderListSchema, 'A page of orders, newest first'), ...errorResponses(400) },
});

const cancelRoute = createRoute({
  method: 'post',
  path: '/orders/{id}/cancel',
  summary: 'Cancel an order that has not started shipping',
  middleware: jsonBody(),
  request: { params: OrderIdParamSchema, body: { required: false, content: { 'application/json': { schema: CancelOrderSchema } } } },
  responses: { 200: json(OrderStateSchema, 'Cancel accepted: the saga compensates'), ...errorResponses(400, 404, 409, 413, 415) },
});

export function orderRoutes(deps: ApiDeps) {
  const { config, client } = deps;
  const linksFor = (orderId: string, workflowId: string) => ({
    self: `/orders/${orderId}`,
    temporalUi: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${workflowId}`,
  });

  return createRouter()
    .openapi(submitRoute, async (c) => {
      const submitted = await submitOrder(deps, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      logOrder(c, submitted.orderId);
      c.get('log').info({ repeated: submitted.repeated }, submitted.repeated ? 'order repeated' : 'order submitted');
      const body = { orderId: submitted.orderId, workflowId: submitted.workflowId, status: submitted.status, links: linksFor(submitted.orderId, submitted.workflowId) };
      c.header('Location', body.links.self);
      return submitted.repeated ? c.json(body, 200) : c.json(body, 202);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      return c.json(await readOrderState(client, id), 200);
    })
    .openapi(listRoute, async (c) => c.json(await listOrders(client, config.TEMPORAL_NAMESPACE, c.req.valid('query')), 200))
    .openapi(cancelRoute, async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      const state = await updateOrder(client, id, cancelUpdate, { reason: c.req.valid('json')?.reason ?? 'cancelled over the API' });
      c.get('log').info('cancel accepted');
      return c.json(state, 200);
    });
}
