import { createRoute } from '@hono/zod-openapi';
import { CANCELLABLE_STATUSES } from '../../domain/order';
import type { Caller } from '../auth/caller';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { jsonBody } from '../middleware/json-body';
import { pendingRequest } from '../orders/pending-request';
import { orderRateLimits } from '../rate-limit/order-rate-limits';
import { orderView, readOrderAnywhere } from '../orders/read-order-state';
import { askSaga, stateConflict, takenOrPending } from '../orders/saga-answer';
import { submitOrder } from '../orders/submit-order';
import { callerOf, requireCaller } from '../auth/require-caller';
import { assertCallerMayRead, assertOwnOrder } from '../orders/order-access';
import { customerOfSubmission } from '../orders/order-customer';
import { operation } from '../operation';
import { CALLER_SECURITY, createRouter, logOrder } from '../router';
import {
  CancelOrderSchema,
  IdempotencyKeyHeaderSchema,
  jsonContent as json,
  ListOrdersQuerySchema,
  OrderIdParamSchema,
  OrderListSchema,
  OrderRequestPendingSchema,
  OrderStateSchema,
  SubmitOrderSchema,
  SubmittedOrderSchema,
} from '../schemas';

const BODY_ERRORS = {
  413: 'payload_too_large: the body is larger than 64 KiB',
  415: 'unsupported_media_type: a body that is not application/json',
} as const;

const submitRoute = createRoute({
  method: 'post',
  path: '/orders',
  security: CALLER_SECURITY,
  middleware: [requireCaller(), ...jsonBody()],
  request: {
    headers: IdempotencyKeyHeaderSchema,
    body: { required: true, content: { 'application/json': { schema: SubmitOrderSchema } } },
  },
  ...operation({
    operationId: 'submitOrder',
    tag: 'orders',
    summary: 'Submit an order: validates it and starts its saga',
    description:
      'Validates the order, prices it from the catalog and starts its saga. With an Idempotency-Key, a repeat of the same request ' +
      'answers 200 with the same order instead of starting another',
    errors: {
      400: 'validation_failed: a field is invalid, a SKU is unknown, or the order is over its limits (errors names each field); malformed_json: the body is not JSON',
      403: "customer_mismatch: customerId is not the token's subject",
      ...BODY_ERRORS,
      422: 'idempotency_key_reused: the Idempotency-Key was used with another body',
      429: 'rate_limited: too many submissions from this customer or address; retry after Retry-After',
    },
    responses: {
      202: json(SubmittedOrderSchema, 'The saga started'),
      200: json(SubmittedOrderSchema, 'A repeat of an earlier request with the same Idempotency-Key'),
    },
  }),
});

const getRoute = createRoute({
  method: 'get',
  path: '/orders/{id}',
  security: CALLER_SECURITY,
  middleware: [requireCaller()],
  request: { params: OrderIdParamSchema },
  ...operation({
    operationId: 'getOrder',
    tag: 'orders',
    summary: "An order's saga status",
    description:
      "The saga's state: status, steps, compensations, failure, a pending cancel, and steps that keep failing. Once Temporal no longer " +
      'keeps the workflow (past the namespace retention), the same shape from PostgreSQL, with source "database"',
    errors: {
      400: 'validation_failed: the id is not a UUID',
      404: "order_not_found: no such order, or another customer's",
    },
    responses: {
      200: json(OrderStateSchema, 'The status, steps, compensations and failure, a pending cancel, and steps that keep failing (retrying)'),
    },
  }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/orders',
  security: CALLER_SECURITY,
  middleware: [requireCaller()],
  request: { query: ListOrdersQuerySchema },
  ...operation({
    operationId: 'listOrders',
    tag: 'orders',
    summary: 'List orders from Temporal visibility (eventually consistent)',
    description: "A customer sees only their own orders (a customerId filter naming anyone else is a 403); an admin sees everyone's",
    errors: {
      400: 'validation_failed: a query parameter is invalid; invalid_page_token: pageToken is not one this listing gave',
      403: 'forbidden: a customer named another customer in customerId',
      429: 'rate_limited: too many listings from this customer or address; retry after Retry-After',
    },
    responses: { 200: json(OrderListSchema, 'A page of orders, newest first') },
  }),
});

const cancelRoute = createRoute({
  method: 'post',
  path: '/orders/{id}/cancel',
  security: CALLER_SECURITY,
  middleware: [requireCaller(), ...jsonBody()],
  request: { params: OrderIdParamSchema, body: { required: false, content: { 'application/json': { schema: CancelOrderSchema } } } },
  ...operation({
    operationId: 'cancelOrder',
    tag: 'orders',
    summary: 'Cancel an order that has not started shipping',
    description:
      'Answers within SAGA_ANSWER_TIMEOUT_MS. 200: the cancel took effect and the saga compensates. 202: it is pending, either accepted by ' +
      'the saga and waiting for a step it cannot interrupt (recordOrder), or not taken yet because the saga is inside a step; ' +
      'GET /orders/{id} shows it under cancellation once accepted. 409: it never can (shipping started, or the order ended)',
    errors: {
      400: 'validation_failed: the id or the body is invalid; malformed_json: the body is not JSON',
      404: "order_not_found: no such order, or another customer's",
      409: 'order_state_conflict: the order can no longer be cancelled (shipping started, or it ended)',
      ...BODY_ERRORS,
    },
    responses: {
      200: json(OrderStateSchema, 'Cancel took effect: the saga compensates'),
      202: json(OrderRequestPendingSchema, 'Cancel pending: it takes effect when the saga can apply it'),
    },
  }),
});

export function orderRoutes(deps: ApiDeps) {
  const { config, sagas } = deps;
  const linksFor = (orderId: string, workflowId: string) => ({
    self: `/orders/${orderId}`,
    temporalUi: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${workflowId}`,
  });

  // Rate limits run first on their routes (after authentication, which is app-wide): a refusal reads no body.
  const limits = orderRateLimits(config);
  const app = createRouter();
  app.post('/orders', limits.submit);
  app.get('/orders', limits.list);
  return app
    .openapi(submitRoute, async (c) => {
      const body = c.req.valid('json');
      const customerId = customerOfSubmission(callerOf(c), body.customerId);
      const submitted = await submitOrder(deps, { ...body, customerId }, c.req.valid('header')['idempotency-key']);
      logOrder(c, submitted.orderId);
      c.get('log').info({ repeated: submitted.repeated }, submitted.repeated ? 'order repeated' : 'order submitted');
      const answer = {
        orderId: submitted.orderId,
        workflowId: submitted.workflowId,
        status: submitted.status,
        links: linksFor(submitted.orderId, submitted.workflowId),
      };
      c.header('Location', answer.links.self);
      return submitted.repeated ? c.json(answer, 200) : c.json(answer, 202);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      // The saga's state names its customer: one query answers both who may see it and what it is.
      const { state, source } = await readOrderAnywhere(deps, id);
      assertOwnOrder(callerOf(c), id, state.customerId);
      return c.json(await orderView(deps, state, source), 200);
    })
    .openapi(listRoute, async (c) => c.json(await sagas.listOrders(ownListQuery(callerOf(c), c.req.valid('query'))), 200))
    .openapi(cancelRoute, async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      await assertCallerMayRead(deps, callerOf(c), id);
      const request = { reason: c.req.valid('json')?.reason ?? 'cancelled over the API' };
      const answer = takenOrPending(id, await askSaga(deps, id, () => sagas.cancel(id, request, config.SAGA_ANSWER_TIMEOUT_MS)));
      if (answer.outcome === 'unanswered') {
        // Busy sagas cannot answer; what they last reported may already rule the cancel out.
        if (answer.lastStatus && !CANCELLABLE_STATUSES.includes(answer.lastStatus)) {
          throw stateConflict(`cannot cancel order ${id}: it is ${answer.lastStatus}`);
        }
        c.get('log').warn({ lastStatus: answer.lastStatus }, 'cancel not taken by the saga in time');
        return c.json(await pendingRequest(deps, id, 'cancel', { accepted: false, lastStatus: answer.lastStatus }), 202);
      }
      if (answer.state.cancellation?.waitsFor) {
        c.get('log').info({ waitsFor: answer.state.cancellation.waitsFor }, 'cancel accepted, pending');
        return c.json(await pendingRequest(deps, id, 'cancel', { accepted: true, state: answer.state }), 202);
      }
      c.get('log').info('cancel accepted');
      return c.json(await orderView(deps, answer.state), 200);
    });
}

/** A customer lists their own orders whatever the query says; naming another customer is refused, not silently ignored. */
function ownListQuery<Q extends { customerId?: string }>(caller: Caller, query: Q): Q {
  if (caller.kind === 'admin') return query;
  if (query.customerId !== undefined && query.customerId !== caller.customerId) {
    throw new ApiError(403, 'forbidden', 'a customer lists only their own orders', [
      { path: 'customerId', message: "differs from the token's subject" },
    ]);
  }
  return { ...query, customerId: caller.customerId };
}
