import { createRoute } from '@hono/zod-openapi';
import type { ReviewDecision } from '../../domain/order';
import type { ApiDeps } from '../deps';
import { requireAdmin } from '../auth/require-caller';
import { jsonBody } from '../middleware/json-body';
import { pendingRequest } from '../orders/pending-request';
import { orderView } from '../orders/read-order-state';
import { askSaga, stateConflict, takenOrPending } from '../orders/saga-answer';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter, logOrder } from '../router';
import { jsonContent as json, OrderIdParamSchema, OrderRequestPendingSchema, OrderStateSchema, ReviewDecisionSchema } from '../schemas';

const decisionRoute = (decision: 'approve' | 'reject') =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${decision}`,
    security: ADMIN_SECURITY,
    middleware: [requireAdmin(), ...jsonBody()],
    request: { params: OrderIdParamSchema, body: { required: false, content: { 'application/json': { schema: ReviewDecisionSchema } } } },
    ...operation({
      operationId: decision === 'approve' ? 'approveOrder' : 'rejectOrder',
      tag: 'review',
      summary: decision === 'approve' ? 'Approve an order awaiting review (admin)' : 'Reject an order awaiting review (admin)',
      description: 'Answers within SAGA_ANSWER_TIMEOUT_MS: 202 when the saga did not take the decision in that time (no worker runs)',
      errors: {
        400: 'validation_failed: the id or the body is invalid; malformed_json: the body is not JSON',
        403: 'forbidden: the caller is not an admin',
        404: 'order_not_found: no such order',
        409: 'order_state_conflict: the order is not awaiting review',
        413: 'payload_too_large: the body is larger than 64 KiB',
        415: 'unsupported_media_type: a body that is not application/json',
      },
      responses: {
        200: json(OrderStateSchema, 'The decision was taken'),
        202: json(OrderRequestPendingSchema, 'The saga has not taken the decision yet'),
      },
    }),
  });

/** A human's decision on an order above the review threshold. */
export function reviewRoutes(deps: ApiDeps) {
  const decide = async (decision: 'approve' | 'reject', orderId: string, body: ReviewDecision) => {
    const answer = takenOrPending(
      orderId,
      await askSaga(deps, orderId, () => deps.sagas[decision](orderId, body, deps.config.SAGA_ANSWER_TIMEOUT_MS)),
    );
    if (answer.outcome === 'accepted') return { status: 200 as const, body: await orderView(deps, answer.state) };
    if (answer.lastStatus !== 'AWAITING_REVIEW') {
      throw stateConflict(`cannot ${decision} order ${orderId}: it is ${answer.lastStatus ?? 'in an unknown state'}`);
    }
    return {
      status: 202 as const,
      body: await pendingRequest(deps, orderId, decision, { accepted: false, lastStatus: answer.lastStatus }),
    };
  };
  return createRouter()
    .openapi(decisionRoute('approve'), async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      const answer = await decide('approve', id, c.req.valid('json') ?? {});
      return answer.status === 200 ? c.json(answer.body, 200) : c.json(answer.body, 202);
    })
    .openapi(decisionRoute('reject'), async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      const answer = await decide('reject', id, c.req.valid('json') ?? {});
      return answer.status === 200 ? c.json(answer.body, 200) : c.json(answer.body, 202);
    });
}
