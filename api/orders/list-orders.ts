import { Connection, isGrpcServiceError, type Client, type ConnectionLike } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { google, temporal } from '@temporalio/proto';
import type { OrderStatus } from '../../domain/order';
import { ApiError } from '../errors';
import { decodePageToken, encodePageToken } from './page-token';

export interface OrderListQuery {
  status?: OrderStatus;
  customerId?: string;
  pageSize: number;
  pageToken?: string;
}

export interface OrderSummary {
  orderId: string;
  workflowId: string;
  status: OrderStatus | null;
  customerId: string | null;
  total: number | null;
  startedAt: string | null;
  closedAt: string | null;
}

/**
 * Lists sagas from Temporal visibility, filtered by the search attributes the saga keeps. The
 * schema validated status and customerId, so neither can carry a quote into the query.
 * Visibility is eventually consistent: a saga started a moment ago may not be listed yet.
 */
export async function listOrders(
  client: Client,
  namespace: string,
  query: OrderListQuery,
): Promise<{ orders: OrderSummary[]; nextPageToken: string | null }> {
  const clauses = [`WorkflowType = 'orderSaga'`];
  if (query.status) clauses.push(`OrderStatus = '${query.status}'`);
  if (query.customerId) clauses.push(`CustomerId = '${query.customerId}'`);
  const scope = { status: query.status, customerId: query.customerId };
  const request = {
    namespace,
    pageSize: query.pageSize,
    // Newest first is visibility's own order; SQL visibility refuses an ORDER BY clause.
    query: clauses.join(' AND '),
  };
  const response =
    query.pageToken === undefined
      ? await client.workflowService.listWorkflowExecutions(request)
      : await listAfterToken(client.connection, { ...request, nextPageToken: decodePageToken(query.pageToken, scope) });
  const orders = (response.executions ?? []).map((execution): OrderSummary => {
    const workflowId = execution.execution?.workflowId ?? '';
    const fields = execution.searchAttributes?.indexedFields ?? {};
    return {
      orderId: workflowId.replace(/^order-/, ''),
      workflowId,
      status: attribute<OrderStatus>(fields, 'OrderStatus'),
      customerId: attribute<string>(fields, 'CustomerId'),
      total: attribute<number>(fields, 'OrderTotal'),
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
 * these calls go out on a connection without that interceptor and a refusal is a 400 at once.
 */
async function listAfterToken(
  connection: ConnectionLike,
  request: temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest,
): Promise<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse> {
  try {
    return await withoutRetries(connection).workflowService.listWorkflowExecutions(request);
  } catch (error) {
    if (isGrpcServiceError(error) && REFUSED_TOKEN_CODES.has(error.code)) {
      throw new ApiError(400, 'invalid_page_token', 'Temporal refused pageToken: it is not a nextPageToken this API returned', [
        { path: 'pageToken', message: 'refused by Temporal visibility' },
      ]);
    }
    throw error;
  }
}

/** gRPC's UNKNOWN (what visibility answers for a token it cannot parse) and INVALID_ARGUMENT. */
const REFUSED_TOKEN_CODES = new Set([2, 3]);

const unretried = new WeakMap<Connection, Connection>();

/**
 * The same server, TLS and metadata as `connection`, with no retry interceptor; made once, on
 * first use, and left open for the process (gRPC does not hold the process open for an idle one).
 * Another ConnectionLike (a worker's NativeConnection) is used as it is.
 */
function withoutRetries(connection: ConnectionLike): ConnectionLike {
  if (!(connection instanceof Connection)) return connection;
  let plain = unretried.get(connection);
  if (!plain) {
    const { address, credentials, channelArgs, metadata } = connection.options;
    plain = Connection.lazy({ address, credentials, channelArgs, metadata, interceptors: [] });
    unretried.set(connection, plain);
  }
  return plain;
}

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
