import { isGrpcServiceError, type Client, type ConnectionLike } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { google, temporal } from '@temporalio/proto';
import type { OrderStatus } from '../domain/order';
import { CUSTOMER_ID, ORDER_STATUS, ORDER_TOTAL } from '../workflows/search-attributes';
import { InvalidPageTokenError } from './errors';
import { decodePageToken, encodePageToken } from './page-token';
import type { OrderListQuery, OrderPage, OrderSummary } from './saga-client';

/**
 * Lists sagas from Temporal visibility, filtered by the search attributes the saga keeps. The
 * API's schema validated status and customerId, so neither can carry a quote into the query.
 * Visibility is eventually consistent: a saga started a moment ago may not be listed yet.
 * `unretried` is the connection later pages go out on (see listAfterToken).
 */
export async function listOrders(client: Client, unretried: () => ConnectionLike, query: OrderListQuery): Promise<OrderPage> {
  const clauses = [`WorkflowType = 'orderSaga'`];
  if (query.status) clauses.push(`${ORDER_STATUS.name} = '${query.status}'`);
  if (query.customerId) clauses.push(`${CUSTOMER_ID.name} = '${query.customerId}'`);
  const scope = { status: query.status, customerId: query.customerId };
  const request = {
    namespace: client.options.namespace,
    pageSize: query.pageSize,
    // Newest first is visibility's own order; SQL visibility refuses an ORDER BY clause.
    query: clauses.join(' AND '),
  };
  const response =
    query.pageToken === undefined
      ? await client.workflowService.listWorkflowExecutions(request)
      : await listAfterToken(unretried(), { ...request, nextPageToken: decodePageToken(query.pageToken, scope) });
  const orders = (response.executions ?? []).map((execution): OrderSummary => {
    const workflowId = execution.execution?.workflowId ?? '';
    const fields = execution.searchAttributes?.indexedFields ?? {};
    return {
      orderId: workflowId.replace(/^order-/, ''),
      workflowId,
      status: attribute<OrderStatus>(fields, ORDER_STATUS.name),
      customerId: attribute<string>(fields, CUSTOMER_ID.name),
      total: attribute<number>(fields, ORDER_TOTAL.name),
      startedAt: timestamp(execution.startTime),
      closedAt: timestamp(execution.closeTime),
    };
  });
  const token = response.nextPageToken && response.nextPageToken.length > 0 ? encodePageToken(response.nextPageToken, scope) : null;
  return { orders, nextPageToken: token };
}

/**
 * A later page. Visibility answers a token it refuses with UNKNOWN ("please retry"), which the
 * SDK's retry interceptor retried for about 20 s; a refused token is the caller's mistake, so
 * these calls go out on a connection without that interceptor and a refusal is reported at once.
 */
async function listAfterToken(
  connection: ConnectionLike,
  request: temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest,
): Promise<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse> {
  try {
    return await connection.workflowService.listWorkflowExecutions(request);
  } catch (error) {
    if (isGrpcServiceError(error) && REFUSED_TOKEN_CODES.has(error.code)) {
      throw new InvalidPageTokenError(
        'Temporal refused pageToken: it is not a nextPageToken this API returned',
        'refused by Temporal visibility',
      );
    }
    throw error;
  }
}

/** gRPC's UNKNOWN (what visibility answers for a token it cannot parse) and INVALID_ARGUMENT. */
const REFUSED_TOKEN_CODES = new Set([2, 3]);

function attribute<T>(fields: Record<string, temporal.api.common.v1.IPayload>, name: string): T | null {
  const payload = fields[name];
  if (!payload) return null;
  const value = defaultPayloadConverter.fromPayload<T | T[]>(payload);
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function timestamp(value: google.protobuf.ITimestamp | null | undefined): string | null {
  if (!value || value.seconds == null) return null;
  return new Date(Number(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6)).toISOString();
}
